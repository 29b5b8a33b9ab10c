// TrainingCheckpoint: the metadata of a checkpoint the trainer writes — the model's part, under SavedModel's keys
// (configuration, vocabulary, token level: lm/neural/saved_model.hpp), and the training state beside it (options,
// completed epochs, best validation loss, epochs without improvement, learning curve, the data's source). The
// tensors (parameters, optimizer and schedule state, Rng) are nn::save_checkpoint's part.
//
// read() is the one place where a checkpoint is checked before training resumes from it: it must be a training
// checkpoint of tapegrad with well-formed metadata (FormatError otherwise), and it must have been trained on the
// vocabulary of the data given (UsageError otherwise: the user chose the wrong data or file). It returns the model
// configuration and the options to resume with; Trainer::resume then checks the model in hand against it.
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

  std::string path;  // the file it was read from (empty when written)
  ModelConfig model;
  TrainOptions options;
  int epoch = 0;
  double best_valid_loss = std::numeric_limits<double>::infinity();
  int bad_epochs = 0;
  std::vector<CurvePoint> curve;

  // Every metadata entry of a checkpoint of this state trained on `data`.
  nn::Metadata metadata(const LmDataset& data) const;
  // Reads and checks the metadata of `path` against `data` (see above).
  static TrainingCheckpoint read(const std::string& path, const LmDataset& data);
  // The options a resumed run trains with: the stored ones, except what may change from run to run — the number of
  // epochs, the time limit, the save path and the progress bar — which come from `given`.
  TrainOptions resume_options(const TrainOptions& given) const;
};

}  // namespace tapegrad::lm
