// The neural language models: loss at initialisation near log V (an untrained model is close to uniform), gradient
// checks of every parameter (RNN/LSTM/GRU LMs with and without tied weights, the window LM with and without direct
// connections), tied weights sharing one table, and argument errors.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

#include "autograd/functions.hpp"
#include "lm/neural/rnn_lm.hpp"
#include "lm/neural/window_lm.hpp"
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
  RNNLMConfig c;
  c.vocab = 50, c.emsize = 16, c.nhid = 16, c.nlayers = 2;
  RNNLM model(c, rng);
  Tape tape;
  const auto x = ids(5 * 4, 50, 2), y = ids(5 * 4, 50, 3);
  const auto out = model.forward(tape, x, y, 5, 4, {}, rng);
  BOOST_TEST(std::fabs(out.loss.item() - std::log(50.0)) < 0.1);
  BOOST_TEST(out.logits.shape() == (Shape{20, 50}));
  BOOST_TEST(out.final_states.size() == 2u);
}

BOOST_AUTO_TEST_CASE(recurrent_lm_gradients) {
  for (nn::CellType cell : {nn::CellType::RNN, nn::CellType::LSTM, nn::CellType::GRU})
    for (bool tied : {false, true}) {
      Rng rng(4);
      RNNLMConfig c;
      c.cell = cell, c.vocab = 7, c.emsize = 4, c.nhid = 4, c.nlayers = 2, c.tied = tied, c.init_range = 0.5f;
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
    WindowLMConfig c;
    c.vocab = 9, c.context = 3, c.emsize = 4, c.nhid = 5, c.direct = direct, c.init_range = 0.5f;
    WindowLM model(c, rng);
    const auto ctx = ids(4 * 3, 9, 8), y = ids(4, 9, 9);
    const auto r = nn::gradcheck_module(model, [&](Tape& t) { return model.forward(t, ctx, y, 4, rng).loss; });
    expect_passed(r, c.describe());
  }
}

BOOST_AUTO_TEST_CASE(argument_errors) {
  Rng rng(10);
  RNNLMConfig c;
  c.vocab = 10, c.emsize = 8, c.nhid = 6, c.tied = true;
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
}

BOOST_AUTO_TEST_SUITE_END()
