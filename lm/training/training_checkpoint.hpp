// TrainingCheckpoint: the metadata of a checkpoint the trainer writes — the model's part, under SavedModel's keys
// (configuration, vocabulary, token level: lm/neural/saved_model.hpp), and the training state beside it (options,
// completed epochs, best validation loss, epochs without improvement, learning curve, the data's source). The
// tensors (parameters, optimizer and schedule state, Rng) are nn::save_checkpoint's part.
//
// read() and check_data() are the one place where a checkpoint is checked before training resumes from it: it must
// be a training checkpoint of tapegrad with well-formed metadata (FormatError otherwise), and it must have been
// trained on the vocabulary of the data given (UsageError otherwise: the user chose the wrong data or file). read()
// comes first, before any data is read: it returns how the data was read (data_options), the model configuration and
// the options to resume with, so that the data can be read the same way; Trainer::resume then checks the model in
// hand against it.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "lm/neural/model_config.hpp"
#include "lm/text/dataset.hpp"
#include "lm/training/learning_curve.hpp"
#include "lm/training/train_options.hpp"
#include "nn/checkpoint.hpp"

namespace tapegrad::lm {

struct TrainingCheckpoint {
  // Metadata keys of the training state (the model's keys are SavedModel::kModelKey, kVocabKey, kLevelKey).
  static constexpr const char* kOptionsKey = "train_options";  // TrainOptions::to_json()
  static constexpr const char* kEpochKey = "epoch";            // completed epochs
  static constexpr const char* kBestKey = "best_valid_loss";   // nats per token
  static constexpr const char* kBadKey = "bad_epochs";         // epochs since the best one
  static constexpr const char* kCurveKey = "curve_csv";        // curve_csv(curve, exact = true)
  static constexpr const char* kDataKey = "data";              // the folder or file trained on (for the reader)
  static constexpr const char* kDataOptionsKey = "data_options";  // DatasetOptions::to_json(): level, split, …

  std::string path;  // the file it was read from (empty when written)
  // How the data was read: level, split, min-count, encoding. Checkpoints written before data_options existed
  // record the level only (data_options_stored false: the other fields are the defaults, not what the run used).
  DatasetOptions data_options;
  bool data_options_stored = true;
  ModelConfig model;
  TrainOptions options;
  int epoch = 0;
  double best_valid_loss = std::numeric_limits<double>::infinity();
  int bad_epochs = 0;
  std::vector<CurvePoint> curve;

 private:
  std::string vocab_text_;  // Vocab::to_text() of the vocabulary trained with

 public:
  // Every metadata entry of a checkpoint of this state trained on `data`.
  nn::Metadata metadata(const LmDataset& data) const;
  // Reads and checks the metadata and the tensors' shapes of `path` (see above), before any data is read.
  static TrainingCheckpoint read(const std::string& path);
  // UsageError unless `data` was read at the checkpoint's level with the checkpoint's vocabulary.
  void check_data(const LmDataset& data) const;
  // Both.
  static TrainingCheckpoint read(const std::string& path, const LmDataset& data);
  // The options a resumed run trains with: the stored ones, except what may change from run to run — the number of
  // epochs, the time limit (and the time already spent), the save path, the progress bar and the JSON output — which
  // come from `given`.
  TrainOptions resume_options(const TrainOptions& given) const;
};

}  // namespace tapegrad::lm
