// gradient_flow: one forward and backward over a batch of windows, reading the retained ∂J/∂h_k.
#include "lm/neural/gradflow.hpp"

#include <cmath>

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

index_t GradientFlow::reach(double fraction) const {
  for (std::size_t d = 0; d < norms.size(); ++d)
    if (norms[d] < fraction * norms[0]) return static_cast<index_t>(d);
  return static_cast<index_t>(norms.size());
}

GradientFlow gradient_flow(LanguageModel& model, std::span<const std::int32_t> stream, const GradientFlowOptions& o) {
  if (!model.config().recurrent())
    throw UsageError("gradient_flow: the " + std::string(model_kind_name(model.config().kind)) +
                     " model has no hidden state to follow through time");
  const index_t T = o.steps, B = o.batch;
  if (T < 1 || B < 1) throw UsageError("gradient_flow: steps and batch must be positive");
  if (static_cast<index_t>(stream.size()) <= T + 1)
    throw UsageError("gradient_flow: " + std::to_string(stream.size()) + " tokens are too few for windows of " +
                     std::to_string(T + 1));
  // Windows at seeded random positions; inputs time-major (row t = step t of every window).
  Rng rng(o.seed);
  std::vector<std::int32_t> inputs(static_cast<std::size_t>(T * B)), targets(static_cast<std::size_t>(B));
  for (index_t b = 0; b < B; ++b) {
    const auto start = static_cast<index_t>(rng.uniform_int(stream.size() - static_cast<std::size_t>(T) - 1));
    for (index_t t = 0; t < T; ++t) inputs[static_cast<std::size_t>(t * B + b)] = stream[start + t];
    targets[static_cast<std::size_t>(b)] = stream[start + T];
  }
  RNNLM& m = model.rnn();
  m.eval();
  ag::Tape tape;
  Rng unused(0);
  const RNNLM::Output& out = m.forward(tape, inputs, {}, T, B, {}, unused);
  const nn::SequenceOutput& seq = *out.sequence;
  const std::vector<ag::Var>& hidden = seq.runs[seq.runs.size() - 1].hidden;  // top layer (forward direction)
  for (const ag::Var& h : hidden) tape.retain_grad(h);
  // J = mean over windows of the cross-entropy of the last step's prediction
  const index_t V = model.config().vocab;
  const ag::Var last = ag::select(ag::reshape(out.logits, Shape{T, B, V}), T - 1);
  tape.backward(ag::cross_entropy(last, targets));

  GradientFlow flow;
  flow.norms.resize(static_cast<std::size_t>(T));
  const index_t H = model.config().nhid;
  for (index_t k = 0; k < T; ++k) {
    const ConstTensorView g = tape.grad(hidden[static_cast<std::size_t>(k)]);
    double total = 0;
    for (index_t b = 0; b < B; ++b) {  // window b's own loss is J·B restricted to its row: scale back by B
      double sq = 0;
      for (index_t j = 0; j < H; ++j) sq += static_cast<double>(g[b * H + j]) * g[b * H + j];
      total += std::sqrt(sq) * static_cast<double>(B);
    }
    flow.norms[static_cast<std::size_t>(T - 1 - k)] = total / static_cast<double>(B);
  }
  return flow;
}

}  // namespace tapegrad::lm
