// nn::clip_and_step against what it replaces, clip_grad_norm followed by Optimizer::step: the same norms, parameters
// and optimizer state bit for bit — plain SGD (which folds the clipping factor into its update) on a packed model and
// on an unpacked parameter list, SGD with momentum and Adam (which scale, then update), clipping active or not — and
// a non-finite gradient norm makes no update. A hand-worked case checks the arithmetic itself.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/clip.hpp"
#include "nn/clip_step.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"
#include "ops/error.hpp"
#include "bit_equal.hpp"
#include "lookup_net.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace bdata = boost::unit_test::data;
using autograd::Tape;
using autograd::Var;

namespace {

// Embedding 40 × 5 (row-sparse gradient: only looked-up rows) → Linear 5 → 11 → cross-entropy over 11 classes.
// Sizes 200, 55, 11: no multiple of a SIMD width, so vector loops end in scalar tails at different places.
class Net : public LookupNet {
 public:
  explicit Net(std::uint64_t seed) : LookupNet(seed, 40, 5, 11) {}
  // zero_grad through `optim`, forward on batch s, backward: leaves the gradients of step s.
  void gradients(nn::Optimizer& optim, int s) {
    Rng rng(500 + static_cast<std::uint64_t>(s));
    std::vector<std::int32_t> ids, targets;
    for (int i = 0; i < 7; ++i) {
      ids.push_back(static_cast<std::int32_t>(rng.uniform_int(40)));
      targets.push_back(static_cast<std::int32_t>(rng.uniform_int(11)));
    }
    optim.zero_grad();
    Tape tape;
    tape.backward(loss(tape, ids, targets));
  }
};

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct Setting {
  const char* name;
  bool packed;
  std::function<std::unique_ptr<nn::Optimizer>(std::vector<nn::Parameter*>)> make;
};
std::ostream& operator<<(std::ostream& os, const Setting& s) { return os << s.name; }

std::vector<Setting> settings() {
  const auto sgd = [](std::vector<nn::Parameter*> p) -> std::unique_ptr<nn::Optimizer> {
    return std::make_unique<nn::SGD>(std::move(p), nn::SGDOptions{.lr = 1.0f});
  };
  const auto momentum = [](std::vector<nn::Parameter*> p) -> std::unique_ptr<nn::Optimizer> {
    return std::make_unique<nn::SGD>(std::move(p), nn::SGDOptions{.lr = 0.3f, .momentum = 0.9f});
  };
  const auto decay = [](std::vector<nn::Parameter*> p) -> std::unique_ptr<nn::Optimizer> {
    return std::make_unique<nn::SGD>(std::move(p), nn::SGDOptions{.lr = 0.3f, .weight_decay = 0.01f});
  };
  const auto adam = [](std::vector<nn::Parameter*> p) -> std::unique_ptr<nn::Optimizer> {
    return std::make_unique<nn::Adam>(std::move(p), nn::AdamOptions{.lr = 0.01f});
  };
  return {{"sgd packed", true, sgd},           {"sgd unpacked", false, sgd},
          {"momentum packed", true, momentum}, {"weight decay unpacked", false, decay},
          {"adam packed", true, adam},         {"adam unpacked", false, adam}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(clip_and_step)

// 10 steps of twin models, one trained by clip_and_step, the other by clip_grad_norm + step: the same norms,
// parameters and state bit for bit. max_norm 0.5 clips some steps and not others (both branches are checked to occur).
BOOST_DATA_TEST_CASE(fused_equals_composed_bit_for_bit, bdata::make(settings()), setting) {
  Net fused(21), composed(21);
  if (setting.packed) {
    fused.pack_parameters();
    composed.pack_parameters();
  }
  auto of = setting.make(fused.parameters());
  auto oc = setting.make(composed.parameters());
  BOOST_TEST_REQUIRE((of->block() != nullptr) == setting.packed);  // the path under test is the one named
  const double max_norm = 0.5;
  int clipped = 0, unclipped = 0;
  for (int s = 0; s < 10; ++s) {
    fused.gradients(*of, s);
    composed.gradients(*oc, s);
    const double nf = nn::clip_and_step(*of, max_norm);
    const double nc = nn::clip_grad_norm(oc->parameters(), max_norm);
    oc->step();
    BOOST_TEST_REQUIRE(same_bits(nf, nc), "step " << s << ": norm " << nf << " vs " << nc);
    (nf > max_norm ? clipped : unclipped) += 1;
    BOOST_TEST_REQUIRE(same_parameters(fused, composed), "step " << s);
    BOOST_TEST_REQUIRE(same_state(*of, *oc), "step " << s);
    BOOST_TEST_REQUIRE(of->step_count() == oc->step_count());
  }
  BOOST_TEST(clipped > 0);
  BOOST_TEST(unclipped > 0);
  Net initial(21);  // and the parameters did move: comparing two unchanged models would pass too
  BOOST_TEST(!same_parameters(fused, initial));
}

// Plain SGD really takes the fused path: after a clipped step its gradients are the raw ones (clipping did not write
// them), while the composed twin's are scaled. The parameters agree all the same.
BOOST_AUTO_TEST_CASE(plain_sgd_leaves_the_gradients_unscaled) {
  Net fused(22), composed(22), raw(22);
  fused.pack_parameters();
  composed.pack_parameters();
  nn::SGD of(fused.parameters(), {.lr = 1.0f}), oc(composed.parameters(), {.lr = 1.0f}),
      oraw(raw.parameters(), {.lr = 1.0f});
  fused.gradients(of, 0);
  composed.gradients(oc, 0);
  raw.gradients(oraw, 0);
  const double norm = nn::clip_and_step(of, 0.01);
  BOOST_TEST_REQUIRE(norm > 0.01);
  nn::clip_grad_norm(oc.parameters(), 0.01);
  oc.step();
  BOOST_TEST(same_parameters(fused, composed));
  const auto pf = fused.parameters(), pc = composed.parameters(), pr = raw.parameters();
  for (std::size_t k = 0; k < pf.size(); ++k) {
    BOOST_TEST(same_bits(std::as_const(*pf[k]).grad().span(), std::as_const(*pr[k]).grad().span()), pf[k]->name());
    BOOST_TEST(!same_bits(std::as_const(*pf[k]).grad().span(), std::as_const(*pc[k]).grad().span()), pf[k]->name());
  }
}

// A gradient holding inf or NaN: the norm is returned as it is, nothing is updated and the step count stays; with
// error_if_nonfinite the call throws instead.
BOOST_DATA_TEST_CASE(a_non_finite_norm_makes_no_update, bdata::make(settings()), setting) {
  for (const float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    Net net(23), twin(23);
    if (setting.packed) net.pack_parameters();
    auto optim = setting.make(net.parameters());
    net.gradients(*optim, 0);
    optim->parameters().back()->grad().data()[3] = bad;
    const double norm = nn::clip_and_step(*optim, 5.0);
    BOOST_TEST(!std::isfinite(norm));
    BOOST_TEST(std::isnan(norm) == std::isnan(bad));
    BOOST_TEST(optim->step_count() == 0);
    BOOST_TEST(same_parameters(net, twin));
    BOOST_CHECK_THROW(nn::clip_and_step(*optim, 5.0, true), Error);
    BOOST_TEST(same_parameters(net, twin));
  }
}

// By hand: p = (1, 2), g = (3, 4), ‖g‖ = 5, max_norm 1, lr 0.5: g is scaled to (0.6, 0.8) (up to the 10⁻⁶ in the
// divisor) and p becomes (1 − 0.3, 2 − 0.4) = (0.7, 1.6). Below the bound (max_norm 10) the step is the plain one:
// (1 − 1.5, 2 − 2) = (−0.5, 0).
BOOST_AUTO_TEST_CASE(hand_worked_step) {
  for (const bool clipping : {true, false}) {
    TinyLinear lin(1, 2);  // W (1×2) and b (2); only W is used
    lin.W.value().data()[0] = 1.0f;
    lin.W.value().data()[1] = 2.0f;
    lin.W.grad().data()[0] = 3.0f;
    lin.W.grad().data()[1] = 4.0f;
    nn::SGD sgd({&lin.W}, {.lr = 0.5f});
    const double norm = nn::clip_and_step(sgd, clipping ? 1.0 : 10.0);
    BOOST_TEST(norm == 5.0);
    BOOST_TEST(sgd.step_count() == 1);
    const float* p = lin.W.value().data();
    BOOST_TEST(p[0] == (clipping ? 0.7f : -0.5f), boost::test_tools::tolerance(1e-5f));
    BOOST_TEST(p[1] == (clipping ? 1.6f : 0.0f), boost::test_tools::tolerance(1e-5f));
  }
}

BOOST_AUTO_TEST_CASE(rejects_a_bad_max_norm) {
  Net net(24);
  nn::SGD sgd(net.parameters(), {.lr = 1.0f});
  net.gradients(sgd, 0);
  for (const double bad : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN()}) {
    const std::string msg = error_of<UsageError>([&] { nn::clip_and_step(sgd, bad); });
    BOOST_TEST(contains(msg, "clip_and_step"), msg);
    BOOST_TEST(contains(msg, "max_norm"), msg);
  }
  BOOST_TEST(sgd.step_count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
