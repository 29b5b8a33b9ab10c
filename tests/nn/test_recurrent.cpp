// unroll() and the Recurrent stack: step order and indexing (also in reverse), layers fed by the layer below,
// bidirectional concatenation, dropout between layers, initial and final states, carrying a state across tape
// rounds for truncated BPTT, gradient checks of a whole stack, and argument errors.
#include <boost/test/unit_test.hpp>
#include <optional>
#include <vector>

#include "autograd/functions.hpp"
#include "autograd/tape.hpp"
#include "nn/lstm_cell.hpp"
#include "nn/recurrent.hpp"
#include "nn/rnn_cell.hpp"
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

constexpr index_t kT = 5, kB = 2, kI = 3, kH = 4;

// The cell stepped by hand over xs in the given order of t, from zero state; returns h_t indexed by t.
std::vector<Tensor> step_by_hand(RecurrentCell& cell, const Tensor& xs, bool reverse) {
  Tape tape;
  const Var x = tape.constant(xs);
  CellState s = cell.zero_state(tape, xs.shape()[1]);
  std::vector<Tensor> hs(static_cast<std::size_t>(xs.shape()[0]));
  for (index_t k = 0; k < xs.shape()[0]; ++k) {
    const index_t t = reverse ? xs.shape()[0] - 1 - k : k;
    s = cell.step(ag::select(x, t), s);
    hs[static_cast<std::size_t>(t)] = s.h.to_tensor();
  }
  return hs;
}

void expect_rows_equal(ConstTensorView got, index_t t, index_t width, index_t offset, const Tensor& want,
                       const std::string& what) {
  // got is T × B × W_total; compare columns [offset, offset + width) of step t with want (B × width)
  const index_t total = got.shape[2];
  for (index_t b = 0; b < kB; ++b)
    for (index_t j = 0; j < width; ++j)
      BOOST_TEST_REQUIRE(got[(t * kB + b) * total + offset + j] == want[b * width + j],
                         what << " t=" << t << " b=" << b << " j=" << j);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recurrent)

// unroll(reverse) runs t = T−1 … 0 but keeps outputs indexed by t; the composed form steps the same cell.
BOOST_AUTO_TEST_CASE(unroll_matches_manual_steps_in_both_directions) {
  Rng rng(1);
  const Tensor xs = random_tensor(Shape{kT, kB, kI}, rng);
  for (CellType type : {CellType::RNN, CellType::LSTM, CellType::GRU})
    for (bool reverse : {false, true}) {
      CellOptions o;
      o.form = CellForm::Composed;
      Rng init(2);
      auto cell = make_cell(type, kI, kH, init, o);
      const std::vector<Tensor> want = step_by_hand(*cell, xs, reverse);
      Tape tape;
      const UnrollResult u = unroll(*cell, tape.constant(xs), cell->zero_state(tape, kB), reverse);
      BOOST_TEST(u.outputs.shape() == (Shape{kT, kB, kH}));
      const std::string what = std::string(cell_type_name(type)) + (reverse ? " reverse" : "");
      for (index_t t = 0; t < kT; ++t) expect_rows_equal(u.outputs.value(), t, kH, 0, want[t], what);
      const index_t last = reverse ? 0 : kT - 1;
      for (index_t i = 0; i < kB * kH; ++i) BOOST_TEST(u.final_state.h.value()[i] == want[last][i]);
    }
}

// Step t's nodes carry the scope "t=<t>/<name>", every gate its own scope below it.
BOOST_AUTO_TEST_CASE(unroll_records_time_step_scopes) {
  Rng rng(3);
  CellOptions o;
  o.form = CellForm::Composed;
  LSTMCell cell(kI, kH, rng, o);
  Tape tape;
  unroll(cell, tape.full(Shape{2, kB, kI}, 0.5f), cell.zero_state(tape, kB), false, "layer0");
  bool saw_forget_t1 = false, saw_cell_t0 = false;
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const std::string& scope = tape.scope_of(tape.node(i));
    saw_forget_t1 = saw_forget_t1 || scope == "t=1/layer0/forget_gate";
    saw_cell_t0 = saw_cell_t0 || scope == "t=0/layer0/cell";
  }
  BOOST_TEST(saw_forget_t1);
  BOOST_TEST(saw_cell_t0);
}

// A fused run recorded for a gradient reads W_hh through one recurrent_weights node, recorded before its steps and
// read by every step's cell; without gradients, or composed, the cells read W_hh itself. Training therefore takes
// the chunked weight-gradient path that tests/autograd/test_recurrent_weights.cpp checks.
BOOST_AUTO_TEST_CASE(fused_runs_share_one_recurrent_weights_node) {
  for (CellType type : {CellType::RNN, CellType::LSTM, CellType::GRU})
    for (int mode = 0; mode < 3; ++mode) {  // 0: fused with gradients, 1: fused without, 2: composed with
      Rng init(4);
      CellOptions o;
      o.form = mode == 2 ? CellForm::Composed : CellForm::Fused;
      RecurrentOptions ro;
      ro.type = type;
      ro.layers = 2;
      ro.bidirectional = true;
      ro.cell = o;
      Recurrent rnn(kI, kH, init, ro);
      Tape tape;
      std::optional<ag::NoGradGuard> off;
      if (mode == 1) off.emplace(tape);
      Rng rng(5);
      rnn.forward(tape.constant(random_tensor(Shape{kT, kB, kI}, rng)), {}, rng);
      std::vector<std::size_t> shared;
      std::size_t cells_reading_shared = 0;
      for (std::size_t i = 0; i < tape.size(); ++i) {
        const ag::Node& n = tape.node(i);
        if (n.op == ag::OpCode::RecurrentWeights) shared.push_back(i);
        for (std::uint32_t in : tape.inputs(n))
          if (tape.node(in).op == ag::OpCode::RecurrentWeights) {
            ++cells_reading_shared;
            BOOST_TEST(in < i);
          }
      }
      const std::string what = std::string(cell_type_name(type)) + " mode " + std::to_string(mode);
      BOOST_TEST(shared.size() == (mode == 0 ? 4u : 0u), what);  // 2 layers × 2 directions
      BOOST_TEST(cells_reading_shared == (mode == 0 ? std::size_t{4 * kT} : 0u), what);
    }
}

// Layer l reads layer l−1's outputs; a bidirectional layer concatenates [forward | backward] per step; the final
// states come per layer and direction. Checked against the cells run by hand (eval mode: no dropout).
BOOST_AUTO_TEST_CASE(stack_and_bidirectional_match_cells_run_by_hand) {
  Rng data(4);
  const Tensor xs = random_tensor(Shape{kT, kB, kI}, data);
  for (bool bidirectional : {false, true}) {
    Rng rng(5);
    RecurrentOptions o;
    o.type = CellType::GRU;
    o.layers = 2;
    o.bidirectional = bidirectional;
    o.dropout = 0.5f;
    Recurrent rnn(kI, kH, rng, o);
    rnn.eval();
    Tape tape;
    const SequenceOutput out = rnn.forward(tape.constant(xs), {}, rng);
    const index_t D = rnn.directions();
    BOOST_TEST(out.outputs.shape() == (Shape{kT, kB, kH * D}));
    BOOST_TEST(out.final_states.size() == static_cast<std::size_t>(2 * D));

    // layer 0 by hand, then layer 1 on its (concatenated) outputs
    Tensor layer_input = xs;
    for (index_t l = 0; l < 2; ++l) {
      Tensor next(Shape{kT, kB, kH * D});
      for (index_t d = 0; d < D; ++d) {
        const std::vector<Tensor> hs = step_by_hand(rnn.cell(l, d), layer_input, d == 1);
        for (index_t t = 0; t < kT; ++t)
          for (index_t b = 0; b < kB; ++b)
            for (index_t j = 0; j < kH; ++j) next[(t * kB + b) * kH * D + d * kH + j] = hs[t][b * kH + j];
        const Tensor& final_h = hs[static_cast<std::size_t>(d == 1 ? 0 : kT - 1)];
        for (index_t i = 0; i < kB * kH; ++i)
          BOOST_TEST_REQUIRE(out.final_states[static_cast<std::size_t>(l * D + d)].h.value()[i] == final_h[i]);
      }
      layer_input = next;
    }
    for (index_t i = 0; i < layer_input.numel(); ++i)
      BOOST_TEST_REQUIRE(out.outputs.value()[i] == layer_input[i], "bidirectional=" << bidirectional << " i=" << i);
    BOOST_TEST((rnn.find_parameter("layer1_reverse.W_ih") != nullptr) == bidirectional);
  }
}

// In training mode dropout changes layer 1's input (so its outputs), deterministically for a seed.
BOOST_AUTO_TEST_CASE(dropout_between_layers_only_in_training) {
  Rng data(6);
  const Tensor xs = random_tensor(Shape{kT, kB, kI}, data);
  Rng init(7);
  RecurrentOptions o;
  o.layers = 2;
  o.dropout = 0.5f;
  Recurrent rnn(kI, kH, init, o);
  const auto run = [&](std::uint64_t seed) {
    Rng rng(seed);
    Tape tape;
    return rnn.forward(tape.constant(xs), {}, rng).outputs.to_tensor();
  };
  const Tensor a = run(1), b = run(1), c = run(2);
  rnn.eval();
  const Tensor e1 = run(1), e2 = run(2);
  bool seed_matters = false, mode_matters = false;
  for (index_t i = 0; i < a.numel(); ++i) {
    BOOST_TEST_REQUIRE(a[i] == b[i]);
    BOOST_TEST_REQUIRE(e1[i] == e2[i]);
    seed_matters = seed_matters || a[i] != c[i];
    mode_matters = mode_matters || a[i] != e1[i];
  }
  BOOST_TEST(seed_matters);
  BOOST_TEST(mode_matters);
}

// Truncated BPTT: two windows, the state carried across tape.clear() as values, give the same outputs as one
// unroll over both windows (same arithmetic per step, so bit for bit); the second window's backward pass does not
// reach the first window (the carried state is a constant).
BOOST_AUTO_TEST_CASE(state_carried_across_windows) {
  Rng data(8);
  const Tensor xs = random_tensor(Shape{2 * kT, kB, kI}, data);
  Rng init(9);
  RecurrentOptions o;
  o.type = CellType::LSTM;
  o.layers = 2;
  Recurrent rnn(kI, kH, init, o);
  Rng rng(1);

  Tape tape;
  const Tensor whole = rnn.forward(tape.constant(xs), {}, rng).outputs.to_tensor();

  std::vector<CellStateValue> carried;
  std::vector<Tensor> windows;
  for (index_t w = 0; w < 2; ++w) {
    tape.clear();
    Tensor window(Shape{kT, kB, kI});
    for (index_t i = 0; i < window.numel(); ++i) window[i] = xs[w * window.numel() + i];
    std::vector<CellState> initial;
    for (const CellStateValue& v : carried) initial.push_back(to_state(tape, v));
    const SequenceOutput out = rnn.forward(tape.constant(window), initial, rng);
    windows.push_back(out.outputs.to_tensor());
    carried.clear();
    for (const CellState& s : out.final_states) carried.push_back(to_value(s));
    BOOST_TEST(carried[0].c.numel() == kB * kH);
    if (w == 1) {
      rnn.zero_grad();
      tape.backward(ag::sum(out.outputs));
      BOOST_TEST(!tape.node(initial[0].h).grad);  // a constant: the gradient stops here
    }
  }
  for (index_t w = 0; w < 2; ++w)
    for (index_t i = 0; i < windows[w].numel(); ++i)
      BOOST_TEST_REQUIRE(windows[w][i] == whole[w * windows[w].numel() + i]);
}

BOOST_AUTO_TEST_CASE(detach_stops_the_gradient_within_a_tape) {
  Rng rng(10);
  RNNCell cell(kI, kH, rng);
  Tape tape;
  const Var h0 = tape.variable(random_tensor(Shape{kB, kH}, rng));
  const CellState s1 = cell.step(tape.full(Shape{kB, kI}, 1.0f), {h0, Var{}});
  const CellState s2 = cell.step(tape.full(Shape{kB, kI}, 1.0f), detach(s1));
  tape.backward(ag::sum(s2.h));
  BOOST_CHECK_THROW(tape.grad(h0), UsageError);  // h0 received no gradient: detach cut the path
}

// Central differences on every parameter of a 2-layer bidirectional stack (both cell types with a state of two
// parts and one), fused and composed.
BOOST_AUTO_TEST_CASE(stack_gradients) {
  Rng data(11);
  const Tensor xs = random_tensor(Shape{3, kB, kI}, data);
  for (CellType type : {CellType::LSTM, CellType::GRU})
    for (CellForm form : {CellForm::Fused, CellForm::Composed}) {
      Rng init(12);
      RecurrentOptions o;
      o.type = type;
      o.layers = 2;
      o.bidirectional = true;
      o.cell.form = form;
      Recurrent rnn(kI, 3, init, o);
      Rng rng(1);
      expect_gradcheck(
          gradcheck_module(rnn, [&](Tape& t) { return rnn.forward(t.constant(xs), {}, rng).outputs; }),
          std::string("stack ") + cell_type_name(type) + (form == CellForm::Fused ? " fused" : " composed"));
    }
}

BOOST_AUTO_TEST_CASE(argument_errors) {
  Rng rng(13);
  RecurrentOptions o;
  o.layers = 2;
  Recurrent rnn(kI, kH, rng, o);
  Tape tape;
  const Var xs = tape.full(Shape{kT, kB, kI}, 0.0f);
  const std::vector<CellState> one = {rnn.cell(0).zero_state(tape, kB)};
  BOOST_CHECK_THROW(rnn.forward(xs, one, rng), UsageError);                                     // 1 state for 2 layers
  BOOST_CHECK_THROW(rnn.forward(tape.full(Shape{kT, kB, kI + 1}, 0.0f), {}, rng), ShapeError);  // input size
  BOOST_CHECK_THROW(rnn.forward(tape.full(Shape{kB, kI}, 0.0f), {}, rng), ShapeError);          // not time-major
  BOOST_CHECK_THROW(unroll(rnn.cell(0), tape.full(Shape{0, kB, kI}, 0.0f), rnn.cell(0).zero_state(tape, kB)),
                    ShapeError);  // empty sequence
  o.layers = 0;
  BOOST_CHECK_THROW(Recurrent(kI, kH, rng, o), UsageError);
  BOOST_CHECK_THROW(parse_cell_type("transformer"), UsageError);
  BOOST_TEST((parse_cell_type("gru") == CellType::GRU));
  BOOST_CHECK_THROW(parse_cell_form("fast"), UsageError);
  for (CellForm form : {CellForm::Fused, CellForm::Composed})
    BOOST_TEST((parse_cell_form(cell_form_name(form)) == form));
}

BOOST_AUTO_TEST_SUITE_END()
