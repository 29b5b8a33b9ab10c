// The recurrent cells, one generated test per cell variant (RNN tanh/relu, LSTM, GRU reset before/after):
//   1. both forms against the cell's equations, evaluated here independently in double from the formulas
//      (so a wrong gate equation fails even if both forms share the mistake);
//   2. composed against fused (per-step and projected input) over several steps: outputs, states and the gradients
//      of every parameter, input and initial state agree to 1e-5 relative (norm-wise);
//   3. gradient checks of every parameter through several steps, in both forms.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ostream>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/cell.hpp"
#include "nn/gru_cell.hpp"
#include "nn/recurrent.hpp"
#include "nn_test_util.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::nn;
using autograd::Tape;
using autograd::Var;
namespace ag = tapegrad::autograd;
namespace bdata = boost::unit_test::data;
using nn_test::expect_close;
using nn_test::expect_gradcheck;
using nn_test::random_tensor;

namespace {

struct Variant {
  const char* name;
  CellType type;
  bool relu = false;
  bool reset_after = false;

  CellOptions options(CellForm form) const {
    CellOptions o;
    o.form = form;
    o.relu = relu;
    o.reset_after = reset_after;
    o.init_range = 0.6f;    // larger than 1/√H so that the gates are far from 0.5 and mistakes show
    o.forget_bias = 0.25f;  // distinguishes the forget block from the others
    return o;
  }
};
std::ostream& operator<<(std::ostream& os, const Variant& v) { return os << v.name; }

const Variant kVariants[] = {{"rnn_tanh", CellType::RNN},
                             {"rnn_relu", CellType::RNN, true},
                             {"lstm", CellType::LSTM},
                             {"gru", CellType::GRU},
                             {"gru_reset_after", CellType::GRU, false, true}};

constexpr index_t kB = 3, kI = 5, kH = 7, kT = 4;

// ---- the equations, in double, from the formulas (cell.hpp, lstm_cell.hpp, gru_cell.hpp) --------------------------

double sig(double a) { return 1.0 / (1.0 + std::exp(-a)); }

struct RefState {
  std::vector<double> h, c;  // B × H
};

// x·W_ih[:, block k] + b[block k], or h·W_hh[:, block k], at (row r, unit j); W has G·H columns.
double product(const Tensor& in, index_t r, const Tensor& W, index_t k, index_t j) {
  const index_t G_H = W.shape()[1], n = in.shape()[1];
  double s = 0;
  for (index_t i = 0; i < n; ++i) s += static_cast<double>(in[r * n + i]) * W[i * G_H + k * kH + j];
  return s;
}

RefState reference_step(const Variant& v, RecurrentCell& cell, const Tensor& x, const Tensor& h, const Tensor& c) {
  const Tensor& Wi = cell.W_ih().value();
  const Tensor& Wh = cell.W_hh().value();
  const Tensor& b = cell.b().value();
  RefState out{std::vector<double>(kB * kH), std::vector<double>(kB * kH)};
  for (index_t r = 0; r < kB; ++r)
    for (index_t j = 0; j < kH; ++j) {
      const auto a = [&](index_t k) { return product(x, r, Wi, k, j) + b[k * kH + j]; };  // input side of gate k
      const auto u = [&](index_t k) { return product(h, r, Wh, k, j); };                  // recurrent side
      const double h_prev = h[r * kH + j];
      const std::size_t s = static_cast<std::size_t>(r * kH + j);
      switch (v.type) {
        case CellType::RNN: {
          const double pre = a(0) + u(0);
          out.h[s] = v.relu ? std::max(pre, 0.0) : std::tanh(pre);
          break;
        }
        case CellType::LSTM: {
          const double i = sig(a(0) + u(0)), f = sig(a(1) + u(1)), g = std::tanh(a(2) + u(2)), o = sig(a(3) + u(3));
          out.c[s] = f * c[r * kH + j] + i * g;
          out.h[s] = o * std::tanh(out.c[s]);
          break;
        }
        case CellType::GRU: {
          const double z = sig(a(1) + u(1));
          double n;
          if (v.reset_after) {
            const double reset = sig(a(0) + u(0));
            n = std::tanh(a(2) + reset * (u(2) + static_cast<GRUCell&>(cell).b_hn()->value()[j]));
          } else {
            // (r ⊙ h)·U_n: needs r at every unit i of this row
            double rh_u = 0;
            for (index_t i = 0; i < kH; ++i) {
              double ai = product(x, r, Wi, 0, i) + b[i];
              for (index_t m = 0; m < kH; ++m) ai += static_cast<double>(h[r * kH + m]) * Wh[m * 3 * kH + i];
              rh_u += sig(ai) * h[r * kH + i] * Wh[i * 3 * kH + 2 * kH + j];
            }
            n = std::tanh(a(2) + rh_u);
          }
          out.h[s] = (1 - z) * h_prev + z * n;
          break;
        }
      }
    }
  return out;
}

// A cell of the variant in the given form, with the same parameters for the same seed.
std::unique_ptr<RecurrentCell> make(const Variant& v, CellForm form) {
  Rng rng(42);
  return make_cell(v.type, kI, kH, rng, v.options(form));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cells)

BOOST_DATA_TEST_CASE(both_forms_follow_the_equations, bdata::make(kVariants), variant) {
  Rng rng(7);
  const Tensor x = random_tensor(Shape{kB, kI}, rng), h = random_tensor(Shape{kB, kH}, rng);
  const Tensor c = random_tensor(Shape{kB, kH}, rng, -2, 2);
  for (CellForm form : {CellForm::Composed, CellForm::Fused}) {
    auto cell = make(variant, form);
    const RefState want = reference_step(variant, *cell, x, h, c);
    Tape tape;
    CellState prev{tape.constant(h), Var{}};
    if (cell->has_cell_memory()) prev.c = tape.constant(c);
    const CellState next = cell->step(tape.constant(x), prev);
    const std::string what = cell->describe();
    // Absolute tolerance: the outputs are O(1) sums of ~12 products rounded in float (errors ~1e-7); a wrong
    // gate equation moves them by O(0.1).
    for (index_t i = 0; i < kB * kH; ++i) {
      const std::size_t k = static_cast<std::size_t>(i);
      BOOST_TEST(std::fabs(next.h.value()[i] - want.h[k]) <= 1e-5,
                 what << " h[" << i << "] = " << next.h.value()[i] << ", equations give " << want.h[k]);
      if (cell->has_cell_memory())
        BOOST_TEST(std::fabs(next.c.value()[i] - want.c[k]) <= 1e-5,
                   what << " c[" << i << "] = " << next.c.value()[i] << ", equations give " << want.c[k]);
    }
  }
}

// The composed cell over kT steps against the fused cell stepped per step and unrolled with the projected input.
BOOST_DATA_TEST_CASE(composed_and_fused_agree, bdata::make(kVariants), variant) {
  Rng rng(8);
  const Tensor xs = random_tensor(Shape{kT, kB, kI}, rng);
  const Tensor h0 = random_tensor(Shape{kB, kH}, rng), c0 = random_tensor(Shape{kB, kH}, rng);
  const Tensor weights = random_tensor(Shape{kT, kB, kH}, rng);  // J = Σ weights ⊙ outputs (+ Σ final c for LSTM)

  struct Run {
    Tensor outputs, final_h, final_c, g_xs, g_h0, g_c0;
    std::vector<Tensor> param_grads;
  };
  // mode 0: composed per step, 1: fused per step, 2: fused through unroll (projected input)
  const auto run = [&](int mode) {
    auto cell = make(variant, mode == 0 ? CellForm::Composed : CellForm::Fused);
    Tape tape;
    const Var x = tape.variable(xs);
    CellState state{tape.variable(h0), Var{}};
    if (cell->has_cell_memory()) state.c = tape.variable(c0);
    const CellState initial = state;
    Var outputs;
    if (mode == 2) {
      UnrollResult u = unroll(*cell, x, initial);
      outputs = u.outputs;
      state = u.final_state;
    } else {
      std::vector<Var> hs;
      for (index_t t = 0; t < kT; ++t) {
        state = cell->step(ag::select(x, t), state);
        hs.push_back(state.h);
      }
      outputs = ag::stack(hs);
    }
    Var loss = ag::sum(ag::mul(outputs, tape.constant(weights)));
    if (cell->has_cell_memory()) loss = loss + ag::sum(state.c);
    tape.backward(loss);
    Run r{outputs.to_tensor(),
          state.h.to_tensor(),
          Tensor(),
          Tensor(tape.grad(x)),
          Tensor(tape.grad(initial.h)),
          Tensor(),
          {}};
    if (cell->has_cell_memory()) {
      r.final_c = state.c.to_tensor();
      r.g_c0 = Tensor(tape.grad(initial.c));
    }
    for (Parameter* p : cell->parameters()) r.param_grads.push_back(p->grad());
    return r;
  };

  const Run composed = run(0);
  for (int mode : {1, 2}) {
    const Run fused = run(mode);
    const std::string what = std::string(variant.name) + (mode == 1 ? " fused per step" : " fused projected");
    constexpr double tol = 1e-5;
    expect_close(fused.outputs, composed.outputs, tol, what + " outputs");
    expect_close(fused.final_h, composed.final_h, tol, what + " final h");
    expect_close(fused.g_xs, composed.g_xs, tol, what + " ∂J/∂x");
    expect_close(fused.g_h0, composed.g_h0, tol, what + " ∂J/∂h0");
    if (variant.type == CellType::LSTM) {
      expect_close(fused.final_c, composed.final_c, tol, what + " final c");
      expect_close(fused.g_c0, composed.g_c0, tol, what + " ∂J/∂c0");
    }
    BOOST_TEST_REQUIRE(fused.param_grads.size() == composed.param_grads.size());
    for (std::size_t k = 0; k < fused.param_grads.size(); ++k)
      expect_close(fused.param_grads[k], composed.param_grads[k], tol, what + " parameter " + std::to_string(k));
  }
}

// Central differences on every parameter through 3 steps from a non-zero state, both forms.
BOOST_DATA_TEST_CASE(gradients_of_every_parameter, bdata::make(kVariants), variant) {
  Rng rng(9);
  const Tensor xs = random_tensor(Shape{3, kB, kI}, rng);
  const Tensor h0 = random_tensor(Shape{kB, kH}, rng), c0 = random_tensor(Shape{kB, kH}, rng);
  for (CellForm form : {CellForm::Composed, CellForm::Fused}) {
    auto cell = make(variant, form);
    autograd::GradcheckOptions options;
    if (variant.relu) options.step = 1e-3;  // stay on one side of relu's kink
    const auto f = [&](Tape& tape) {
      CellState s{tape.constant(h0), Var{}};
      if (cell->has_cell_memory()) s.c = tape.constant(c0);
      return unroll(*cell, tape.constant(xs), s).outputs;
    };
    expect_gradcheck(gradcheck_module(*cell, f, options), cell->describe());
  }
}

BOOST_DATA_TEST_CASE(shape_errors_name_the_cell_and_shapes, bdata::make(kVariants), variant) {
  auto cell = make(variant, CellForm::Fused);
  Tape tape;
  const CellState s = cell->zero_state(tape, kB);
  BOOST_CHECK_THROW(cell->step(tape.full(Shape{kB, kI + 1}, 0.0f), s), ShapeError);
  BOOST_CHECK_THROW(cell->step(tape.full(Shape{kB + 1, kI}, 0.0f), s), ShapeError);
  try {
    cell->step(tape.full(Shape{kB, kI + 1}, 0.0f), s);
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    BOOST_TEST(msg.find(Shape{kB, kI + 1}.str()) != std::string::npos, msg);
  }
}

BOOST_AUTO_TEST_SUITE_END()
