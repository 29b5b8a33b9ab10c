// Whole graphs: a 2-layer MLP, a tanh RNN unrolled by hand (backpropagation through time with no special code),
// and a 10,000-step chain (the reverse pass is a loop, not a recursion).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "autograd/autograd.hpp"
#include "ops/parallel.hpp"
#include "support/random.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using tapegrad::testing::random_ids;
using tapegrad::testing::uniform_tensor;

BOOST_AUTO_TEST_SUITE(graphs)

// logits = tanh(x W1 + b1) W2 + b2; loss = cross_entropy(logits, targets)
BOOST_AUTO_TEST_CASE(two_layer_mlp_gradients) {
  std::mt19937 rng(31);
  const index_t batch = 5, in = 7, hidden = 9, classes = 4;
  std::vector<Tensor> params = {uniform_tensor(Shape{in, hidden}, rng), uniform_tensor(Shape{hidden}, rng),
                                uniform_tensor(Shape{hidden, classes}, rng), uniform_tensor(Shape{classes}, rng)};
  Tensor x = uniform_tensor(Shape{batch, in}, rng);
  std::vector<std::int32_t> targets = random_ids(batch, classes, rng);
  auto mlp = [&](Tape& tape, std::span<const Var> p) {
    Var h = tanh(add_bias(matmul(tape.constant(x), p[0]), p[1]));
    return cross_entropy(add_bias(matmul(h, p[2]), p[3]), targets);
  };
  GradcheckResult r = gradcheck(mlp, params);
  BOOST_TEST(r.passed, r.report);
  BOOST_TEST(r.checked == static_cast<std::size_t>(in * hidden + hidden + hidden * classes + classes));
}

// h_t = tanh(h_{t−1} W_h + x_t W_x + b),  J = Σ_t Σ(h_t ⊙ V_t), over 6 steps. The tape's gradients must equal a
// hand-written BPTT in double precision, and ∂J/∂W_h must be the sum over time steps of h_{t−1}ᵀ ∂J/∂a_t.
BOOST_AUTO_TEST_CASE(tanh_rnn_by_hand_matches_manual_bptt) {
  std::mt19937 rng(32);
  const int steps = 6;
  const index_t B = 2, H = 3, X = 4;
  Tensor wh = uniform_tensor(Shape{H, H}, rng), wx = uniform_tensor(Shape{X, H}, rng),
         b = uniform_tensor(Shape{H}, rng);
  Tensor gwh(Shape{H, H}), gwx(Shape{X, H}), gb(Shape{H});
  std::vector<Tensor> xs, vs;
  for (int t = 0; t < steps; ++t) {
    xs.push_back(uniform_tensor(Shape{B, X}, rng));
    vs.push_back(uniform_tensor(Shape{B, H}, rng));
  }

  // The tape: the same weight node used at every step.
  Tape tape;
  Var Wh = tape.parameter(wh, gwh, "W_h"), Wx = tape.parameter(wx, gwx, "W_x"), bias = tape.parameter(b, gb, "b");
  Var h = tape.constant(Tensor(Shape{B, H}));
  std::vector<Var> hs = {h}, pre;
  Var J;
  for (int t = 0; t < steps; ++t) {
    ScopeGuard scope(tape, "t=" + std::to_string(t));
    Var a = add_bias(add(matmul(h, Wh), matmul(tape.constant(xs[t]), Wx)), bias);
    tape.retain_grad(a);
    pre.push_back(a);
    h = tanh(a);
    hs.push_back(h);
    Var term = sum(mul(h, tape.constant(vs[t])));
    J = t == 0 ? term : add(J, term);
  }
  tape.backward(J);

  // By hand, in double: forward, then the BPTT recursion.
  auto at = [](const Tensor& m, index_t r, index_t c) { return static_cast<double>(m.at(r, c)); };
  std::vector<std::vector<double>> hd(steps + 1, std::vector<double>(B * H, 0.0));
  for (int t = 0; t < steps; ++t)
    for (index_t r = 0; r < B; ++r)
      for (index_t j = 0; j < H; ++j) {
        double a = at(b, 0, j);
        for (index_t i = 0; i < H; ++i) a += hd[t][r * H + i] * at(wh, i, j);
        for (index_t i = 0; i < X; ++i) a += at(xs[t], r, i) * at(wx, i, j);
        hd[t + 1][r * H + j] = std::tanh(a);
      }
  std::vector<double> dWh(H * H, 0), dWx(X * H, 0), db(H, 0), dh_next(B * H, 0);
  for (int t = steps; t >= 1; --t) {
    std::vector<double> da(B * H), dh_prev(B * H, 0);
    for (index_t k = 0; k < B * H; ++k) {
      const double dh = at(vs[t - 1], k / H, k % H) + dh_next[k];
      da[k] = dh * (1 - hd[t][k] * hd[t][k]);
    }
    for (index_t r = 0; r < B; ++r)
      for (index_t j = 0; j < H; ++j) {
        const double d = da[r * H + j];
        db[j] += d;
        for (index_t i = 0; i < H; ++i) {
          dWh[i * H + j] += hd[t - 1][r * H + i] * d;
          dh_prev[r * H + i] += d * at(wh, i, j);
        }
        for (index_t i = 0; i < X; ++i) dWx[i * H + j] += at(xs[t - 1], r, i) * d;
      }
    dh_next = dh_prev;
  }
  const double tol = 1e-4;
  for (index_t k = 0; k < H * H; ++k) BOOST_TEST(std::abs(gwh[k] - dWh[k]) <= tol * (1 + std::abs(dWh[k])));
  for (index_t k = 0; k < X * H; ++k) BOOST_TEST(std::abs(gwx[k] - dWx[k]) <= tol * (1 + std::abs(dWx[k])));
  for (index_t k = 0; k < H; ++k) BOOST_TEST(std::abs(gb[k] - db[k]) <= tol * (1 + std::abs(db[k])));

  // The shared weight's gradient is the sum of one contribution per step: Σ_t h_{t−1}ᵀ ∂J/∂a_t.
  std::vector<double> per_step_sum(H * H, 0);
  for (int t = 0; t < steps; ++t) {
    ConstTensorView ga = tape.grad(pre[t]);
    ConstTensorView hp = hs[t].value();
    for (index_t r = 0; r < B; ++r)
      for (index_t i = 0; i < H; ++i)
        for (index_t j = 0; j < H; ++j) per_step_sum[i * H + j] += hp.at(r, i) * static_cast<double>(ga.at(r, j));
  }
  for (index_t k = 0; k < H * H; ++k) BOOST_TEST(std::abs(gwh[k] - per_step_sum[k]) <= 1e-5 * (1 + std::abs(dWh[k])));
}

// h_{t+1} = tanh(w · h_t) for 10,000 steps. dh_T/dw by forward-mode recursion in double:
//   d_t = (1 − h_t²)(h_{t−1} + w · d_{t−1})
BOOST_AUTO_TEST_CASE(ten_thousand_step_chain) {
  const int steps = 10000;
  Tensor w(Shape{1}, {1.05f}), gw(Shape{1});
  Tape tape;
  Var W = tape.parameter(w, gw, "w");
  Var h = tape.constant(Tensor(Shape{1}, {0.5f}));
  for (int t = 0; t < steps; ++t) h = tanh(mul(W, h));
  BOOST_TEST(tape.size() == static_cast<std::size_t>(2 + 2 * steps));
  tape.backward(h);

  double hd = 0.5, d = 0;
  for (int t = 0; t < steps; ++t) {
    const double next = std::tanh(1.05 * hd);
    d = (1 - next * next) * (hd + 1.05 * d);
    hd = next;
  }
  BOOST_TEST(std::abs(h.item() - hd) <= 1e-4 * std::abs(hd));
  BOOST_TEST(std::abs(gw[0] - d) <= 2e-3 * std::abs(d), "tape " << gw[0] << " vs by hand " << d);
  BOOST_TEST(std::abs(d) > 0.1);  // the chain really carries gradient all the way
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(determinism)

// The same graph, inputs and thread count give bit-identical values and gradients; sizes are above the kernels'
// OpenMP threshold so the threaded paths run. (The kernels also promise independence from the thread count.)
BOOST_AUTO_TEST_CASE(same_inputs_same_threads_bit_identical) {
  std::mt19937 rng(51);
  const index_t batch = 64, in = 256, vocab = 1000;
  Tensor x = uniform_tensor(Shape{batch, in}, rng), w = uniform_tensor(Shape{in, vocab}, rng);
  std::vector<std::int32_t> targets = random_ids(batch, static_cast<std::int32_t>(vocab), rng);
  auto run = [&](int threads) {
    ops::set_num_threads(threads);
    Tensor gw(w.shape());
    Tape tape;
    Var W = tape.parameter(w, gw, "W");
    Var logits = matmul(tanh(tape.constant(x)), W);
    Var loss = cross_entropy(logits, targets);
    tape.backward(loss);
    return std::make_pair(loss.item(), gw);
  };
  const int saved = ops::num_threads();
  for (int threads : {1, 2}) {
    auto [loss_a, grad_a] = run(threads);
    auto [loss_b, grad_b] = run(threads);
    BOOST_TEST(loss_a == loss_b);
    BOOST_TEST(std::memcmp(grad_a.data(), grad_b.data(), sizeof(float) * grad_a.numel()) == 0,
               "gradients differ between two runs with " << threads << " threads");
  }
  ops::set_num_threads(saved);
}

BOOST_AUTO_TEST_SUITE_END()
