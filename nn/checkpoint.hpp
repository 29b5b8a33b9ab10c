// Checkpoints: a model's parameters, an optimizer's state, a schedule's progress, an Rng's state and free-form
// metadata in one safetensors file (layout in nn/safetensors.hpp, the whole story in docs/checkpoints.md).
//
//   nn::save_checkpoint("lm.safetensors", {.model = &lm, .optimizer = &sgd, .schedule = &schedule, .rng = &rng},
//                       {{"config", config_json}, {"vocab", vocab_text}, {"epoch", "3"}});
//   ...
//   auto meta = nn::read_checkpoint_metadata("lm.safetensors");     // config first, to build the model
//   Model lm(parse_config(meta.at("config")));
//   nn::load_checkpoint("lm.safetensors", {.model = &lm});           // evaluation: parameters only
//
// What the file holds:
//   tensor "<parameter name>"            F32, the parameter's shape           (every parameter of the model)
//   tensor "optim.<slot>.<param name>"   F32, e.g. optim.exp_avg.rnn.W_ih      (every state slot of the optimizer)
//   tensor "rng.state"                   U64 [4], the xoshiro256** state words
//   metadata "tapegrad.format" = "1"; "tapegrad.checksum" = "crc32:…" (of the data section, safetensors.hpp);
//            "tapegrad.optim.kind|step|lr" and "tapegrad.optim.<hyperparameter>"; "tapegrad.schedule.<key>" (the
//            schedule's state()); and the caller's own keys, which must not start with "tapegrad.".
//
// Loading validates everything first — the file's layout and its checksum (safetensors.hpp), then every tensor it
// must supply (present, F32/U64, the same shape as the object it goes into, every F32 value finite: a NaN or ±∞ is
// refused naming the tensor), the scalar state and the schedule state — and only then copies. A
// failure throws CheckpointError naming the file and the problem, with model, optimizer, schedule and Rng untouched.
// Strict mode (the default) also refuses missing tensors and model tensors the model does not have, naming them;
// non-strict mode leaves missing pieces as they are and ignores unknown tensors. Sections not asked for (no optimizer
// given, say) are skipped. The optimizer's hyperparameters and the schedule's settings are recorded for the reader
// but not restored: construct them as before, then load.
#pragma once

#include <filesystem>

#include "nn/checkpoint_error.hpp"
#include "nn/module.hpp"
#include "nn/optimizer.hpp"
#include "nn/safetensors.hpp"
#include "nn/schedule.hpp"
#include "ops/random.hpp"

namespace tapegrad::nn {

using safetensors::Metadata;

// What a checkpoint saves or restores; null members are skipped. The model is required.
struct TrainingState {
  Module* model = nullptr;
  Optimizer* optimizer = nullptr;
  LrSchedule* schedule = nullptr;
  Rng* rng = nullptr;
};

struct LoadOptions {
  bool strict = true;  // missing tensors and unknown model tensors are errors
};

// Writes atomically (temporary file + rename), with the checksum of the data in the metadata. Throws UsageError for
// names the format cannot hold (two parameters with one name, a parameter named like the reserved
// "optim.…"/"rng.state", a metadata key starting with "tapegrad."), CheckpointError naming the file for I/O failures
// and for a parameter or optimizer state holding a NaN or ±∞ (nothing is written then: a checkpoint holds finite
// values only).
void save_checkpoint(const std::filesystem::path& path, const TrainingState& state, const Metadata& metadata = {});

// Restores what `state` points to and returns the caller's metadata (the keys not starting with "tapegrad.").
Metadata load_checkpoint(const std::filesystem::path& path, const TrainingState& state,
                         const LoadOptions& options = {});

// The same from a file already read (safetensors::File::read): a loader that first reads the config, checks the
// tensors against it and then loads reads and checksums the file once.
Metadata load_checkpoint(const safetensors::File& file, const TrainingState& state, const LoadOptions& options = {});

// The caller's metadata only, after validating the file's layout (e.g. the model config, read before the model
// exists).
Metadata read_checkpoint_metadata(const std::filesystem::path& path);
Metadata read_checkpoint_metadata(const safetensors::File& file);

}  // namespace tapegrad::nn
