// TrainingCheckpoint: writing and reading the training metadata of a checkpoint, and the checks before resuming.
#include "lm/training/training_checkpoint.hpp"

#include <stdexcept>

#include "lm/neural/saved_model.hpp"
#include "lm/text/error.hpp"
#include "nn/safetensors.hpp"
#include "nn/number_text.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

nn::Metadata TrainingCheckpoint::metadata(const LmDataset& data) const {
  nn::Metadata meta = SavedModel::model_metadata(model, data.vocab, data.level);
  meta[kOptionsKey] = options.to_json();
  meta[kEpochKey] = std::to_string(epoch);
  meta[kBestKey] = nn::text::format(best_valid_loss);  // shortest text that reads back to the same double
  meta[kBadKey] = std::to_string(bad_epochs);
  meta[kCurveKey] = curve_csv(curve, /*exact=*/true);
  meta[kDataKey] = data.source;
  meta[kDataOptionsKey] = data.options.to_json();
  return meta;
}

TrainingCheckpoint TrainingCheckpoint::read(const std::string& path) {
  const nn::safetensors::File file = nn::safetensors::File::read(path);
  const nn::Metadata meta = nn::read_checkpoint_metadata(file);
  const auto get = [&](const char* key) -> const std::string& {
    return required_metadata(meta, key, path, "training");
  };
  TrainingCheckpoint c;
  c.path = path;
  c.model = ModelConfig::from_json(get(SavedModel::kModelKey), path);
  TokenLevel level;
  try {
    level = parse_level(get(SavedModel::kLevelKey));
  } catch (const UsageError& e) {
    throw FormatError(path + ": " + e.what());
  }
  if (const auto it = meta.find(kDataOptionsKey); it != meta.end()) {
    c.data_options = DatasetOptions::from_json(it->second, path);
    if (c.data_options.level != level)
      throw FormatError(path + ": the data options say the " + level_name(c.data_options.level) +
                        " level, the checkpoint's level is " + level_name(level));
  } else {  // written before the data options were stored: the level is all that is known
    c.data_options_stored = false;
    c.data_options.level = level;
  }
  c.vocab_text_ = get(SavedModel::kVocabKey);
  check_checkpoint_tensors(file, c.model);  // a config that lies fails here, before the model is built
  c.options = TrainOptions::from_json(get(kOptionsKey), path);
  try {
    c.epoch = std::stoi(get(kEpochKey));
    c.best_valid_loss = std::stod(get(kBestKey));
    c.bad_epochs = std::stoi(get(kBadKey));
  } catch (const std::logic_error&) {  // std::invalid_argument, std::out_of_range
    throw FormatError(path + ": malformed epoch or loss in the checkpoint's metadata");
  }
  c.curve = parse_curve_csv(get(kCurveKey), path);
  return c;
}

void TrainingCheckpoint::check_data(const LmDataset& data) const {
  const TokenLevel level = data_options.level;
  if (level != data.level)
    throw UsageError(path + ": the checkpoint was trained at the " + level_name(level) + " level, but " + data.source +
                     " was read at the " + level_name(data.level) + " level: resume with --level " + level_name(level));
  if (model.vocab != static_cast<index_t>(data.vocab.size()) || vocab_text_ != data.vocab.to_text())
    throw UsageError(path + ": the checkpoint was trained with another vocabulary (" + std::to_string(model.vocab) +
                     " tokens) than the one of " + data.source + " (" + std::to_string(data.vocab.size()) +
                     " tokens): resume with the data it was trained on");
}

TrainingCheckpoint TrainingCheckpoint::read(const std::string& path, const LmDataset& data) {
  TrainingCheckpoint c = read(path);
  c.check_data(data);
  return c;
}

TrainOptions TrainingCheckpoint::resume_options(const TrainOptions& given) const {
  TrainOptions o = options;
  o.epochs = given.epochs, o.max_seconds = given.max_seconds, o.save = given.save, o.progress = given.progress;
  o.json = given.json, o.clock_start = given.clock_start, o.final_eval_tokens = given.final_eval_tokens;
  return o;
}

}  // namespace tapegrad::lm
