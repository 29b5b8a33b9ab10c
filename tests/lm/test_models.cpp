// The neural language models: loss at initialisation near log V (an untrained model is close to uniform), gradient
// checks of every parameter (RNN/LSTM/GRU LMs with and without tied weights, the window LM with and without direct
// connections), tied weights sharing one table, the LSTM's forget-gate bias reaching every layer, the configuration's
// JSON (and checkpoints written before a key existed), and argument errors.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

#include "autograd/functions.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/error.hpp"
#include "lm_test_util.hpp"
#include "nn/gradcheck.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
using autograd::Tape;

namespace {
std::vector<std::int32_t> ids(std::size_t n, std::int32_t vocab, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::int32_t> v(n);
  for (auto& x : v) x = static_cast<std::int32_t>(rng.uniform_int(static_cast<std::uint64_t>(vocab)));
  return v;
}
void expect_passed(const autograd::GradcheckResult& r, const std::string& what) {
  BOOST_TEST(r.passed, what << ": " << r.report);
  BOOST_TEST(r.checked > 0u);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(models)

// With weights in ±0.1 the logits are small, so the loss is close to ln V (within 0.1 for V = 50).
BOOST_AUTO_TEST_CASE(initial_loss_is_near_uniform) {
  Rng rng(1);
  ModelConfig c;
  c.kind = ModelKind::LSTM, c.vocab = 50, c.emsize = 16, c.nhid = 16, c.nlayers = 2;
  RNNLM model(c, rng);
  Tape tape;
  const auto x = ids(5 * 4, 50, 2), y = ids(5 * 4, 50, 3);
  const auto out = model.forward(tape, x, y, 5, 4, {}, rng);
  BOOST_TEST(std::fabs(out.loss.item() - std::log(50.0)) < 0.1);
  BOOST_TEST(out.logits.shape() == (Shape{20, 50}));
  BOOST_TEST(out.final_states.size() == 2u);
}

BOOST_AUTO_TEST_CASE(recurrent_lm_gradients) {
  for (ModelKind kind : {ModelKind::RNN, ModelKind::LSTM, ModelKind::GRU})
    for (bool tied : {false, true}) {
      Rng rng(4);
      ModelConfig c;
      c.kind = kind, c.vocab = 7, c.emsize = 4, c.nhid = 4, c.nlayers = 2, c.tied = tied, c.init_range = 0.5f;
      RNNLM model(c, rng);
      const auto x = ids(3 * 2, 7, 5), y = ids(3 * 2, 7, 6);
      const auto r = nn::gradcheck_module(model, [&](Tape& t) { return model.forward(t, x, y, 3, 2, {}, rng).loss; });
      expect_passed(r, c.describe());
      BOOST_TEST((model.find_parameter("decoder.W") == nullptr) == tied);
    }
}

BOOST_AUTO_TEST_CASE(window_lm_gradients) {
  for (bool direct : {false, true}) {
    Rng rng(7);
    ModelConfig c;
    c.kind = ModelKind::Window, c.vocab = 9, c.context = 3, c.emsize = 4, c.nhid = 5, c.direct = direct,
    c.init_range = 0.5f;
    WindowLM model(c, rng);
    const auto ctx = ids(4 * 3, 9, 8), y = ids(4, 9, 9);
    const auto r = nn::gradcheck_module(model, [&](Tape& t) { return model.forward(t, ctx, y, 4, rng).loss; });
    expect_passed(r, c.describe());
  }
}

BOOST_AUTO_TEST_CASE(argument_errors) {
  Rng rng(10);
  ModelConfig c;
  c.kind = ModelKind::LSTM, c.vocab = 10, c.emsize = 8, c.nhid = 6, c.tied = true;
  BOOST_CHECK_THROW(RNNLM(c, rng), UsageError);  // tied needs emsize == nhid
  c.tied = false;
  RNNLM model(c, rng);
  Tape tape;
  const auto x = ids(6, 10, 1);
  BOOST_CHECK_THROW(model.forward(tape, x, x, 4, 2, {}, rng), ShapeError);  // 6 ids for 4 × 2
  const auto bad = std::vector<std::int32_t>{0, 1, 2, 3, 4, 10};
  BOOST_CHECK_THROW(model.forward(tape, bad, x, 3, 2, {}, rng), UsageError);  // id 10 outside the vocabulary
  c.vocab = 0;
  BOOST_CHECK_THROW(RNNLM(c, rng), UsageError);
  c.vocab = 10;
  BOOST_CHECK_THROW(WindowLM(c, rng), UsageError);  // an LSTM's configuration
  c.kind = ModelKind::Window;
  BOOST_CHECK_THROW(RNNLM(c, rng), UsageError);  // a window model's configuration
  c.kind = ModelKind::GRU, c.forget_bias = 1.0f;
  BOOST_CHECK_THROW(LanguageModel(c, rng), UsageError);  // a forget gate only the LSTM has
  c.kind = ModelKind::LSTM, c.dropout = 1.0f;
  BOOST_CHECK_THROW(LanguageModel(c, rng), UsageError);
}

// The forget-gate bias of the configuration lands in the forget block [H, 2H) of every LSTM layer's b and changes
// nothing else: same seed, same draws, every other parameter bit for bit the same as with the default 0.
BOOST_AUTO_TEST_CASE(forget_bias_reaches_every_lstm_layer) {
  ModelConfig c;
  c.kind = ModelKind::LSTM, c.vocab = 11, c.emsize = 5, c.nhid = 6, c.nlayers = 2;
  Rng rng0(3), rng5(3);
  LanguageModel plain(c, rng0);
  c.forget_bias = 5.0f;
  LanguageModel biased(c, rng5);
  BOOST_TEST(biased.config().describe().find("forget bias 5") != std::string::npos, biased.config().describe());
  BOOST_TEST(plain.config().describe().find("forget bias") == std::string::npos);
  const auto a = plain.module().named_parameters(), b = biased.module().named_parameters();
  BOOST_TEST_REQUIRE(a.size() == b.size());
  int forget_blocks = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string& name = a[i].first;
    const auto& x = a[i].second->value();
    const auto& y = b[i].second->value();
    const bool layer_bias = name == "rnn.layer0.b" || name == "rnn.layer1.b";
    forget_blocks += layer_bias;
    for (index_t j = 0; j < a[i].second->numel(); ++j) {
      const bool forget = layer_bias && j >= c.nhid && j < 2 * c.nhid;
      if (forget) {
        BOOST_TEST(x.data()[j] == 0.0f, name << "[" << j << "]");
        BOOST_TEST(y.data()[j] == 5.0f, name << "[" << j << "]");
      } else {
        BOOST_TEST(x.data()[j] == y.data()[j], name << "[" << j << "]");
      }
    }
  }
  BOOST_TEST(forget_blocks == 2);
  BOOST_TEST(rng0.uniform_int(1u << 30) == rng5.uniform_int(1u << 30));  // as many draws either way
}

// The configuration survives its JSON form, and a checkpoint written before forget_bias existed (this is the exact
// JSON such a checkpoint holds) loads with the bias its model was trained with, 0.
BOOST_AUTO_TEST_CASE(config_json_round_trip_and_older_checkpoints) {
  ModelConfig c;
  c.kind = ModelKind::LSTM, c.vocab = 18, c.emsize = 8, c.nhid = 8, c.nlayers = 1, c.dropout = 0.25f, c.tied = true;
  c.form = nn::CellForm::Composed, c.init_range = 0.05f, c.forget_bias = 1.0f;
  const ModelConfig back = ModelConfig::from_json(c.to_json(), "test");
  BOOST_TEST(back.to_json() == c.to_json());
  BOOST_TEST(back.forget_bias == 1.0f);
  BOOST_TEST(std::string(nn::cell_form_name(back.form)) == "composed");
  BOOST_TEST(back.describe() == "lstm 1×8, emb 8, vocab 18, dropout 0.25, tied, composed cells, forget bias 1");

  const std::string before =
      R"({"context":5,"direct":false,"dropout":0.20000000298023224,"emsize":8,"form":"fused",)"
      R"("gru_reset_after":false,"init_range":0.10000000149011612,"model":"gru","nhid":8,"nlayers":2,"tied":false,)"
      R"("vocab":18})";
  const ModelConfig old = ModelConfig::from_json(before, "old.safetensors");
  BOOST_TEST(old.forget_bias == 0.0f);
  BOOST_TEST(std::string(model_kind_name(old.kind)) == "gru");
  BOOST_TEST(old.nlayers == 2);
  BOOST_TEST(old.dropout == 0.2f);
  BOOST_TEST(old.describe() == "gru 2×8, emb 8, vocab 18, dropout 0.20");

  lm::test::check_throws<FormatError>([&] { ModelConfig::from_json(R"({"model":"lstm"})", "x.safetensors"); },
                                      {"x.safetensors", "bad model configuration"});
  std::string composed_gru = before;
  composed_gru.replace(composed_gru.find("fused"), 5, "welded");
  lm::test::check_throws<FormatError>([&] { ModelConfig::from_json(composed_gru, "y.safetensors"); },
                                      {"y.safetensors", "welded"});
  ModelConfig gru_with_bias = old;
  gru_with_bias.forget_bias = 1.0f;
  lm::test::check_throws<FormatError>([&] { ModelConfig::from_json(gru_with_bias.to_json(), "z.safetensors"); },
                                      {"z.safetensors", "forget-gate bias", "LSTM"});
}

BOOST_AUTO_TEST_SUITE_END()
