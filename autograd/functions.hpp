// The differentiable operations: each records one node on the inputs' tape, computes its value at once, and has a
// backward rule defined next to it (autograd/ops_*.cpp). Shapes are row-major; "rows × cols" below means a tensor
// seen as a matrix whose cols is the last dimension. Shape mistakes throw ShapeError naming the op and the shapes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "autograd/tape.hpp"

namespace tapegrad::autograd {

// ---- Elementwise (ops_pointwise.cpp); binary ops need equal shapes --------------------------------------------------
Var add(Var a, Var b);             // a + b
Var sub(Var a, Var b);             // a − b
Var mul(Var a, Var b);             // a ⊙ b
Var div(Var a, Var b);             // a ⊘ b
Var neg(Var x);                    // −x
Var scale(Var x, float alpha);     // α·x
Var add_scalar(Var x, float c);    // x + c
Var tanh(Var x);                   // tanh x, one fused node
Var sigmoid(Var x);                // σ(x) = 1/(1+e^{−x}), one fused node
Var relu(Var x);                   // max(x, 0)
Var exp(Var x);                    // e^x
Var log(Var x);                    // ln x

// The same nonlinearities composed of primitives, every step a node of its own (for study, and as the twins the
// fused forms are tested against):
Var sigmoid_composite(Var x);      // 1 ⊘ (1 + exp(−x))
Var tanh_composite(Var x);         // 2σ(2x) − 1

inline Var operator+(Var a, Var b) { return add(a, b); }
inline Var operator-(Var a, Var b) { return sub(a, b); }
inline Var operator*(Var a, Var b) { return mul(a, b); }
inline Var operator/(Var a, Var b) { return div(a, b); }
inline Var operator-(Var x) { return neg(x); }
inline Var operator*(Var x, float alpha) { return scale(x, alpha); }
inline Var operator*(float alpha, Var x) { return scale(x, alpha); }
inline Var operator/(Var x, float alpha) { return scale(x, 1.0f / alpha); }
inline Var operator+(Var x, float c) { return add_scalar(x, c); }
inline Var operator+(float c, Var x) { return add_scalar(x, c); }
inline Var operator-(Var x, float c) { return add_scalar(x, -c); }
inline Var operator-(float c, Var x) { return add_scalar(neg(x), c); }

// ---- Linear algebra (ops_linear.cpp) --------------------------------------------------------------------------------
// C = op(A) · op(B). Without transpose_a, A may have any rank ≥ 1: it is seen as rows × k (a batch of sequences
// times a weight matrix) and C keeps A's leading dimensions. B is rank 2.
Var matmul(Var a, Var b, bool transpose_a = false, bool transpose_b = false);
// x (… × cols) + b (cols): the bias row added to every row.
Var add_bias(Var x, Var b);
// x (rows × cols) → xᵀ (cols × rows); rank 2.
Var transpose(Var x);

// ---- Shape (ops_shape.cpp) --------------------------------------------------------------------------------------------
Var reshape(Var x, const Shape& shape);                     // same elements, new shape (no copy)
Var concat(std::span<const Var> parts);                     // along the last dimension; leading dims must agree
inline Var concat(std::initializer_list<Var> parts) { return concat(std::span<const Var>(parts.begin(), parts.size())); }
Var slice(Var x, index_t begin, index_t width);             // x[…, begin : begin + width]
std::vector<Var> split(Var x, std::span<const index_t> widths);  // consecutive slices whose widths sum to cols
inline std::vector<Var> split(Var x, std::initializer_list<index_t> widths) {
  return split(x, std::span<const index_t>(widths.begin(), widths.size()));
}
// The same value as a node that stops gradients (truncated BPTT within one tape). Across tape.clear(), copy the
// value out with to_tensor() and bring it back with tape.constant().
Var detach(Var x);

// ---- Lookup (ops_embedding.cpp) -------------------------------------------------------------------------------------
// table (vocab × dim), ids (n) → (n × dim): row ids[i] of the table. The backward rule adds into the rows used.
Var embedding(Var table, std::span<const std::int32_t> ids);

// ---- Softmax and loss (ops_softmax.cpp) ---------------------------------------------------------------------------
Var softmax(Var x);       // along the last dimension
Var log_softmax(Var x);   // along the last dimension
// Mean over rows of −log softmax(logits)[r, targets[r]], fused (the probabilities are never stored).
// logits (rows × vocab), targets (rows) with each in [0, vocab). Result: a scalar.
Var cross_entropy(Var logits, std::span<const std::int32_t> targets);

// ---- Reductions (ops_reduce.cpp) ------------------------------------------------------------------------------------
Var sum(Var x);   // Σ x → scalar
Var mean(Var x);  // Σ x / numel → scalar

}  // namespace tapegrad::autograd
