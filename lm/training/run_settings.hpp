// RunSettings: the settings that define a training run — how the data is read (DatasetOptions), the model
// (ModelConfig) and how it is trained (TrainOptions) — each as the `tapegrad train` flag that sets it and its value
// as text. A resumed run (--resume) continues the checkpoint's run: these settings come from the checkpoint, and the
// CLI compares them with the flags the user gave to name each flag that would change one of them.
//
// What is not here may change from run to run: --epochs, --max-time, --threads, --save, --quiet, --json, --sample,
// --temperature and the path of --data (its vocabulary is checked instead: TrainingCheckpoint::check_data).
#pragma once

#include <string>
#include <vector>

#include "lm/neural/model_config.hpp"
#include "lm/text/dataset.hpp"
#include "lm/training/train_options.hpp"

namespace tapegrad::lm {

struct RunSetting {
  std::string flag;   // "--lr"
  std::string value;  // "0.002": floats as the shortest decimal that reads back to the same float; flags
                      // without a value (--tied) as "true" / "false"
};

// Every setting of a run, always the same flags in the same order (so that two lists compare entry by entry).
std::vector<RunSetting> run_settings(const DatasetOptions& data, const ModelConfig& model, const TrainOptions& options);

// One difference between the settings a user gave and a checkpoint's.
struct SettingChange {
  std::string flag, given, stored;
};
// The entries of `given` whose flag `was_given` says the user passed and whose value differs from `stored`'s.
template <class WasGiven>
std::vector<SettingChange> changed_settings(const std::vector<RunSetting>& given, const std::vector<RunSetting>& stored,
                                            WasGiven was_given) {
  std::vector<SettingChange> out;
  for (std::size_t i = 0; i < given.size() && i < stored.size(); ++i)
    if (given[i].value != stored[i].value && was_given(given[i].flag))
      out.push_back({given[i].flag, given[i].value, stored[i].value});
  return out;
}

}  // namespace tapegrad::lm
