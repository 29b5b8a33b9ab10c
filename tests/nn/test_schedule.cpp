// Learning-rate schedules: each closed form against its rate per epoch worked out by hand, the plateau rule through a
// sequence of metrics, the state round trip (generated once over the schedule kinds), and the errors.
//
// Rates here are powers of 1/2 of base 1 (exact in float), so they are compared exactly.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "nn/schedule.hpp"
#include "nn/sgd.hpp"
#include "ops/error.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace bdata = boost::unit_test::data;

namespace {
// An SGD optimizer with rate `lr` over one scalar parameter, for schedules to drive.
struct Driven {
  nn::Parameter p{"p", Shape{1}};
  nn::SGD sgd;
  explicit Driven(float lr) : sgd({&p}, {.lr = lr}) {}
};

// The rate of epochs 0, 1, …, n − 1: the rate before any step(), then after each.
std::vector<float> rates(nn::LrSchedule& s, int n) {
  std::vector<float> out{s.optimizer().learning_rate()};
  while (static_cast<int>(out.size()) < n) {
    s.step();
    out.push_back(s.optimizer().learning_rate());
  }
  return out;
}

struct ScheduleKind {
  std::string name;
  std::function<std::unique_ptr<nn::LrSchedule>(nn::Optimizer&)> make;
};
std::ostream& operator<<(std::ostream& out, const ScheduleKind& k) { return out << k.name; }
std::vector<ScheduleKind> schedule_kinds() {
  return {
      {"step", [](nn::Optimizer& o) { return std::make_unique<nn::StepDecay>(o, 2, 0.5); }},
      {"exponential", [](nn::Optimizer& o) { return std::make_unique<nn::ExponentialDecay>(o, 0.9); }},
      {"constant_then_decay", [](nn::Optimizer& o) { return std::make_unique<nn::ConstantThenDecay>(o, 3, 1 / 1.2); }},
      {"plateau",
       [](nn::Optimizer& o) {
         return std::make_unique<nn::ReduceOnPlateau>(o, nn::PlateauOptions{.factor = 0.5, .patience = 1});
       }},
  };
}
// Validation losses that improve, stall and improve again (so the plateau schedule cuts at least once).
const std::vector<double> kMetrics = {5.0, 4.0, 4.0, 4.0, 3.0, 3.5, 3.5, 2.0, 2.0, 2.0};
}  // namespace

BOOST_AUTO_TEST_SUITE(schedule)

// ×0.5 every 2 epochs: factor(e) = 0.5^⌊e/2⌋ → epochs 0…6: 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125
BOOST_AUTO_TEST_CASE(step_decay_by_hand) {
  Driven d(1.0f);
  nn::StepDecay s(d.sgd, 2, 0.5);
  BOOST_TEST(rates(s, 7) == (std::vector<float>{1, 1, 0.5, 0.5, 0.25, 0.25, 0.125}), boost::test_tools::per_element());
  BOOST_TEST(s.epoch() == 6);
  BOOST_TEST(s.learning_rate_at(6) == 0.125f);
  BOOST_TEST(s.learning_rate_at(8) == 0.0625f);
}

// ×0.5 every epoch: 1, 0.5, 0.25, 0.125
BOOST_AUTO_TEST_CASE(exponential_by_hand) {
  Driven d(1.0f);
  nn::ExponentialDecay s(d.sgd, 0.5);
  BOOST_TEST(rates(s, 4) == (std::vector<float>{1, 0.5, 0.25, 0.125}), boost::test_tools::per_element());
}

// Zaremba et al.'s small model: lr 1 for 4 epochs, then halved every epoch: epochs 0…6 (their epochs 1…7):
// 1, 1, 1, 1, 0.5, 0.25, 0.125
BOOST_AUTO_TEST_CASE(constant_then_decay_by_hand) {
  Driven d(1.0f);
  nn::ConstantThenDecay s(d.sgd, 4, 0.5);
  BOOST_TEST(rates(s, 7) == (std::vector<float>{1, 1, 1, 1, 0.5, 0.25, 0.125}), boost::test_tools::per_element());
  // E = 1 is ExponentialDecay: 1, 0.5, 0.25
  Driven d1(1.0f);
  nn::ConstantThenDecay s1(d1.sgd, 1, 0.5);
  BOOST_TEST(rates(s1, 3) == (std::vector<float>{1, 0.5, 0.25}), boost::test_tools::per_element());
}

// factor 0.5, patience 1, threshold 0.1 (relative), min_lr 0.3, from rate 1. "needs" = best − 0.1·|best|.
//   metric 10    first metric improves on +∞:     best 10, bad 0                        rate 1
//   metric 9.5   needs < 9: no                   bad 1 (≤ patience)                     rate 1
//   metric 9.2   no                               bad 2 > 1: cut to max(0.5, 0.3), bad 0 rate 0.5
//   metric 8     < 9: yes                         best 8, bad 0                         rate 0.5
//   metric NaN   never an improvement             bad 1                                 rate 0.5
//   metric 7.5   needs < 7.2: no                 bad 2: cut to max(0.25, 0.3) = 0.3     rate 0.3
//   metric 8     no                               bad 1                                 rate 0.3
//   metric 8     no                               bad 2: max(0.15, 0.3) = 0.3, no change rate 0.3
BOOST_AUTO_TEST_CASE(plateau_by_hand) {
  Driven d(1.0f);
  nn::ReduceOnPlateau s(d.sgd, {.factor = 0.5, .patience = 1, .threshold = 0.1, .min_lr = 0.3});
  const std::vector<double> metrics = {10, 9.5, 9.2, 8, std::nan(""), 7.5, 8, 8};
  const std::vector<float> want_rate = {1, 1, 0.5f, 0.5f, 0.5f, 0.3f, 0.3f, 0.3f};
  const std::vector<double> want_best = {10, 10, 10, 8, 8, 8, 8, 8};
  const std::vector<int> want_bad = {0, 1, 0, 0, 1, 0, 1, 0};
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    s.step(metrics[i]);
    BOOST_TEST(d.sgd.learning_rate() == want_rate[i], "epoch " << i + 1);
    BOOST_TEST(s.best() == want_best[i], "epoch " << i + 1);
    BOOST_TEST(s.bad_epochs() == want_bad[i], "epoch " << i + 1);
  }
  BOOST_CHECK_THROW(s.step(), UsageError);  // the plateau rule needs the metric
  BOOST_TEST(s.epoch() == 8);               // and the refused call did not count an epoch
}

// For a negative best, "better by 10%" means below best − 0.1·|best|: from −10, −9.5 is worse and −10.5 not enough
// (PyTorch's best·(1 − threshold) = −9 would count both as improvements).
BOOST_AUTO_TEST_CASE(plateau_threshold_with_negative_metrics) {
  Driven d(1.0f);
  nn::ReduceOnPlateau s(d.sgd, {.factor = 0.5, .patience = 5, .threshold = 0.1});
  s.step(-10.0);
  s.step(-9.5);
  BOOST_TEST(s.best() == -10.0);
  BOOST_TEST(s.bad_epochs() == 1);
  s.step(-10.5);
  BOOST_TEST(s.bad_epochs() == 2);
  s.step(-11.5);
  BOOST_TEST(s.best() == -11.5);
  BOOST_TEST(s.bad_epochs() == 0);
}

// Generated once per schedule kind: run 4 epochs, save state(), restore it into a fresh schedule over a fresh
// optimizer whose rate is set as the checkpoint would set it; both then give the same rates and states.
BOOST_DATA_TEST_CASE(state_round_trip_continues_identically, bdata::make(schedule_kinds()), kind) {
  Driven a(0.8f);
  auto sa = kind.make(a.sgd);
  for (int e = 0; e < 4; ++e) sa->step(kMetrics[e]);
  const nn::LrSchedule::State saved = sa->state();
  BOOST_TEST(saved.at("kind") == kind.name);

  Driven b(0.123f);  // another base rate: load_state must restore base_lr too
  auto sb = kind.make(b.sgd);
  sb->load_state(saved);
  b.sgd.set_learning_rate(a.sgd.learning_rate());
  BOOST_TEST(sb->epoch() == 4);
  BOOST_TEST(sb->state() == saved);
  for (std::size_t e = 4; e < kMetrics.size(); ++e) {
    sa->step(kMetrics[e]);
    sb->step(kMetrics[e]);
    BOOST_TEST(a.sgd.learning_rate() == b.sgd.learning_rate(), kind.name << " epoch " << e + 1);
  }
  BOOST_TEST(sa->state() == sb->state());
  BOOST_TEST(a.sgd.learning_rate() < 0.8f);  // every kind has decayed by now
}

BOOST_AUTO_TEST_CASE(bad_state_is_refused_and_changes_nothing) {
  Driven d(1.0f);
  nn::ReduceOnPlateau s(d.sgd, {});
  s.step(3.0);
  const nn::LrSchedule::State good = s.state();
  auto with = [&](const std::string& key, const std::string& value) {
    nn::LrSchedule::State st = good;
    st[key] = value;
    return st;
  };
  auto without = [&](const std::string& key) {
    nn::LrSchedule::State st = good;
    st.erase(key);
    return st;
  };
  BOOST_TEST(contains(error_of<UsageError>([&] { s.load_state(with("kind", "step")); }), "'step'"));
  BOOST_TEST(contains(error_of<UsageError>([&] { s.load_state(with("epoch", "-1")); }), "epoch"));
  BOOST_TEST(contains(error_of<UsageError>([&] { s.load_state(with("epoch", "2x")); }), "epoch"));
  BOOST_TEST(contains(error_of<UsageError>([&] { s.load_state(with("base_lr", "nan")); }), "base_lr"));
  BOOST_TEST(contains(error_of<UsageError>([&] { s.load_state(with("best", "")); }), "best"));
  BOOST_TEST(contains(error_of<UsageError>([&] { s.load_state(without("bad_epochs")); }), "bad_epochs"));
  BOOST_TEST(s.epoch() == 1);
  BOOST_TEST(s.best() == 3.0);
  BOOST_TEST((s.state() == good));
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  Driven d(1.0f);
  BOOST_CHECK_THROW(nn::StepDecay(d.sgd, 0, 0.5), UsageError);
  BOOST_CHECK_THROW(nn::StepDecay(d.sgd, 1, 0.0), UsageError);
  BOOST_CHECK_THROW(nn::ExponentialDecay(d.sgd, 1.5), UsageError);
  BOOST_CHECK_THROW(nn::ExponentialDecay(d.sgd, std::nan("")), UsageError);
  BOOST_CHECK_THROW(nn::ConstantThenDecay(d.sgd, 0, 0.5), UsageError);
  BOOST_CHECK_THROW(nn::ReduceOnPlateau(d.sgd, {.factor = 1.0}), UsageError);
  BOOST_CHECK_THROW(nn::ReduceOnPlateau(d.sgd, {.patience = -1}), UsageError);
  BOOST_CHECK_THROW(nn::ReduceOnPlateau(d.sgd, {.threshold = -0.1}), UsageError);
  BOOST_CHECK_THROW(nn::ReduceOnPlateau(d.sgd, {.min_lr = -1.0}), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
