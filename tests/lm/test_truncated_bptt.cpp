// Truncated BPTT in the training step: the state at the end of one window is where the next window starts (carried),
// and it enters the next window's tape as a constant (detached), so backward stops at the window boundary.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/sgd.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {

struct Fixture {
  ModelConfig config;
  Rng init{11};
  std::unique_ptr<LanguageModel> model;
  std::vector<std::int32_t> ids;
  Fixture() {
    ops::set_num_threads(1);
    config.kind = ModelKind::LSTM, config.vocab = 50, config.emsize = 12, config.nhid = 16, config.nlayers = 2;
    model = std::make_unique<LanguageModel>(config, init);
    Rng r(12);
    ids.resize(4 * 40 + 1);
    for (auto& x : ids) x = static_cast<std::int32_t>(r.uniform_int(50));
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(truncated_bptt)

// Two windows of 10 steps evaluated in a row score exactly what one window of 20 steps scores: the state carries.
// Starting the second window from zeros instead gives a different loss: the test sees a reset.
BOOST_AUTO_TEST_CASE(state_carries_from_window_to_window) {
  Fixture f;
  StreamBatcher halves(f.ids, 4, 10), whole(f.ids, 4, 20);
  StreamWindow w1, w2, w;
  halves.get(0, w1);
  halves.get(1, w2);
  whole.get(0, w);
  Stepper stepper(*f.model, nullptr, 0.0f);
  const double l1 = stepper.evaluate(w1).loss, l2 = stepper.evaluate(w2).loss;
  stepper.reset_state();
  const double l12 = stepper.evaluate(w).loss;
  BOOST_TEST(std::fabs((l1 + l2) / 2 - l12) < 1e-5 * l12);  // equal windows: the mean of the halves' means
  stepper.reset_state();
  const double l2_from_zero = stepper.evaluate(w2).loss;
  BOOST_TEST(std::fabs(l2_from_zero - l2) > 1e-4);
}

// Training on the second window records only that window: the carried state is a constant leaf, so the tape is
// as long as the first window's (it would hold both windows if the state were not detached), and the gradient
// reaches no state of the first window.
BOOST_AUTO_TEST_CASE(carried_state_is_detached) {
  Fixture f;
  nn::SGD sgd(f.model->module().parameters(), {.lr = 0.1f});
  Stepper stepper(*f.model, &sgd, 1.0f);
  StreamBatcher batcher(f.ids, 4, 10);
  StreamWindow w;
  Rng rng(13);
  batcher.get(0, w);
  stepper.train(w, rng);
  const std::size_t first = stepper.tape().size();
  batcher.get(1, w);
  stepper.train(w, rng);
  // the second window's tape has the carried state as 4 constant leaves (h, c per layer) in place of the zeros
  BOOST_TEST(stepper.tape().size() <= first + 4);
  BOOST_TEST(stepper.tape().size() + 4 >= first);
}

BOOST_AUTO_TEST_SUITE_END()
