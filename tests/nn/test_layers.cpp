// Linear, Embedding and Dropout: forward values against their definitions, gradient checks of every parameter,
// the embedding's sparse-row gradient, dropout's mask statistics and modes, and argument errors.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/dropout.hpp"
#include "nn/embedding.hpp"
#include "nn/clip.hpp"
#include "nn/linear.hpp"
#include "nn/sgd.hpp"
#include "nn_test_util.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::nn;
using autograd::Tape;
using autograd::Var;
using nn_test::expect_gradcheck;
using nn_test::random_tensor;

BOOST_AUTO_TEST_SUITE(layers)

// y[r, o] = Σ_i x[r, i] W[i, o] + b[o], computed here in double
BOOST_AUTO_TEST_CASE(linear_forward_is_xW_plus_b) {
  Rng rng(1);
  Linear layer(5, 3, rng);
  const Tensor x = random_tensor(Shape{4, 5}, rng);
  Tape tape;
  const Var y = layer.forward(tape.constant(x));
  BOOST_TEST(y.shape() == (Shape{4, 3}));
  const Tensor& W = layer.weight().value();
  const Tensor& b = layer.bias()->value();
  for (index_t r = 0; r < 4; ++r)
    for (index_t o = 0; o < 3; ++o) {
      double want = b[o];
      for (index_t i = 0; i < 5; ++i) want += static_cast<double>(x.at(r, i)) * W.at(i, o);
      BOOST_TEST(y.value().at(r, o) == want, boost::test_tools::tolerance(1e-5));
    }
  // PyTorch's default range: every weight in ±1/√in.
  for (index_t i = 0; i < W.numel(); ++i) BOOST_TEST(std::fabs(W[i]) <= 1.0f / std::sqrt(5.0f));
}

BOOST_AUTO_TEST_CASE(linear_gradients) {
  for (bool bias : {true, false})
    for (index_t in : {1, 3, 17}) {
      Rng rng(2);
      LinearOptions o;
      o.bias = bias;
      Linear layer(in, 4, rng, o);
      const Tensor x = random_tensor(Shape{3, in}, rng);
      expect_gradcheck(gradcheck_module(layer, [&](Tape& t) { return autograd::tanh(layer.forward(t.constant(x))); }),
                       "linear in=" + std::to_string(in) + (bias ? "" : " no bias"));
      BOOST_TEST(layer.parameters().size() == (bias ? 2u : 1u));
    }
}

BOOST_AUTO_TEST_CASE(linear_rejects_bad_shapes) {
  Rng rng(3);
  BOOST_CHECK_THROW(Linear(0, 3, rng), UsageError);
  Linear layer(4, 2, rng);
  Tape tape;
  BOOST_CHECK_THROW(layer.forward(tape.constant(Tensor(Shape{2, 5}))), ShapeError);
}

// Only the rows used receive gradient; a row used twice receives the sum of both contributions.
BOOST_AUTO_TEST_CASE(embedding_rows_and_sparse_gradient) {
  Rng rng(4);
  Embedding emb(6, 3, rng);
  const std::vector<std::int32_t> ids = {2, 5, 2};
  Tape tape;
  const Var y = emb.forward(tape, ids);
  for (index_t r = 0; r < 3; ++r)
    for (index_t c = 0; c < 3; ++c) BOOST_TEST(y.value().at(r, c) == emb.table().value().at(ids[r], c));
  // J = Σ_r (r + 1) · Σ_c y[r, c]: row 2 gets 1 + 3 = 4 per element, row 5 gets 2, the rest 0.
  Tensor weights(Shape{3, 3});
  for (index_t r = 0; r < 3; ++r)
    for (index_t c = 0; c < 3; ++c) weights.at(r, c) = static_cast<float>(r + 1);
  tape.backward(y, weights.view());
  const Tensor& g = emb.table().grad();
  for (index_t row = 0; row < 6; ++row)
    for (index_t c = 0; c < 3; ++c) BOOST_TEST(g.at(row, c) == (row == 2 ? 4.0f : row == 5 ? 2.0f : 0.0f));
  BOOST_CHECK_THROW(emb.forward(tape, std::vector<std::int32_t>{6}), UsageError);
  BOOST_CHECK_THROW(emb.forward(tape, std::vector<std::int32_t>{-1}), UsageError);
}

// An embedding table used only through lookups knows which rows can have gradient: zero_grad, the gradient norm,
// clipping and plain SGD visit only those — with exactly the results of the dense computation.
BOOST_AUTO_TEST_CASE(embedding_row_sparse_gradient_matches_dense) {
  Rng rng(6);
  Embedding sparse(50, 4, rng);
  Rng same(6);
  Embedding dense(50, 4, same);
  const std::vector<std::int32_t> ids = {7, 3, 7, 41};
  for (Embedding* e : {&sparse, &dense}) {
    Tape tape;
    tape.backward(autograd::sum(autograd::tanh(e->forward(tape, ids))));
  }
  dense.table().grad();  // mutable access: the gradient may now be non-zero anywhere
  BOOST_TEST(!sparse.table().gradient_is_dense());
  BOOST_TEST(dense.table().gradient_is_dense());
  std::vector<index_t> firsts;
  sparse.table().for_each_gradient_range([&](index_t first, index_t count) {
    firsts.push_back(first / 4);
    BOOST_TEST(count % 4 == 0);
  });
  BOOST_TEST(firsts == (std::vector<index_t>{3, 7, 41}), boost::test_tools::per_element());
  std::vector<nn::Parameter*> ps = {&sparse.table()}, pd = {&dense.table()};
  BOOST_TEST(nn::clip_grad_norm(ps, 0.5) == nn::clip_grad_norm(pd, 0.5));  // same norm, bit for bit
  nn::SGD s1(ps, {.lr = 0.3f}), s2(pd, {.lr = 0.3f});
  s1.step();
  s2.step();
  for (index_t i = 0; i < 50 * 4; ++i) BOOST_TEST_REQUIRE(sparse.table().value()[i] == dense.table().value()[i]);
  sparse.table().zero_grad();
  for (index_t i = 0; i < 50 * 4; ++i) BOOST_TEST_REQUIRE(std::as_const(sparse.table()).grad()[i] == 0.0f);
  BOOST_CHECK_THROW(sparse.table().rows_var(*std::make_unique<Tape>(), std::vector<std::int32_t>{50}), UsageError);
}

// Training steps in the order a training loop uses — forward, zero_grad, backward, clip, SGD step — with different
// rows each step, for a table used only by lookups and for one also read whole (a tied decoder): the row-sparse
// bookkeeping must give exactly the parameters of the dense computation.
BOOST_AUTO_TEST_CASE(row_sparse_training_steps_match_dense) {
  for (bool tied : {false, true}) {
    Rng r1(8), r2(8);
    Embedding sparse(30, 3, r1), dense(30, 3, r2);
    const std::vector<std::vector<std::int32_t>> batches = {{1, 2, 3}, {4, 5, 1}, {9, 29, 0}, {2, 2, 2}};
    for (const auto& ids : batches)
      for (Embedding* e : {&sparse, &dense}) {
        Tape tape;
        Var x = e->forward(tape, ids);
        if (tied) x = autograd::matmul(x, e->table().var(tape), false, true);  // 3 × 30: every row read
        const Var loss = autograd::sum(autograd::tanh(x));
        if (e == &dense) e->table().grad();  // force the dense path on the twin
        e->table().zero_grad();
        tape.backward(loss);
        std::vector<nn::Parameter*> ps = {&e->table()};
        nn::clip_grad_norm(ps, 0.7);
        nn::SGD(ps, {.lr = 0.5f}).step();
      }
    for (index_t i = 0; i < 30 * 3; ++i)
      BOOST_TEST_REQUIRE(sparse.table().value()[i] == dense.table().value()[i], (tied ? "tied" : "lookup only") << " " << i);
  }
}

BOOST_AUTO_TEST_CASE(embedding_gradients) {
  Rng rng(5);
  Embedding emb(5, 4, rng);
  const std::vector<std::int32_t> ids = {4, 0, 4, 1};
  expect_gradcheck(gradcheck_module(emb, [&](Tape& t) { return autograd::tanh(emb.forward(t, ids)); }), "embedding");
}

// Train mode: each element is 0 or x/(1 − p), kept with probability 1 − p (here 0.7 of 20,000: σ ≈ 0.0032);
// the gradient is the mask; the same seed drops the same elements; eval mode and p = 0 are the identity.
BOOST_AUTO_TEST_CASE(dropout_mask_and_modes) {
  const float p = 0.3f;
  Dropout drop(p);
  Rng data(6);
  const Tensor x = random_tensor(Shape{100, 200}, data, 0.5f, 1.5f);
  Tape tape;
  Rng rng(7);
  const Var xv = tape.variable(x);
  const Var y = drop.forward(xv, rng);
  tape.backward(autograd::sum(y));
  index_t kept = 0;
  for (index_t i = 0; i < x.numel(); ++i) {
    const float v = y.value()[i];
    const bool keep = v != 0.0f;
    kept += keep;
    BOOST_TEST_REQUIRE((v == 0.0f || std::fabs(v - x[i] / (1.0f - p)) <= 1e-6f * std::fabs(v)));
    BOOST_TEST_REQUIRE(tape.grad(xv)[i] == (keep ? 1.0f / (1.0f - p) : 0.0f));
  }
  BOOST_TEST(std::fabs(static_cast<double>(kept) / static_cast<double>(x.numel()) - 0.7) < 0.02);

  Rng again(7);
  Tape tape2;
  const Var y2 = drop.forward(tape2.constant(x), again);
  for (index_t i = 0; i < x.numel(); ++i) BOOST_TEST_REQUIRE(y2.value()[i] == y.value()[i]);

  drop.eval();
  const std::size_t before = tape2.size();
  const Var same = drop.forward(tape2.constant(x), rng);
  BOOST_TEST(tape2.size() == before + 1);  // only the constant: dropout recorded nothing
  for (index_t i = 0; i < x.numel(); ++i) BOOST_TEST_REQUIRE(same.value()[i] == x[i]);

  BOOST_CHECK_THROW(Dropout(1.0f), UsageError);
  BOOST_CHECK_THROW(Dropout(-0.1f), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()
