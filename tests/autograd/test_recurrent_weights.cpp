// recurrent_weights: a run of fused cells that sums W_hh's gradient over chunks of steps must give the gradient of
// the same run with W_hh read directly (each step adding its own share), for every cell, every chunk size, and the
// irregular orders a reverse pass can take (steps no gradient reaches, a chunk whose first step does not run), and
// must pass the central-difference check.
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "autograd/autograd.hpp"
#include "ops/error.hpp"
#include "ops/gemm.hpp"
#include "support/random.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using tapegrad::testing::uniform_tensor;

namespace {

constexpr index_t kSteps = 7, kRows = 3, kHidden = 4;

enum class Kind { LSTM, GRU, GRUResetAfter, RNN };
const Kind kKinds[] = {Kind::LSTM, Kind::GRU, Kind::GRUResetAfter, Kind::RNN};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::LSTM:
      return "lstm";
    case Kind::GRU:
      return "gru";
    case Kind::GRUResetAfter:
      return "gru_reset_after";
    case Kind::RNN:
      return "rnn";
  }
  return "?";
}
index_t gates(Kind k) { return k == Kind::LSTM ? 4 : k == Kind::RNN ? 1 : 3; }

// The run's operands: xw (T × B × G·H), h0, W_hh, then c0 (LSTM) or b_hn (GRU, reset after); and how the loss
// reads the hidden states.
struct Run {
  Kind kind;
  std::vector<Tensor> inputs;  // xw, h0, W_hh[, c0 | b_hn]
  std::vector<index_t> read;   // steps whose h enters the loss (Σ of w_t ⊙ h_t)
  index_t detach_after = -1;   // the state after this step is detached before the next step (−1: never)
};

Run make_run(Kind kind, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const index_t G = gates(kind) * kHidden;
  Run r{kind, {}, {}, -1};
  r.inputs.push_back(uniform_tensor(Shape{kSteps, kRows, G}, rng, -1, 1));
  r.inputs.push_back(uniform_tensor(Shape{kRows, kHidden}, rng, -1, 1));
  r.inputs.push_back(uniform_tensor(Shape{kHidden, G}, rng, -0.8f, 0.8f));
  if (kind == Kind::LSTM) r.inputs.push_back(uniform_tensor(Shape{kRows, kHidden}, rng, -1, 1));
  if (kind == Kind::GRUResetAfter) r.inputs.push_back(uniform_tensor(Shape{kHidden}, rng, -0.5f, 0.5f));
  for (index_t t = 0; t < kSteps; ++t) r.read.push_back(t);
  return r;
}

// Records the run on `tape` from leaves v (as make_run orders them); chunk 0 reads W_hh directly.
Var record(const Run& r, Tape& tape, std::span<const Var> v, index_t chunk) {
  const Var W = chunk > 0 ? recurrent_weights(v[2], kRows, chunk) : v[2];
  Var h = v[1], c = r.kind == Kind::LSTM ? v[3] : Var{};
  std::vector<Var> terms;
  std::mt19937 rng(99);
  for (index_t t = 0; t < kSteps; ++t) {
    const Var xw = select(v[0], t);
    switch (r.kind) {
      case Kind::LSTM: {
        const Var s = lstm_cell_projected(xw, h, c, W);
        h = select(s, 0);
        c = select(s, 1);
        break;
      }
      case Kind::GRU:
        h = gru_cell_projected(xw, h, W);
        break;
      case Kind::GRUResetAfter:
        h = gru_cell_reset_after_projected(xw, h, W, v[3]);
        break;
      case Kind::RNN:
        h = rnn_cell_projected(xw, h, W);
        break;
    }
    if (std::find(r.read.begin(), r.read.end(), t) != r.read.end())
      terms.push_back(sum(mul(h, tape.constant(uniform_tensor(h.shape(), rng, -1, 1)))));
    if (t == r.detach_after) {
      h = detach(h);
      if (!c.is_null()) c = detach(c);
    }
  }
  Var loss = terms[0];
  for (std::size_t k = 1; k < terms.size(); ++k) loss = add(loss, terms[k]);
  return loss;
}

// The gradients of every operand, summed over `passes` backward calls on the same tape.
std::vector<Tensor> gradients(const Run& r, index_t chunk, bool lean = false, int passes = 1) {
  Tape tape;
  tape.set_lean(lean);
  std::vector<Var> v;
  for (const Tensor& x : r.inputs) v.push_back(tape.variable(x));
  const Var loss = record(r, tape, v, chunk);
  std::vector<Tensor> sums;
  for (int p = 0; p < passes; ++p) {
    tape.backward(loss);
    for (std::size_t k = 0; k < v.size(); ++k) {
      // an operand the loss does not depend on (h0 behind a detach) has none: zero
      Tensor g = tape.node(v[k]).grad ? Tensor(tape.grad(v[k])) : Tensor(v[k].shape());
      if (p == 0)
        sums.push_back(g);
      else
        for (index_t i = 0; i < g.numel(); ++i) sums[k].data()[i] += g.data()[i];
    }
  }
  return sums;
}

void expect_close(const std::vector<Tensor>& got, const std::vector<Tensor>& want, const std::string& what) {
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    double worst = 0;
    for (index_t i = 0; i < got[k].numel(); ++i) {
      const double a = got[k].data()[i], b = want[k].data()[i];
      worst = std::max(worst, std::abs(a - b) / (1e-5 + std::abs(b)));
    }
    BOOST_TEST(worst < 1e-4, what << ": operand " << k << " differs by " << worst << " (relative)");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recurrent_weights_suite)

// Every chunk size, from one step per product to more steps than the run has, against the step-by-step sum.
BOOST_AUTO_TEST_CASE(chunked_sums_equal_the_step_by_step_sum) {
  for (Kind kind : kKinds) {
    const Run r = make_run(kind, 5);
    const std::vector<Tensor> want = gradients(r, 0);
    for (index_t chunk : {1, 2, 3, 4, 7, 10}) {
      const std::string what = std::string(kind_name(kind)) + ", chunk " + std::to_string(chunk);
      expect_close(gradients(r, chunk), want, what);
      expect_close(gradients(r, chunk, true), want, what + ", lean");
    }
  }
}

// The W_hh gradient actually changes through the deferred path: a run whose chunks were never added would leave
// gW = Σ of the GRU's per-step U_n share only, or zero — far from the reference.
BOOST_AUTO_TEST_CASE(the_reference_gradient_is_not_trivial) {
  for (Kind kind : kKinds) {
    const std::vector<Tensor> g = gradients(make_run(kind, 5), 0);
    double norm = 0;
    for (index_t i = 0; i < g[2].numel(); ++i) norm += std::abs(g[2].data()[i]);
    BOOST_TEST(norm > 0.1, kind_name(kind));
  }
}

// The loss reads only early steps: the later steps get no gradient and never run their rules, so chunks end early
// or are never touched.
BOOST_AUTO_TEST_CASE(steps_without_gradient_are_left_out) {
  for (Kind kind : kKinds) {
    Run r = make_run(kind, 8);
    r.read = {1, 4};
    const std::vector<Tensor> want = gradients(r, 0);
    for (index_t chunk : {2, 3, 4})
      expect_close(gradients(r, chunk), want, std::string(kind_name(kind)) + ", read 1 and 4, chunk " +
                                                  std::to_string(chunk));
  }
}

// A state detached after step 3: step 3 gets no gradient (nothing reads its output but the detach), so with chunks
// of 3 the chunk of steps 3–5 loses its first step, which would have added it; step 2 (another chunk) must add it
// before using the ring, and a detach after step 0 leaves the node's own rule to add the last chunk.
BOOST_AUTO_TEST_CASE(chunks_whose_first_step_does_not_run) {
  for (Kind kind : kKinds)
    for (index_t cut : {0, 3}) {
      Run r = make_run(kind, 13);
      r.read = {0, 2, 5, 6};
      r.detach_after = cut;
      if (cut == 0) r.read = {5, 6};  // only steps 1 … 6 run; step 1 is not a chunk's first
      const std::vector<Tensor> want = gradients(r, 0);
      for (index_t chunk : {2, 3})
        expect_close(gradients(r, chunk), want,
                     std::string(kind_name(kind)) + ", detached after " + std::to_string(cut) + ", chunk " +
                         std::to_string(chunk));
    }
}

// Two backward passes over one tape: each pass adds the same gradient again (variables' gradients are the pass's
// own, so the sum of two reads is twice one).
BOOST_AUTO_TEST_CASE(a_second_backward_pass_starts_clean) {
  for (Kind kind : kKinds) {
    const Run r = make_run(kind, 21);
    std::vector<Tensor> twice = gradients(r, 0);
    for (Tensor& t : twice)
      for (index_t i = 0; i < t.numel(); ++i) t.data()[i] *= 2;
    expect_close(gradients(r, 3, false, 2), twice, std::string(kind_name(kind)) + ", two passes");
  }
}

// Central differences through a chunked run.
BOOST_AUTO_TEST_CASE(gradcheck_through_chunks) {
  for (Kind kind : kKinds) {
    const Run r = make_run(kind, 3);
    GradcheckResult g = gradcheck([&](Tape& tape, std::span<const Var> v) { return record(r, tape, v, 3); }, r.inputs);
    BOOST_TEST(g.passed, kind_name(kind) << ": " << g.report);
    BOOST_TEST(g.checked > 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_step_of_other_rows_is_refused) {
  Tape tape;
  std::mt19937 rng(1);
  const Var W = tape.variable(uniform_tensor(Shape{kHidden, kHidden}, rng));
  const Var run = recurrent_weights(W, kRows, 2);
  const Var xw = tape.variable(uniform_tensor(Shape{kRows + 1, kHidden}, rng));
  const Var h = tape.variable(uniform_tensor(Shape{kRows + 1, kHidden}, rng));
  BOOST_CHECK_EXCEPTION(rnn_cell_projected(xw, h, run), ShapeError, [](const ShapeError& e) {
    const std::string m = e.what();
    return m.find("rnn_cell") != std::string::npos && m.find("3 rows") != std::string::npos &&
           m.find("has 4") != std::string::npos;
  });
  BOOST_CHECK_THROW(recurrent_weights(W, 0, 2), UsageError);
  BOOST_CHECK_THROW(recurrent_weights(tape.variable(uniform_tensor(Shape{8}, rng)), 2, 2), ShapeError);
}

// Without a gradient to compute (grad mode off) the node is a copy of W and the cells run as usual.
BOOST_AUTO_TEST_CASE(without_gradients_it_is_a_plain_copy) {
  Tape tape;
  std::mt19937 rng(2);
  const Tensor w = uniform_tensor(Shape{kHidden, kHidden}, rng);
  const Var W = tape.variable(w);
  NoGradGuard off(tape);
  const Var run = recurrent_weights(W, kRows, 2);
  const ConstTensorView v = run.value();
  for (index_t i = 0; i < w.numel(); ++i) BOOST_TEST(v.data[i] == w.data()[i]);
  BOOST_TEST(!tape.node(run).requires_grad);
}

// The chunk for a run: at least 2·kc rows per product, as even as possible, never more than the run.
BOOST_AUTO_TEST_CASE(chunk_steps_from_the_gemm_k_step) {
  const ops::GemmBlocking saved = ops::gemm_blocking();
  ops::GemmBlocking b = saved;
  b.kc = 320;
  ops::set_gemm_blocking(b);
  BOOST_TEST(recurrent_chunk_steps(35, 20) == 18);  // 700 rows, 640 a product → 2 products: 18 + 17 steps
  BOOST_TEST(recurrent_chunk_steps(35, 64) == 9);   // 2240 rows → 4 products of 9, 9, 9, 8 steps
  BOOST_TEST(recurrent_chunk_steps(10, 64) == 10);  // 640 rows: one product
  BOOST_TEST(recurrent_chunk_steps(3, 1) == 3);
  b.kc = 16;
  ops::set_gemm_blocking(b);
  BOOST_TEST(recurrent_chunk_steps(35, 20) == 2);  // 32 rows a product → 22 products, chunks of 2 steps
  ops::set_gemm_blocking(saved);
}

BOOST_AUTO_TEST_SUITE_END()
