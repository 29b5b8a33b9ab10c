// SavedModel: a trained language model rebuilt from its checkpoint alone — the checkpoint's metadata hold the model
// configuration, the vocabulary and the token level under the keys below (the trainer writes them, and the training
// state beside them: lm/training/training_checkpoint.hpp) — and the conversion between text and token ids at the
// model's level — words split on white space, or bytes — for the commands that use a model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/dataset.hpp"
#include "nn/checkpoint.hpp"
#include "nn/safetensors.hpp"

namespace tapegrad::lm {

struct SavedModel {
  // The metadata keys of a language-model checkpoint that describe the model.
  static constexpr const char* kModelKey = "model_config";  // ModelConfig::to_json()
  static constexpr const char* kVocabKey = "vocab";         // Vocab::to_text()
  static constexpr const char* kLevelKey = "level";         // level_name(): "word" | "char"
  // Those three entries, as a checkpoint stores them.
  static nn::Metadata model_metadata(const ModelConfig& config, const Vocab& vocab, TokenLevel level);

  ModelConfig config;
  Vocab vocab;
  TokenLevel level = TokenLevel::Word;
  nn::Metadata metadata;
  std::unique_ptr<LanguageModel> model;

  // Throws CheckpointError / FormatError naming the file when it is not a tapegrad language-model checkpoint —
  // including a configuration beyond the limits of ModelConfig::validate or one the file's tensors do not match
  // (check_checkpoint_tensors), both found before the model is built.
  static SavedModel load(const std::string& path);

  // Text → ids: words (white space separated; a line break ends a sentence: </s>) or characters (UTF-8 code points;
// a line break is </s>).
  // Unknown tokens become <unk>; `unknown` (optional) receives how many.
  std::vector<std::int32_t> encode(std::string_view text, std::size_t* unknown = nullptr) const;
  // Ids → text: words joined by spaces, characters concatenated; </s> becomes a line break.
  std::string decode(const std::vector<std::int32_t>& ids) const;
  std::string token_text(std::int32_t id) const;  // one token as shown to a user ("</s>" for the boundary)
};

// Checks that a checkpoint file (read with nn::safetensors::File::read) holds every parameter `config` describes
// (ModelConfig::parameter_shapes), as F32 tensors of the same shapes: FormatError naming the file and the first
// tensor that is missing or differs. What SavedModel::load does before it builds the model; call it too before
// building a model from a checkpoint's configuration elsewhere (resuming training).
void check_checkpoint_tensors(const nn::safetensors::File& file, const ModelConfig& config);
// The same for any model — `shapes` computed from the configuration stored in the file, named by `configuration`
// ("tagger configuration (BiLSTM 1×128, …)") in the message — and then that training such a model fits in the
// machine's memory (nn::check_training_memory): what a task model's loader checks before it builds the model.
void check_checkpoint_model(const nn::safetensors::File& file, const nn::ParameterShapes& shapes,
                            const std::string& configuration);

// The entry `key` of a checkpoint's metadata; FormatError "<path>: not a tapegrad <kind> checkpoint (its metadata
// has no '<key>')" when there is none. kind: "language-model", "training".
const std::string& required_metadata(const nn::Metadata& metadata, const char* key, const std::string& path,
                                     const char* kind);

}  // namespace tapegrad::lm
