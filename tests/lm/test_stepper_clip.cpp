// The training step with clipping active, as lm::Stepper takes it (nn::clip_and_step: plain SGD folds the clipping
// factor into its update) against the same step spelled out with the composed calls — BatchForward, zero_grad,
// backward, nn::clip_grad_norm, SGD::step, carry — on twin LSTM language models: the same losses, norms and
// parameters, bit for bit, over several windows whose norms all exceed the bound.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "lm/neural/batch_forward.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/clip.hpp"
#include "nn/sgd.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {

std::unique_ptr<LanguageModel> small_lstm() {
  ModelConfig config;
  config.kind = ModelKind::LSTM, config.vocab = 37, config.emsize = 9, config.nhid = 13, config.nlayers = 2;
  Rng init(31);
  return std::make_unique<LanguageModel>(config, init);
}

bool same_parameters(LanguageModel& a, LanguageModel& b) {
  const auto pa = a.module().parameters(), pb = b.module().parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    const auto va = pa[i]->value().span(), vb = pb[i]->value().span();
    if (va.size() != vb.size() || std::memcmp(va.data(), vb.data(), va.size_bytes()) != 0) return false;
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stepper_clip)

BOOST_AUTO_TEST_CASE(clipped_steps_equal_the_composed_calls_bit_for_bit) {
  ops::set_num_threads(1);
  auto fused_model = small_lstm(), composed_model = small_lstm();
  BOOST_TEST_REQUIRE(same_parameters(*fused_model, *composed_model));
  const float clip = 0.05f;  // far below these models' gradient norms: every step is clipped
  nn::SGD fused_sgd(fused_model->module().parameters(), {.lr = 1.0f});
  nn::SGD composed_sgd(composed_model->module().parameters(), {.lr = 1.0f});
  BOOST_TEST_REQUIRE(fused_sgd.block() != nullptr);  // the flat path of a packed model is the one under test
  Stepper stepper(*fused_model, &fused_sgd, clip);
  BatchForward forward(*composed_model);

  std::vector<std::int32_t> ids(3 * 60 + 1);
  Rng data(32);
  for (auto& x : ids) x = static_cast<std::int32_t>(data.uniform_int(37));
  StreamBatcher batcher(ids, 3, 12);
  StreamWindow w;
  Rng rng_fused(33), rng_composed(33);
  for (index_t k = 0; k < batcher.windows(); ++k) {
    batcher.get(k, w);
    const StepStats s = stepper.train(w, rng_fused);

    const RNNLM::Output& out = forward.record(w, rng_composed);
    const float loss = out.loss.item();
    composed_sgd.zero_grad();
    forward.tape().backward(out.loss);
    const double norm = nn::clip_grad_norm(composed_sgd.parameters(), clip);
    composed_sgd.step();
    forward.carry(out.final_states);

    BOOST_TEST_REQUIRE(s.loss == loss, "window " << k);
    BOOST_TEST_REQUIRE(std::memcmp(&s.grad_norm, &norm, sizeof norm) == 0, "window " << k);
    BOOST_TEST_REQUIRE(s.grad_norm > clip, "window " << k << ": not clipped, so the fused path was not exercised");
    BOOST_TEST_REQUIRE(!s.skipped);
    BOOST_TEST_REQUIRE(same_parameters(*fused_model, *composed_model), "window " << k);
  }
  BOOST_TEST(batcher.windows() >= 4);
  BOOST_TEST(fused_sgd.step_count() == batcher.windows());
  auto initial = small_lstm();  // the parameters did move
  BOOST_TEST(!same_parameters(*fused_model, *initial));
}

BOOST_AUTO_TEST_SUITE_END()
