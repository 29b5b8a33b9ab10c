// SavedModel: loading from a checkpoint, and text ↔ ids.
#include "lm/neural/saved_model.hpp"

#include "lm/text/error.hpp"
#include "lm/text/utf8.hpp"
#include "nn/checkpoint.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/safetensors.hpp"

namespace tapegrad::lm {

void check_checkpoint_tensors(const nn::safetensors::File& file, const ModelConfig& config) {
  if (const auto mismatch = nn::tensor_shape_mismatch(file, config.parameter_shapes()))
    throw FormatError(file.source() + ": the tensors do not match the model configuration (" + config.describe() +
                      ") stored with them: " + *mismatch);
}

void check_checkpoint_model(const nn::safetensors::File& file, const nn::ParameterShapes& shapes,
                            const std::string& configuration) {
  if (const auto mismatch = nn::tensor_shape_mismatch(file, shapes))
    throw FormatError(file.source() + ": the tensors do not match the " + configuration + " stored with them: " +
                      *mismatch);
  nn::check_training_memory(shapes, "the " + configuration);
}

const std::string& required_metadata(const nn::Metadata& metadata, const char* key, const std::string& path,
                                     const char* kind) {
  const auto it = metadata.find(key);
  if (it == metadata.end())
    throw FormatError(path + ": not a tapegrad " + kind + " checkpoint (its metadata has no '" + key + "')");
  return it->second;
}

nn::Metadata SavedModel::model_metadata(const ModelConfig& config, const Vocab& vocab, TokenLevel level) {
  return {{kModelKey, config.to_json()}, {kVocabKey, vocab.to_text()}, {kLevelKey, level_name(level)}};
}

SavedModel SavedModel::load(const std::string& path) {
  SavedModel s;
  const nn::safetensors::File file = nn::safetensors::File::read(path);  // read (and checksummed) once
  s.metadata = nn::read_checkpoint_metadata(file);
  const auto get = [&](const char* key) -> const std::string& {
    return required_metadata(s.metadata, key, path, "language-model");
  };
  s.config = ModelConfig::from_json(get(kModelKey), path);
  s.vocab = Vocab::parse(get(kVocabKey), path + " (vocabulary)");
  try {
    s.level = parse_level(get(kLevelKey));
  } catch (const UsageError& e) {
    throw FormatError(path + ": " + e.what());
  }
  if (static_cast<index_t>(s.vocab.size()) != s.config.vocab)
    throw FormatError(path + ": the vocabulary has " + std::to_string(s.vocab.size()) + " tokens but the model " +
                      std::to_string(s.config.vocab));
  check_checkpoint_tensors(file, s.config);  // before building: a config that lies costs milliseconds, not gigabytes
  Rng rng(0);
  s.model = std::make_unique<LanguageModel>(s.config, rng);
  nn::load_checkpoint(file, {.model = &s.model->module()});
  return s;
}

std::vector<std::int32_t> SavedModel::encode(std::string_view text, std::size_t* unknown) const {
  std::vector<std::int32_t> ids;
  std::size_t unk = 0;
  const auto push = [&](std::string_view token) {
    const auto id = vocab.find(token);
    unk += !id;
    ids.push_back(static_cast<std::int32_t>(id.value_or(Vocab::kUnk)));
  };
  const auto eos = static_cast<std::int32_t>(Vocab::kEos);
  if (level == TokenLevel::Char) {
    // One token per code point, as the char level reads text (lm/text/utf8.hpp); a byte that starts no valid UTF-8
    // sequence is read as U+FFFD, which no vocabulary holds, so it counts as unknown.
    std::size_t i = 0;
    while (i < text.size()) {
      if (text[i] == '\n') {
        ids.push_back(eos);
        ++i;
        continue;
      }
      const std::size_t n = utf8_sequence_length(text, i);
      push(n == 0 ? kReplacementCharacter : text.substr(i, n));
      i += n == 0 ? 1 : n;
    }
  } else {
    std::size_t i = 0;
    while (i < text.size()) {
      if (text[i] == '\n') {
        ids.push_back(eos);
        ++i;
      } else if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
        ++i;
      } else {
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\r' && text[j] != '\n') ++j;
        const std::string_view word = text.substr(i, j - i);
        if (word == Vocab::kEosToken)
          ids.push_back(eos);
        else
          push(word);
        i = j;
      }
    }
  }
  if (unknown) *unknown = unk;
  return ids;
}

std::string SavedModel::token_text(std::int32_t id) const {
  return id == static_cast<std::int32_t>(Vocab::kEos) ? std::string(Vocab::kEosToken)
                                                      : vocab.token(static_cast<WordId>(id));
}

std::string SavedModel::decode(const std::vector<std::int32_t>& ids) const {
  std::string out;
  bool line_start = true;
  for (std::int32_t id : ids) {
    if (id == static_cast<std::int32_t>(Vocab::kEos)) {
      out += '\n';
      line_start = true;
      continue;
    }
    if (level == TokenLevel::Word && !line_start) out += ' ';
    out += vocab.token(static_cast<WordId>(id));
    line_start = false;
  }
  return out;
}

}  // namespace tapegrad::lm
