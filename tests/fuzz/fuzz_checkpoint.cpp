// libFuzzer target: a whole language-model checkpoint, loaded the way `tapegrad eval` and `generate` load one
// (lm::SavedModel::load: the safetensors layout, the metadata's model config, vocabulary and level, then the
// tensors), then one forward pass over a few tokens (lm::evaluate, as `eval` runs it). A checkpoint that loads must
// survive a round trip: saved with nn::save_checkpoint and loaded again, it gives the same config, vocabulary and
// parameters, bit for bit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "lm/neural/evaluate.hpp"
#include "lm/neural/saved_model.hpp"
#include "nn/checkpoint.hpp"
#include "ops/error.hpp"

using tapegrad::fuzz::require;

namespace {

void forward_a_few_tokens(tapegrad::lm::SavedModel& m) {
  std::vector<std::int32_t> stream;
  const std::size_t tokens = std::min<std::size_t>(m.vocab.size(), 6);
  for (std::size_t i = 0; i < tokens; ++i) stream.push_back(static_cast<std::int32_t>(i));
  tapegrad::lm::PerplexityOptions options;
  options.batch = 1;
  options.bptt = 4;
  (void)tapegrad::lm::evaluate(*m.model, stream, options);
}

void require_round_trip(tapegrad::lm::SavedModel& m) {
  const std::string path = tapegrad::fuzz::scratch_dir() / "saved.safetensors";
  tapegrad::nn::save_checkpoint(path, {.model = &m.model->module()}, m.metadata);
  tapegrad::lm::SavedModel again = tapegrad::lm::SavedModel::load(path);  // an error here is a finding
  require(again.config.to_json() == m.config.to_json(), "round trip keeps the model config");
  require(again.level == m.level, "round trip keeps the level");
  require(again.vocab.to_text() == m.vocab.to_text(), "round trip keeps the vocabulary");
  auto a = m.model->module().named_parameters();
  auto b = again.model->module().named_parameters();
  require(a.size() == b.size(), "round trip keeps every parameter");
  for (std::size_t i = 0; i < a.size(); ++i) {
    require(a[i].first == b[i].first, "round trip keeps the parameter names");
    const auto& x = a[i].second->value();
    const auto& y = b[i].second->value();
    require(x.shape() == y.shape(), "round trip keeps the parameter shapes");
    require(std::memcmp(x.data(), y.data(), static_cast<std::size_t>(x.numel()) * sizeof(float)) == 0,
            "round trip keeps the parameter values bit for bit");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path =
      tapegrad::fuzz::scratch_file("input.safetensors", {reinterpret_cast<const char*>(data), size});
  try {
    tapegrad::lm::SavedModel m = tapegrad::lm::SavedModel::load(path);
    forward_a_few_tokens(m);
    require_round_trip(m);
  } catch (const tapegrad::Error&) {
    // A clean rejection (CheckpointError / FormatError naming the file).
  }
  return 0;
}
