// Linear algebra ops: matmul (with transpose flags), the fused linear layer, bias broadcast, transpose.
#include "autograd/backward_rules.hpp"
#include "autograd/functions.hpp"
#include "autograd/op_helpers.hpp"
#include "ops/bias.hpp"
#include "ops/elementwise.hpp"
#include "ops/gemm.hpp"
#include "ops/layout.hpp"

namespace tapegrad::autograd {

using detail::require_shape;

// C (m×n) = op(A) · op(B), with op(A) m×k and op(B) k×n. A is stored m×k (or k×m when transpose_a), B is stored
// k×n (or n×k when transpose_b). Backward, from C_ij = Σ_l op(A)_il op(B)_lj:
//   ∂J/∂op(A) = gC · op(B)ᵀ        ∂J/∂op(B) = op(A)ᵀ · gC
// and a transposed operand takes the transpose of that, which the gemm flags express without copies.
Var matmul(Var a, Var b, bool transpose_a, bool transpose_b) {
  const Var in[2] = {a, b};
  Tape& tape = Tape::common_tape("matmul", in);
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const auto shapes = [&] {
    return "a is " + sa.str() + (transpose_a ? " (transposed)" : "") + ", b is " + sb.str() +
           (transpose_b ? " (transposed)" : "");
  };
  require_shape(sb.rank() == 2, OpCode::MatMul, [&] { return "b must be a matrix: " + shapes(); });
  require_shape(transpose_a ? sa.rank() == 2 : sa.rank() >= 1, OpCode::MatMul,
                [&] { return "a must be a matrix (or, untransposed, any tensor seen as rows × cols): " + shapes(); });
  const index_t m = transpose_a ? sa[1] : sa.rows();
  const index_t k = transpose_a ? sa[0] : sa.cols();
  const index_t kb = transpose_b ? sb[1] : sb[0];
  const index_t n = transpose_b ? sb[0] : sb[1];
  require_shape(k == kb, OpCode::MatMul, [&] {
    return "inner dimensions differ (" + std::to_string(k) + " vs " + std::to_string(kb) + "): " + shapes();
  });
  const Shape out_shape = transpose_a ? Shape{m, n} : sa.with_cols(n);
  OpParams p;
  p.transpose_a = transpose_a;
  p.transpose_b = transpose_b;
  Var c = tape.record(OpCode::MatMul, in, out_shape, p);
  ops::gemm(transpose_a, transpose_b, m, n, k, 1.0f, a.value().data, sa.cols(), b.value().data, sb.cols(), 0.0f,
            tape.mutable_value(c), n);
  return c;
}
void backward_MatMul(const BackwardContext& c) {
  const bool ta = c.params().transpose_a, tb = c.params().transpose_b;
  const Shape& sa = c.input_shape(0);
  const Shape& sb = c.input_shape(1);
  const index_t m = c.shape().rows(), n = c.shape().cols();
  const index_t k = ta ? sa[0] : sa.cols();
  const float* A = c.input_value(0);
  const float* B = c.input_value(1);
  const float* gC = c.grad();
  const index_t lda = sa.cols(), ldb = sb.cols();
  if (float* gA = c.input_grad(0)) {
    if (!ta)  // gA (m×k) += gC · op(B)ᵀ
      ops::gemm(false, !tb, m, k, n, 1.0f, gC, n, B, ldb, 1.0f, gA, lda);
    else  // gA (k×m) += op(B) · gCᵀ
      ops::gemm(tb, true, k, m, n, 1.0f, B, ldb, gC, n, 1.0f, gA, lda);
  }
  if (float* gB = c.input_grad(1)) {
    if (!tb)  // gB (k×n) += op(A)ᵀ · gC
      ops::gemm(!ta, false, k, n, m, 1.0f, A, lda, gC, n, 1.0f, gB, ldb);
    else  // gB (n×k) += gCᵀ · op(A)
      ops::gemm(true, ta, n, k, m, 1.0f, gC, n, A, lda, 1.0f, gB, ldb);
  }
}

// y = x·op(W) + b, op(W) = W (in×out) or Wᵀ (W out×in). Backward, as for matmul and add_bias together:
//   gx += gy·op(W)ᵀ,   g op(W) += xᵀ·gy,   gb += Σ_rows gy
Var linear(Var x, Var W, Var b, bool transpose_w) {
  const Var in[3] = {x, W, b};
  Tape& tape = Tape::common_tape("linear", in);
  const Shape sx = x.shape(), sw = W.shape(), sb = b.shape();
  const auto shapes = [&] {
    return "x is " + sx.str() + ", W is " + sw.str() + (transpose_w ? " (transposed)" : "") + ", b is " + sb.str();
  };
  require_shape(sw.rank() == 2 && sx.rank() >= 1, OpCode::Linear, [&] { return "W must be a matrix: " + shapes(); });
  const index_t n_in = transpose_w ? sw[1] : sw[0], n_out = transpose_w ? sw[0] : sw[1];
  require_shape(sx.cols() == n_in, OpCode::Linear,
                [&] { return "x's last dimension is not W's input size: " + shapes(); });
  require_shape(sb.numel() == n_out, OpCode::Linear, [&] { return "b does not match W's output size: " + shapes(); });
  OpParams p;
  p.transpose_b = transpose_w;
  Var y = tape.record(OpCode::Linear, in, sx.with_cols(n_out), p);
  ops::gemm_bias(false, transpose_w, sx.rows(), n_out, n_in, 1.0f, x.value().data, n_in, W.value().data, sw.cols(),
                 0.0f, b.value().data, tape.mutable_value(y), n_out);
  return y;
}
void backward_Linear(const BackwardContext& c) {
  const bool tw = c.params().transpose_b;
  const index_t rows = c.shape().rows(), n_out = c.shape().cols(), n_in = c.input_shape(0).cols();
  const float* gy = c.grad();
  if (float* gx = c.input_grad(0))  // gx (rows × in) += gy · op(W)ᵀ
    ops::gemm(false, !tw, rows, n_in, n_out, 1.0f, gy, n_out, c.input_value(1), c.input_shape(1).cols(), 1.0f, gx,
              n_in);
  if (float* gw = c.input_grad(1)) {
    if (!tw)  // gW (in × out) += xᵀ · gy
      ops::gemm(true, false, n_in, n_out, rows, 1.0f, c.input_value(0), n_in, gy, n_out, 1.0f, gw, n_out);
    else  // gW (out × in) += gyᵀ · x
      ops::gemm(true, false, n_out, n_in, rows, 1.0f, gy, n_out, c.input_value(0), n_in, 1.0f, gw, n_in);
  }
  if (float* gb = c.input_grad(2)) ops::colsum_acc(rows, n_out, gy, gb);
}

// y[r,c] = x[r,c] + b[c];   gx += gy,  gb[c] += Σ_r gy[r,c]
Var add_bias(Var x, Var b) {
  const Var in[2] = {x, b};
  Tape& tape = Tape::common_tape("add_bias", in);
  const Shape& sx = x.shape();
  const Shape& sb = b.shape();
  require_shape(sx.rank() >= 1 && sb.numel() == sx.cols() && (sb.rank() == 1 || sb.rows() == 1), OpCode::AddBias,
                [&] { return "bias " + sb.str() + " does not match the last dimension of x " + sx.str(); });
  Var y = tape.record(OpCode::AddBias, in, sx);
  ops::add_bias(sx.rows(), sx.cols(), x.value().data, b.value().data, tape.mutable_value(y));
  return y;
}
void backward_AddBias(const BackwardContext& c) {
  if (float* gx = c.input_grad(0)) ops::axpy(c.numel(), 1.0f, c.grad(), gx);
  if (float* gb = c.input_grad(1)) ops::colsum_acc(c.shape().rows(), c.shape().cols(), c.grad(), gb);
}

// y = xᵀ (x rows×cols, y cols×rows);   gx += gyᵀ
Var transpose(Var x) {
  Tape& tape = x.tape();
  const Shape& s = x.shape();
  require_shape(s.rank() == 2, OpCode::Transpose, [&] { return "needs a matrix, got " + s.str(); });
  Var y = tape.record(OpCode::Transpose, std::span<const Var>(&x, 1), Shape{s[1], s[0]});
  ops::transpose(s[0], s[1], x.value().data, tape.mutable_value(y));
  return y;
}
void backward_Transpose(const BackwardContext& c) {
  // gy is (cols×rows) of the input: transposing it back adds into gx (rows×cols).
  if (float* gx = c.input_grad(0)) ops::transpose_acc(c.shape()[0], c.shape()[1], c.grad(), gx);
}

}  // namespace tapegrad::autograd
