// Padded batches of sequences of different lengths through unroll() and the Recurrent stack: a padded batch gives
// each sequence exactly what it gets alone (outputs, final states of both directions, parameter gradients), padded
// inputs receive no gradient, and central differences agree with the masked stack's backward pass.
#include <boost/test/unit_test.hpp>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/recurrent.hpp"
#include "nn_test_util.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::nn;
using autograd::Tape;
using autograd::Var;
namespace ag = tapegrad::autograd;
using nn_test::expect_gradcheck;
using nn_test::random_tensor;

namespace {

constexpr index_t kT = 5, kI = 3, kH = 3;
const std::vector<std::int32_t> kLengths = {5, 2, 4, 1};  // B = 4, the longest = T
const auto kB = static_cast<index_t>(kLengths.size());

RecurrentOptions options(CellType type, CellForm form) {
  RecurrentOptions o;
  o.type = type;
  o.layers = 2;
  o.bidirectional = true;
  o.cell.form = form;
  return o;
}

// Rows [0, len) of sequence b of a padded T × B × I tensor, as a len × 1 × I tensor of its own.
Tensor sequence_alone(const Tensor& xs, index_t b, index_t len) {
  Tensor one(Shape{len, 1, xs.shape()[2]});
  for (index_t t = 0; t < len; ++t)
    for (index_t i = 0; i < xs.shape()[2]; ++i) one[t * xs.shape()[2] + i] = xs[(t * kB + b) * xs.shape()[2] + i];
  return one;
}

// J = Σ_{b, t < L_b} Σ_j w[t, b, j] · y[t, b, j] with fixed weights, zero on padded steps.
Var masked_weighted_sum(Var outputs, const Tensor& weights) {
  return ag::sum(ag::mul(outputs, outputs.tape().constant(weights)));
}

std::string name_of(CellType type, CellForm form) {
  return std::string(cell_type_name(type)) + (form == CellForm::Fused ? " fused" : " composed");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(padded_recurrent)

BOOST_AUTO_TEST_CASE(a_padded_batch_gives_each_sequence_what_it_gets_alone) {
  Rng data(31);
  const Tensor xs = random_tensor(Shape{kT, kB, kI}, data, -2, 2);  // padded steps hold noise, not zeros
  for (CellType type : {CellType::RNN, CellType::LSTM, CellType::GRU})
    for (CellForm form : {CellForm::Fused, CellForm::Composed}) {
      Rng init(32);
      Recurrent rnn(kI, kH, init, options(type, form));
      const index_t D = rnn.output_size();
      Tensor weights = random_tensor(Shape{kT, kB, D}, data);
      for (index_t t = 0; t < kT; ++t)
        for (index_t b = 0; b < kB; ++b)
          if (t >= kLengths[static_cast<std::size_t>(b)])
            for (index_t j = 0; j < D; ++j) weights[(t * kB + b) * D + j] = 0.0f;
      Rng rng(1);

      // The padded batch: values, final states, and gradients of J.
      rnn.zero_grad();
      Tape tape;
      const Var x = tape.variable(xs);
      const SequenceOutput& out = rnn.forward(x, {}, rng, kLengths);
      const Tensor outputs = out.outputs.to_tensor();
      std::vector<Tensor> finals;
      for (const CellState& s : out.final_states) finals.push_back(s.h.to_tensor());
      tape.backward(masked_weighted_sum(out.outputs, weights));
      const Tensor gx(tape.grad(x));
      std::vector<Tensor> batch_grads;
      for (Parameter* p : rnn.parameters()) batch_grads.push_back(p->grad());

      // Each sequence alone, its gradients summed over the batch.
      rnn.zero_grad();
      for (index_t b = 0; b < kB; ++b) {
        const index_t len = kLengths[static_cast<std::size_t>(b)];
        Tape alone;
        const SequenceOutput& o = rnn.forward(alone.constant(sequence_alone(xs, b, len)), {}, rng);
        const std::string what = name_of(type, form) + " sequence " + std::to_string(b);
        for (index_t t = 0; t < len; ++t)
          for (index_t j = 0; j < D; ++j)
            BOOST_TEST_REQUIRE(std::abs(o.outputs.value()[t * D + j] - outputs[(t * kB + b) * D + j]) <= 1e-6f,
                               what << " output t=" << t << " j=" << j);
        for (std::size_t k = 0; k < finals.size(); ++k)  // forward: after its own last token; reverse: at t = 0
          for (index_t j = 0; j < kH; ++j)
            BOOST_TEST_REQUIRE(std::abs(o.final_states[k].h.value()[j] - finals[k][b * kH + j]) <= 1e-6f,
                               what << " final state " << k << " j=" << j);
        Tensor w(Shape{len, 1, D});
        for (index_t t = 0; t < len; ++t)
          for (index_t j = 0; j < D; ++j) w[t * D + j] = weights[(t * kB + b) * D + j];
        alone.backward(masked_weighted_sum(o.outputs, w));
      }
      const auto params = rnn.parameters();
      for (std::size_t k = 0; k < params.size(); ++k)
        nn_test::expect_close(params[k]->grad(), batch_grads[k], 1e-5, name_of(type, form) + " gradient " +
                                                                            std::to_string(k));
      // No gradient reaches a padded input.
      for (index_t t = 0; t < kT; ++t)
        for (index_t b = 0; b < kB; ++b)
          if (t >= kLengths[static_cast<std::size_t>(b)])
            for (index_t i = 0; i < kI; ++i)
              BOOST_TEST_REQUIRE(gx[(t * kB + b) * kI + i] == 0.0f, name_of(type, form) << " padded input t=" << t);
    }
}

// Central differences on every parameter of a masked 2-layer bidirectional stack.
BOOST_AUTO_TEST_CASE(masked_stack_gradients) {
  Rng data(33);
  const Tensor xs = random_tensor(Shape{kT, kB, kI}, data);
  for (CellType type : {CellType::RNN, CellType::LSTM, CellType::GRU})
    for (CellForm form : {CellForm::Fused, CellForm::Composed}) {
      Rng init(34);
      Recurrent rnn(kI, kH, init, options(type, form));
      Rng rng(1);
      expect_gradcheck(gradcheck_module(rnn,
                                        [&](Tape& t) {
                                          const SequenceOutput& o = rnn.forward(t.constant(xs), {}, rng, kLengths);
                                          // outputs and both directions' final states of the last layer
                                          const Var finals = ag::concat({o.final_states[2].h, o.final_states[3].h});
                                          return ag::concat({ag::reshape(o.outputs, Shape{1, kT * kB * 2 * kH}),
                                                             ag::reshape(finals, Shape{1, kB * 2 * kH})});
                                        }),
                       "masked stack " + name_of(type, form));
    }
}

BOOST_AUTO_TEST_CASE(bad_lengths_are_rejected) {
  Rng rng(35);
  Recurrent rnn(kI, kH, rng, options(CellType::LSTM, CellForm::Fused));
  Tape tape;
  const Var xs = tape.full(Shape{kT, kB, kI}, 0.0f);
  const std::vector<std::int32_t> too_few = {5, 2};
  const std::vector<std::int32_t> too_long = {5, 6, 1, 1};
  const std::vector<std::int32_t> empty_one = {5, 0, 1, 1};
  BOOST_CHECK_THROW(rnn.forward(xs, {}, rng, too_few), ShapeError);
  BOOST_CHECK_THROW(rnn.forward(xs, {}, rng, too_long), UsageError);
  BOOST_CHECK_THROW(rnn.forward(xs, {}, rng, empty_one), UsageError);
  const Var x3 = tape.full(Shape{kT, kB, 2}, 0.0f);
  BOOST_CHECK_THROW(ag::time_mean(x3, too_long), UsageError);
  BOOST_CHECK_THROW(ag::time_max(x3, too_few), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
