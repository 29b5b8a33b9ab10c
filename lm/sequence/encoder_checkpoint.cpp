// Encoder configuration and vocabularies in checkpoint metadata (see encoder_checkpoint.hpp).
#include "lm/sequence/encoder_checkpoint.hpp"

#include <nlohmann/json.hpp>

#include "lm/neural/saved_model.hpp"
#include "lm/text/error.hpp"

namespace tapegrad::lm {

nn::Metadata encoder_metadata(const std::string& kind, const EncoderConfig& config, const EncoderVocab& vocab) {
  return {{"task", kind},
          {"encoder_config", config.to_json()},
          {"words", vocab.words.to_json()},
          {"word_counts", nlohmann::json(vocab.word_counts).dump()},
          {"chars", vocab.chars.to_json()}};
}

std::pair<EncoderConfig, EncoderVocab> read_encoder_metadata(const nn::Metadata& m, const std::string& kind,
                                                             const std::string& path) {
  const char* what = kind.c_str();
  const std::string& task = required_metadata(m, "task", path, what);
  if (task != kind) throw FormatError(path + ": a " + task + " checkpoint, not a " + kind);
  EncoderConfig config = EncoderConfig::from_json(required_metadata(m, "encoder_config", path, what), path);
  EncoderVocab vocab{SymbolTable::from_json(required_metadata(m, "words", path, what), true, path),
                     SymbolTable::from_json(required_metadata(m, "chars", path, what), true, path),
                     {}};
  try {
    vocab.word_counts =
        nlohmann::json::parse(required_metadata(m, "word_counts", path, what)).get<std::vector<std::uint64_t>>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path + ": bad word_counts (" + e.what() + ")");
  }
  if (vocab.word_counts.size() != vocab.words.size())
    throw FormatError(path + ": " + std::to_string(vocab.word_counts.size()) + " word counts for " +
                      std::to_string(vocab.words.size()) + " words");
  return {config, std::move(vocab)};
}

}  // namespace tapegrad::lm
