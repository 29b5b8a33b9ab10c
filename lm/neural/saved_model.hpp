// SavedModel: a trained language model rebuilt from its checkpoint alone (configuration, vocabulary and level are
// in the checkpoint's metadata; lm/training/trainer.hpp writes them), and the conversion between text and token ids at
// the model's level — words split on white space, or bytes — for the commands that use a model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/dataset.hpp"
#include "nn/checkpoint.hpp"

namespace tapegrad::lm {

struct SavedModel {
  ModelConfig config;
  Vocab vocab;
  TokenLevel level = TokenLevel::Word;
  nn::Metadata metadata;
  std::unique_ptr<LanguageModel> model;

  // Throws CheckpointError / FormatError naming the file when it is not a tapegrad language-model checkpoint.
  static SavedModel load(const std::string& path);

  // Text → ids: words (white space separated; a line break ends a sentence: </s>) or bytes (a line break is </s>).
  // Unknown tokens become <unk>; `unknown` (optional) receives how many.
  std::vector<std::int32_t> encode(std::string_view text, std::size_t* unknown = nullptr) const;
  // Ids → text: words joined by spaces, characters concatenated; </s> becomes a line break.
  std::string decode(const std::vector<std::int32_t>& ids) const;
  std::string token_text(std::int32_t id) const;  // one token as shown to a user ("</s>" for the boundary)
};

}  // namespace tapegrad::lm
