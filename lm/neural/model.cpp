// LanguageModel: the recurrent or the window model, as the configuration says.
#include "lm/neural/model.hpp"

namespace tapegrad::lm {

LanguageModel::LanguageModel(const ModelConfig& config, Rng& rng) {
  if (config.recurrent())
    rnn_ = std::make_unique<RNNLM>(config, rng);
  else
    window_ = std::make_unique<WindowLM>(config, rng);
  module().pack_parameters();  // every parameter in one block, every gradient in another (nn/module.hpp)
}

}  // namespace tapegrad::lm
