// One gradient check per op: the tape's backward rule against central differences, on shapes with odd sizes
// (1, 3, 17, 33). A wrong backward rule fails here.
#include <boost/test/unit_test.hpp>
#include <random>
#include <vector>

#include "autograd/autograd.hpp"
#include "support/random.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using tapegrad::testing::away_from_zero;
using tapegrad::testing::random_ids;
using tapegrad::testing::uniform_tensor;

namespace {

const std::vector<Shape> kShapes = {Shape{1},     Shape{3},     Shape{17},     Shape{33},     Shape{3, 17},
                                    Shape{17, 3}, Shape{1, 33}, Shape{33, 33}, Shape{2, 3, 5}};

void expect_gradients_match(const GradcheckFunction& f, const std::vector<Tensor>& inputs, const std::string& what,
                            GradcheckOptions options = {}) {
  GradcheckResult r = gradcheck(f, inputs, options);
  BOOST_TEST(r.passed, what << ": " << r.report);
  BOOST_TEST(r.checked > 0u);
}

using Unary = Var (*)(Var);
using Binary = Var (*)(Var, Var);

void check_unary(Unary op, const char* name, float lo, float hi, bool away_from_0 = false) {
  std::mt19937 rng(7);
  for (const Shape& s : kShapes) {
    Tensor x = away_from_0 ? away_from_zero(s, rng, lo, hi) : uniform_tensor(s, rng, lo, hi);
    expect_gradients_match([op](Tape&, std::span<const Var> v) { return op(v[0]); }, {x},
                           std::string(name) + " " + s.str());
  }
}

void check_binary(Binary op, const char* name, bool b_away_from_zero = false) {
  std::mt19937 rng(11);
  for (const Shape& s : kShapes) {
    Tensor a = uniform_tensor(s, rng);
    Tensor b = b_away_from_zero ? away_from_zero(s, rng, 0.5f, 2.0f) : uniform_tensor(s, rng);
    expect_gradients_match([op](Tape&, std::span<const Var> v) { return op(v[0], v[1]); }, {a, b},
                           std::string(name) + " " + s.str());
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(op_gradients)

// add(a, b) = a + b
BOOST_AUTO_TEST_CASE(add_op) { check_binary(add, "add"); }
// sub(a, b) = a − b
BOOST_AUTO_TEST_CASE(sub_op) { check_binary(sub, "sub"); }
// mul(a, b) = a ⊙ b
BOOST_AUTO_TEST_CASE(mul_op) { check_binary(mul, "mul"); }
// div(a, b) = a ⊘ b, b kept away from its pole
BOOST_AUTO_TEST_CASE(div_op) { check_binary(div, "div", true); }
// neg(x) = −x
BOOST_AUTO_TEST_CASE(neg_op) { check_unary(neg, "neg", -1, 1); }
// tanh(x), fused
BOOST_AUTO_TEST_CASE(tanh_op) { check_unary(tanh, "tanh", -2, 2); }
// sigmoid(x), fused
BOOST_AUTO_TEST_CASE(sigmoid_op) { check_unary(sigmoid, "sigmoid", -3, 3); }
// relu(x), inputs kept away from the kink at 0
BOOST_AUTO_TEST_CASE(relu_op) { check_unary(relu, "relu", 0.1f, 2, true); }
// exp(x)
BOOST_AUTO_TEST_CASE(exp_op) { check_unary(exp, "exp", -1, 1); }
// log(x), x > 0
BOOST_AUTO_TEST_CASE(log_op) { check_unary(log, "log", 0.5f, 2); }
// sigmoid_composite(x) = 1 ⊘ (1 + exp(−x)), from primitives
BOOST_AUTO_TEST_CASE(sigmoid_composite_op) { check_unary(sigmoid_composite, "sigmoid_composite", -3, 3); }
// tanh_composite(x) = 2σ(2x) − 1, from primitives
BOOST_AUTO_TEST_CASE(tanh_composite_op) { check_unary(tanh_composite, "tanh_composite", -2, 2); }
// softmax(x) along the last dimension
BOOST_AUTO_TEST_CASE(softmax_op) { check_unary(softmax, "softmax", -2, 2); }
// log_softmax(x) along the last dimension
BOOST_AUTO_TEST_CASE(log_softmax_op) { check_unary(log_softmax, "log_softmax", -2, 2); }
// sum(x) → scalar
BOOST_AUTO_TEST_CASE(sum_op) { check_unary(sum, "sum", -1, 1); }
// mean(x) → scalar
BOOST_AUTO_TEST_CASE(mean_op) { check_unary(mean, "mean", -1, 1); }

// scale(x, α) = α·x
BOOST_AUTO_TEST_CASE(scale_op) {
  std::mt19937 rng(3);
  for (const Shape& s : kShapes)
    expect_gradients_match([](Tape&, std::span<const Var> v) { return scale(v[0], -2.5f); }, {uniform_tensor(s, rng)},
                           "scale " + s.str());
}

// add_scalar(x, c) = x + c
BOOST_AUTO_TEST_CASE(add_scalar_op) {
  std::mt19937 rng(4);
  for (const Shape& s : kShapes)
    expect_gradients_match([](Tape&, std::span<const Var> v) { return add_scalar(v[0], 0.75f); },
                           {uniform_tensor(s, rng)}, "add_scalar " + s.str());
}

// matmul(a, b, ta, tb) = op(a) · op(b), all four transpose combinations
BOOST_AUTO_TEST_CASE(matmul_op) {
  std::mt19937 rng(5);
  const index_t sizes[][3] = {{1, 1, 1}, {3, 17, 1}, {17, 3, 33}, {33, 1, 3}, {1, 33, 17}, {33, 17, 33}};
  for (const auto& mnk : sizes) {
    const index_t m = mnk[0], n = mnk[1], k = mnk[2];
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        Tensor a = uniform_tensor(ta ? Shape{k, m} : Shape{m, k}, rng);
        Tensor b = uniform_tensor(tb ? Shape{n, k} : Shape{k, n}, rng);
        expect_gradients_match([ta, tb](Tape&, std::span<const Var> v) { return matmul(v[0], v[1], ta, tb); }, {a, b},
                               "matmul m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                                   (ta ? " Aᵀ" : "") + (tb ? " Bᵀ" : ""));
      }
  }
}

// matmul of a rank-3 tensor (a batch of sequences) by a matrix
BOOST_AUTO_TEST_CASE(matmul_batched_rows) {
  std::mt19937 rng(6);
  Tensor a = uniform_tensor(Shape{2, 3, 5}, rng);
  Tensor b = uniform_tensor(Shape{5, 4}, rng);
  expect_gradients_match([](Tape&, std::span<const Var> v) { return matmul(v[0], v[1]); }, {a, b}, "matmul 2×3×5");
}

// add_bias(x, b): b broadcast over the rows of x
BOOST_AUTO_TEST_CASE(add_bias_op) {
  std::mt19937 rng(8);
  for (const Shape& s : kShapes) {
    Tensor x = uniform_tensor(s, rng);
    Tensor b = uniform_tensor(Shape{s.cols()}, rng);
    expect_gradients_match([](Tape&, std::span<const Var> v) { return add_bias(v[0], v[1]); }, {x, b},
                           "add_bias " + s.str());
  }
}

// linear(x, W, b) = x·W + b, and x·Wᵀ + b
BOOST_AUTO_TEST_CASE(linear_op) {
  std::mt19937 rng(21);
  for (const Shape& sx : {Shape{1, 3}, Shape{17, 3}, Shape{2, 3, 5}})
    for (bool tw : {false, true}) {
      const index_t in = sx.cols(), out = 33;
      Tensor x = uniform_tensor(sx, rng);
      Tensor w = uniform_tensor(tw ? Shape{out, in} : Shape{in, out}, rng);
      Tensor b = uniform_tensor(Shape{out}, rng);
      expect_gradients_match([tw](Tape&, std::span<const Var> v) { return linear(v[0], v[1], v[2], tw); }, {x, w, b},
                             "linear x=" + sx.str() + (tw ? " Wᵀ" : ""));
    }
}

// transpose(x) = xᵀ
BOOST_AUTO_TEST_CASE(transpose_op) {
  std::mt19937 rng(9);
  for (const Shape& s : {Shape{1, 1}, Shape{3, 17}, Shape{33, 1}, Shape{17, 33}})
    expect_gradients_match([](Tape&, std::span<const Var> v) { return transpose(v[0]); }, {uniform_tensor(s, rng)},
                           "transpose " + s.str());
}

// reshape(x, shape): same elements, new shape
BOOST_AUTO_TEST_CASE(reshape_op) {
  std::mt19937 rng(10);
  Tensor x = uniform_tensor(Shape{3, 17}, rng);
  expect_gradients_match(
      [](Tape&, std::span<const Var> v) {
        return tanh(reshape(v[0], Shape{17, 3}));
      },
      {x}, "reshape 3×17 → 17×3");
}

// concat({a, b, c}) along the last dimension
BOOST_AUTO_TEST_CASE(concat_op) {
  std::mt19937 rng(12);
  for (index_t rows : {1, 3, 17}) {
    std::vector<Tensor> parts = {uniform_tensor(Shape{rows, 1}, rng), uniform_tensor(Shape{rows, 17}, rng),
                                 uniform_tensor(Shape{rows, 3}, rng)};
    expect_gradients_match([](Tape&, std::span<const Var> v) { return concat(v); }, parts,
                           "concat rows=" + std::to_string(rows));
  }
}

// slice(x, begin, width) and split(x, widths)
BOOST_AUTO_TEST_CASE(slice_and_split_ops) {
  std::mt19937 rng(13);
  for (const Shape& s : {Shape{1, 33}, Shape{17, 33}, Shape{2, 3, 33}}) {
    Tensor x = uniform_tensor(s, rng);
    expect_gradients_match([](Tape&, std::span<const Var> v) { return slice(v[0], 3, 17); }, {x}, "slice " + s.str());
    // The parts recombined with different weights, so each part's gradient is checked.
    expect_gradients_match(
        [](Tape&, std::span<const Var> v) {
          std::vector<Var> p = split(v[0], {1, 17, 15});
          return concat({scale(p[2], 3.0f), p[0], tanh(p[1])});
        },
        {x}, "split " + s.str());
  }
}

// embedding(table, ids): repeated ids must accumulate
BOOST_AUTO_TEST_CASE(embedding_op) {
  std::mt19937 rng(14);
  for (index_t dim : {1, 3, 17}) {
    Tensor table = uniform_tensor(Shape{5, dim}, rng);
    std::vector<std::int32_t> ids = {4, 0, 4, 2, 4, 1};  // id 4 three times, id 3 never
    expect_gradients_match([ids](Tape&, std::span<const Var> v) { return embedding(v[0], ids); }, {table},
                           "embedding dim=" + std::to_string(dim));
  }
}

// where_rows(mask, a, b): each row's gradient goes to exactly the input the row came from
BOOST_AUTO_TEST_CASE(where_rows_op) {
  std::mt19937 rng(21);
  for (const Shape& s : {Shape{1, 1}, Shape{5, 3}, Shape{3, 17}, Shape{2, 3, 5}}) {
    std::vector<std::int32_t> mask(static_cast<std::size_t>(s.rows()));
    for (std::size_t r = 0; r < mask.size(); ++r) mask[r] = (r % 3 == 1) ? 0 : 1;  // mixed, and all-ones for 1 row
    expect_gradients_match([mask](Tape&, std::span<const Var> v) { return where_rows(mask, v[0], v[1]); },
                           {uniform_tensor(s, rng), uniform_tensor(s, rng)}, "where_rows " + s.str());
  }
}

// time_mean / time_max over each sequence's own steps (T × B × H, lengths differ; padded steps get no gradient —
// central differences see that their entries do not change the result)
BOOST_AUTO_TEST_CASE(time_pooling_ops) {
  std::mt19937 rng(22);
  const std::vector<std::int32_t> lengths = {4, 1, 3};
  for (index_t H : {1, 3, 17}) {
    Tensor x = uniform_tensor(Shape{4, 3, H}, rng);
    expect_gradients_match([lengths](Tape&, std::span<const Var> v) { return time_mean(v[0], lengths); }, {x},
                           "time_mean H=" + std::to_string(H));
    expect_gradients_match([lengths](Tape&, std::span<const Var> v) { return time_max(v[0], lengths); }, {x},
                           "time_max H=" + std::to_string(H));
  }
}

// cross_entropy(logits, targets): mean over rows of −log softmax[target]
BOOST_AUTO_TEST_CASE(cross_entropy_op) {
  std::mt19937 rng(15);
  for (const Shape& s : {Shape{1, 1}, Shape{1, 3}, Shape{3, 17}, Shape{17, 3}, Shape{33, 33}}) {
    Tensor logits = uniform_tensor(s, rng, -2, 2);
    std::vector<std::int32_t> targets =
        random_ids(static_cast<std::size_t>(s.rows()), static_cast<std::int32_t>(s.cols()), rng);
    expect_gradients_match([targets](Tape&, std::span<const Var> v) { return cross_entropy(v[0], targets); }, {logits},
                           "cross_entropy " + s.str());
  }
}

// detach(x): the value passes, the gradient does not (checked against a function that treats it as constant)
BOOST_AUTO_TEST_CASE(detach_op) {
  std::mt19937 rng(16);
  Tensor x = uniform_tensor(Shape{3, 17}, rng);
  Tape tape;
  Var v = tape.variable(x);
  Var loss = sum(mul(detach(v), v));  // ∂/∂v with the first factor held fixed: = x
  tape.backward(loss);
  ConstTensorView g = tape.grad(v);
  for (index_t i = 0; i < x.numel(); ++i) BOOST_TEST(g[i] == x[i]);
}

// select(x, i): one item along the first dimension (a view); every item checked, the rest must get no gradient
BOOST_AUTO_TEST_CASE(select_op) {
  std::mt19937 rng(17);
  for (const Shape& s : {Shape{1, 3}, Shape{3, 17}, Shape{4, 3, 5}, Shape{5}}) {
    Tensor x = uniform_tensor(s, rng);
    for (index_t i = 0; i < s[0]; ++i)
      expect_gradients_match([i](Tape&, std::span<const Var> v) { return tanh(select(v[0], i)); }, {x},
                             "select " + s.str() + " [" + std::to_string(i) + "]");
  }
}

// stack({a, b, c}) along a new first dimension
BOOST_AUTO_TEST_CASE(stack_op) {
  std::mt19937 rng(18);
  for (const Shape& s : {Shape{1}, Shape{3, 17}, Shape{2, 3, 5}}) {
    std::vector<Tensor> parts = {uniform_tensor(s, rng), uniform_tensor(s, rng), uniform_tensor(s, rng)};
    expect_gradients_match([](Tape&, std::span<const Var> v) { return stack(v); }, parts, "stack " + s.str());
  }
}

// The fused recurrent cells, with respect to every operand (input, state, weights, biases), per-step and projected.
// Shapes: batch B, input I, hidden H, with G gate blocks.
namespace {
struct CellSize {
  index_t B, I, H;
  std::string str() const { return "B=" + std::to_string(B) + " I=" + std::to_string(I) + " H=" + std::to_string(H); }
};
const CellSize kCellSizes[] = {{1, 1, 1}, {3, 5, 3}, {2, 3, 17}};

// Inputs for a cell of G gate blocks, in the order of the cell's arguments (which is the order the node records):
// [x, h, (c), W_ih, W_hh, b, (b_hn)], and for the projected forms [xw, h, (c), W_hh, (b_hn)].
std::vector<Tensor> cell_inputs(const CellSize& z, index_t G, bool has_c, bool has_b_hn, bool projected,
                                std::mt19937& rng) {
  Tensor x, W_ih, b;  // drawn first, then h, c, W_hh and b_hn
  if (projected) {
    x = uniform_tensor(Shape{z.B, G * z.H}, rng, -1.5f, 1.5f);
  } else {
    x = uniform_tensor(Shape{z.B, z.I}, rng);
    W_ih = uniform_tensor(Shape{z.I, G * z.H}, rng, -0.7f, 0.7f);
    b = uniform_tensor(Shape{G * z.H}, rng, -0.5f, 0.5f);
  }
  Tensor h = uniform_tensor(Shape{z.B, z.H}, rng);
  Tensor c = has_c ? uniform_tensor(Shape{z.B, z.H}, rng, -2.0f, 2.0f) : Tensor();
  Tensor W_hh = uniform_tensor(Shape{z.H, G * z.H}, rng, -0.7f, 0.7f);
  Tensor b_hn = has_b_hn ? uniform_tensor(Shape{z.H}, rng, -0.5f, 0.5f) : Tensor();
  std::vector<Tensor> in = {x, h};
  if (has_c) in.push_back(c);
  if (!projected) in.push_back(W_ih);
  in.push_back(W_hh);
  if (!projected) in.push_back(b);
  if (has_b_hn) in.push_back(b_hn);
  return in;
}

void check_cell(const char* name, index_t G, bool has_c, bool has_b_hn, const GradcheckFunction& step,
                const GradcheckFunction& step_projected) {
  std::mt19937 rng(19);
  for (const CellSize& z : kCellSizes)
    for (bool projected : {false, true})
      expect_gradients_match(projected ? step_projected : step, cell_inputs(z, G, has_c, has_b_hn, projected, rng),
                             std::string(name) + (projected ? " (projected) " : " ") + z.str());
}
}  // namespace

// lstm_cell(x, h, c, W_ih, W_hh, b) → [h'; c']
BOOST_AUTO_TEST_CASE(lstm_cell_op) {
  check_cell(
      "lstm_cell", 4, true, false,
      [](Tape&, std::span<const Var> v) { return lstm_cell(v[0], v[1], v[2], v[3], v[4], v[5]); },
      [](Tape&, std::span<const Var> v) { return lstm_cell_projected(v[0], v[1], v[2], v[3]); });
}

// gru_cell(x, h, W_ih, W_hh, b) → h' (reset before the product)
BOOST_AUTO_TEST_CASE(gru_cell_op) {
  check_cell(
      "gru_cell", 3, false, false, [](Tape&, std::span<const Var> v) { return gru_cell(v[0], v[1], v[2], v[3], v[4]); },
      [](Tape&, std::span<const Var> v) { return gru_cell_projected(v[0], v[1], v[2]); });
}

// gru_cell_reset_after(x, h, W_ih, W_hh, b, b_hn) → h'
BOOST_AUTO_TEST_CASE(gru_cell_reset_after_op) {
  check_cell(
      "gru_cell_reset_after", 3, false, true,
      [](Tape&, std::span<const Var> v) { return gru_cell_reset_after(v[0], v[1], v[2], v[3], v[4], v[5]); },
      [](Tape&, std::span<const Var> v) { return gru_cell_reset_after_projected(v[0], v[1], v[2], v[3]); });
}

// rnn_cell(x, h, W_ih, W_hh, b) → tanh(x W_ih + h W_hh + b), and the relu form
BOOST_AUTO_TEST_CASE(rnn_cell_op) {
  check_cell(
      "rnn_cell tanh", 1, false, false,
      [](Tape&, std::span<const Var> v) { return rnn_cell(v[0], v[1], v[2], v[3], v[4]); },
      [](Tape&, std::span<const Var> v) { return rnn_cell_projected(v[0], v[1], v[2]); });
}

// Every fused form records its operands in the order of its arguments, so a dump reads like the call.
BOOST_AUTO_TEST_CASE(fused_cells_record_inputs_in_argument_order) {
  std::mt19937 rng(20);
  const index_t B = 2, I = 3, H = 4;
  Tape tape;
  const auto leaf = [&](Shape s) { return tape.variable(uniform_tensor(s, rng)); };
  const Var x = leaf(Shape{B, I}), h = leaf(Shape{B, H}), c = leaf(Shape{B, H}), b_hn = leaf(Shape{H});
  const auto weights = [&](index_t G) {
    return std::vector<Var>{leaf(Shape{I, G}), leaf(Shape{H, G}), leaf(Shape{G})};
  };
  const std::vector<Var> l = weights(4 * H), g = weights(3 * H), r = weights(H);
  const Var xw4 = leaf(Shape{B, 4 * H}), xw3 = leaf(Shape{B, 3 * H}), xw1 = leaf(Shape{B, H});
  const std::vector<std::pair<Var, std::vector<Var>>> recorded = {
      {lstm_cell(x, h, c, l[0], l[1], l[2]), {x, h, c, l[0], l[1], l[2]}},
      {lstm_cell_projected(xw4, h, c, l[1]), {xw4, h, c, l[1]}},
      {gru_cell(x, h, g[0], g[1], g[2]), {x, h, g[0], g[1], g[2]}},
      {gru_cell_projected(xw3, h, g[1]), {xw3, h, g[1]}},
      {gru_cell_reset_after(x, h, g[0], g[1], g[2], b_hn), {x, h, g[0], g[1], g[2], b_hn}},
      {gru_cell_reset_after_projected(xw3, h, g[1], b_hn), {xw3, h, g[1], b_hn}},
      {rnn_cell(x, h, r[0], r[1], r[2]), {x, h, r[0], r[1], r[2]}},
      {rnn_cell_projected(xw1, h, r[1], true), {xw1, h, r[1]}},
  };
  for (const auto& [y, arguments] : recorded) {
    const auto inputs = tape.inputs(tape.node(y));
    BOOST_TEST_REQUIRE(inputs.size() == arguments.size(), tape.label(y.index()));
    for (std::size_t k = 0; k < inputs.size(); ++k)
      BOOST_TEST(inputs[k] == arguments[k].index(), tape.label(y.index()) << ": input " << k);
  }
}

BOOST_AUTO_TEST_SUITE_END()
