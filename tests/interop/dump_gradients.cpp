// dump_gradients: one batch of a tapegrad language model, forward and backward, with its loss and every parameter's
// gradient written to a safetensors file — what tests/interop/test_torch_interop.py compares PyTorch's autograd with.
// No `tapegrad` command exposes parameter gradients, so this small program does it with the library.
//
//   dump_gradients CHECKPOINT TEXT BATCH BPTT OUT.safetensors
//
// The batch: TEXT read as `tapegrad eval` reads it (the checkpoint's level and vocabulary; each sentence then </s>).
// Recurrent models: window 0 of StreamBatcher(stream, BATCH, BPTT) from a zero state — inputs[t, b] = stream_b[t],
// targets[t, b] = stream_b[t + 1]; window models: the first BATCH·BPTT tokens in stream order, contexts padded with
// </s>. Evaluation mode (dropout off); J = mean cross-entropy of the batch.
// Output tensors: "loss" (F32 [1]) and "grad.<parameter name>" (F32, the parameter's shape), e.g. grad.rnn.layer0.W_ih.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "autograd/tape.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/text/batcher.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/dataset.hpp"
#include "nn/safetensors.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;

namespace {

std::vector<std::uint64_t> dims_of(const Shape& s) {
  std::vector<std::uint64_t> d;
  for (int i = 0; i < s.rank(); ++i) d.push_back(static_cast<std::uint64_t>(s[i]));
  return d;
}

int run(const std::string& checkpoint, const std::string& text, index_t batch, index_t bptt, const std::string& out) {
  ops::set_num_threads(1);  // a test beside others: one thread (the results do not depend on it)
  lm::SavedModel m = lm::SavedModel::load(checkpoint);
  const lm::TokenCorpus corpus =
      m.level == lm::TokenLevel::Word ? lm::TokenCorpus::read_words(text) : lm::TokenCorpus::read_chars(text);
  const std::vector<std::int32_t> stream = lm::to_stream(m.vocab.encode(corpus));
  nn::Module& module = m.model->module();
  module.eval();
  module.zero_grad();
  autograd::Tape tape;
  Rng rng(0);  // dropout is off in evaluation mode: nothing is drawn
  autograd::Var loss;
  if (m.config.recurrent()) {
    lm::StreamBatcher batcher(stream, batch, bptt);
    lm::StreamWindow w;
    batcher.get(0, w);
    loss = m.model->rnn().forward(tape, w.inputs, w.targets, w.steps, w.batch, {}, rng).loss;
  } else {
    lm::WindowBatcher batcher(stream, m.config.context, batch * bptt, static_cast<std::int32_t>(lm::Vocab::kEos));
    std::vector<std::int32_t> contexts, targets;
    const index_t n = batcher.get(0, contexts, targets);
    loss = m.model->window().forward(tape, contexts, targets, n, rng).loss;
  }
  tape.backward(loss);
  const float loss_value = static_cast<float>(loss.item());
  std::vector<nn::safetensors::TensorRef> tensors;
  tensors.push_back({"loss", nn::safetensors::DType::F32, {1}, std::as_bytes(std::span(&loss_value, 1))});
  for (const auto& [name, p] : module.named_parameters())
    tensors.push_back({"grad." + name, nn::safetensors::DType::F32, dims_of(p->shape()), std::as_bytes(p->grad().span())});
  nn::safetensors::write(out, tensors, {});
  std::printf("%s: loss %.6f, %zu gradients written to %s\n", checkpoint.c_str(), loss_value, tensors.size() - 1,
              out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: dump_gradients CHECKPOINT TEXT BATCH BPTT OUT.safetensors\n");
    return 2;
  }
  long batch = 0, bptt = 0;
  try {
    batch = std::stol(argv[3]);
    bptt = std::stol(argv[4]);
  } catch (const std::exception&) {
  }
  if (batch < 1 || bptt < 1) {
    std::fprintf(stderr, "dump_gradients: BATCH and BPTT must be positive integers (got '%s' and '%s')\n", argv[3],
                 argv[4]);
    return 2;
  }
  try {
    return run(argv[1], argv[2], batch, bptt, argv[5]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dump_gradients: %s\n", e.what());
    return 1;
  }
}
