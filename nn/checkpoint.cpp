// Checkpoints: which tensors and metadata keys hold what (see checkpoint.hpp), and the validate-then-copy loader.
#include "nn/checkpoint.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nn/finite_values.hpp"
#include "nn/number_text.hpp"

namespace tapegrad::nn {

namespace {
using safetensors::DType;
using safetensors::File;
using safetensors::TensorInfo;
using safetensors::TensorRef;

const std::string kReservedKeys = "tapegrad.";  // metadata keys of ours
const std::string kFormatKey = "tapegrad.format";
const std::string kFormatVersion = "1";
const std::string kOptimKey = "tapegrad.optim.";
const std::string kScheduleKey = "tapegrad.schedule.";
const std::string kOptimTensors = "optim.";  // tensor names of ours
const std::string kRngTensor = "rng.state";

bool reserved_tensor_name(const std::string& name) {
  return name.starts_with(kOptimTensors) || name == kRngTensor || name == "__metadata__";
}

std::string slot_tensor_name(const std::string& slot, const Parameter& p) {
  return kOptimTensors + slot + "." + p.name();
}

std::vector<std::uint64_t> dims_of(const Shape& shape) {
  std::vector<std::uint64_t> dims;
  for (int i = 0; i < shape.rank(); ++i) dims.push_back(static_cast<std::uint64_t>(shape[i]));
  return dims;
}

std::string dims_str(const std::vector<std::uint64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::span<const std::byte> bytes_of(const Tensor& t) { return std::as_bytes(t.span()); }

// The model's parameters by full name, each once (a module registered twice lists its parameters twice). Throws
// UsageError for two parameters sharing a name, or a name the checkpoint reserves for itself.
std::vector<std::pair<std::string, Parameter*>> model_parameters(Module& model, const char* who) {
  std::vector<std::pair<std::string, Parameter*>> out;
  std::set<const Parameter*> seen;
  std::set<std::string> names;
  for (Parameter* p : model.parameters()) {
    if (!seen.insert(p).second) continue;
    if (reserved_tensor_name(p->name()))
      throw UsageError(std::string(who) + ": parameter name '" + p->name() +
                       "' is reserved for checkpoint state (\"optim.…\", \"rng.state\")");
    if (!names.insert(p->name()).second)
      throw UsageError(std::string(who) + ": two parameters are named '" + p->name() + "'");
    out.emplace_back(p->name(), p);
  }
  return out;
}

// "a, b, c" — at most 8 names, then "and N more".
std::string name_list(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 8; ++i) s += (i ? ", " : "") + ("'" + names[i] + "'");
  if (names.size() > 8) s += " and " + std::to_string(names.size() - 8) + " more";
  return s;
}

[[noreturn]] void bad(const File& file, const std::string& problem) {
  throw CheckpointError("checkpoint '" + file.source() + "': " + problem);
}

Metadata user_metadata(const File& file) {
  Metadata out;
  for (const auto& [k, v] : file.metadata())
    if (!k.starts_with(kReservedKeys)) out.emplace(k, v);
  return out;
}

void check_format(const File& file) {
  const auto it = file.metadata().find(kFormatKey);
  if (it != file.metadata().end() && it->second != kFormatVersion)
    bad(file, "format version '" + it->second + "' is not one this build reads ('" + kFormatVersion + "')");
}

// Everything the loader will change, gathered while validating; applied only when the whole file checked out.
struct LoadPlan {
  struct Copy {
    const TensorInfo* from;
    Tensor* to;
  };
  std::vector<Copy> copies;
  std::vector<std::string> missing, unexpected;
  std::optional<std::pair<std::int64_t, float>> optim_step_lr;
  std::optional<Rng::State> rng_state;
  std::optional<LrSchedule::State> schedule_state;
};

// `name` must be an F32 tensor of dst's shape; `what` describes dst in messages.
void expect_f32(const File& file, LoadPlan& plan, const std::string& name, Tensor& dst, const char* what) {
  const TensorInfo* t = file.find(name);
  if (t == nullptr) {
    plan.missing.push_back(name);
    return;
  }
  if (t->dtype != DType::F32)
    bad(file, "tensor '" + name + "' has dtype " + std::string(safetensors::dtype_name(t->dtype)) + ", expected F32");
  const std::vector<std::uint64_t> want = dims_of(dst.shape());
  if (t->shape != want)
    bad(file,
        "tensor '" + name + "' has shape " + dims_str(t->shape) + " but " + what + " has shape " + dims_str(want));
  if (const auto non_finite = first_non_finite_f32_bytes(file.data(*t)))
    bad(file, "tensor '" + name + "' " + describe(*non_finite) + " (a checkpoint must hold finite values only)");
  plan.copies.push_back({t, &dst});
}

// Throws CheckpointError naming `path` when a tensor about to be saved holds a NaN or ±∞.
void check_finite_before_saving(const std::filesystem::path& path, const TensorRef& t) {
  if (t.dtype != DType::F32) return;
  if (const auto non_finite = first_non_finite_f32_bytes(t.bytes))
    throw CheckpointError("checkpoint '" + path.string() + "': not written: tensor '" + t.name + "' " +
                          describe(*non_finite) + " (a checkpoint holds finite values only)");
}

void plan_optimizer(const File& file, Optimizer& optim, const LoadOptions& options, LoadPlan& plan) {
  const Metadata& meta = file.metadata();
  const auto kind = meta.find(kOptimKey + "kind");
  if (kind == meta.end()) {
    if (options.strict) bad(file, "holds no optimizer state (it was saved without an optimizer)");
    return;
  }
  if (kind->second != optim.kind())
    bad(file, "holds optimizer state of kind '" + kind->second + "', but the optimizer is of kind '" +
                  std::string(optim.kind()) + "'");
  const auto field = [&](const char* key) -> const std::string& {
    const auto it = meta.find(kOptimKey + key);
    if (it == meta.end()) bad(file, "metadata has no '" + kOptimKey + key + "'");
    return it->second;
  };
  const auto step = text::parse<std::int64_t>(field("step"));
  if (!step || *step < 0) bad(file, "metadata '" + kOptimKey + "step' = '" + field("step") + "' is not an integer ≥ 0");
  const auto lr = text::parse<float>(field("lr"));
  if (!lr || !std::isfinite(*lr) || *lr < 0)
    bad(file, "metadata '" + kOptimKey + "lr' = '" + field("lr") + "' is not a finite number ≥ 0");
  plan.optim_step_lr = {*step, *lr};

  std::set<std::string> expected;
  for (Optimizer::StateSlot& slot : optim.state_slots())
    for (std::size_t i = 0; i < optim.parameters().size(); ++i) {
      const std::string name = slot_tensor_name(slot.name, *optim.parameters()[i]);
      if (!expected.insert(name).second)
        throw UsageError("load_checkpoint: two optimizer parameters are named '" + optim.parameters()[i]->name() + "'");
      expect_f32(file, plan, name, slot.tensors[i], "the optimizer's state");
    }
  for (const TensorInfo& t : file.tensors())
    if (t.name.starts_with(kOptimTensors) && !expected.contains(t.name)) plan.unexpected.push_back(t.name);
}

void plan_rng(const File& file, LoadPlan& plan) {
  const TensorInfo* t = file.find(kRngTensor);
  if (t == nullptr) {
    plan.missing.push_back(kRngTensor);
    return;
  }
  if (t->dtype != DType::U64 || t->shape != std::vector<std::uint64_t>{4})
    bad(file, "tensor '" + kRngTensor + "' is " + std::string(safetensors::dtype_name(t->dtype)) + " " +
                  dims_str(t->shape) + ", expected U64 [4] (the xoshiro256** state)");
  Rng::State s{};
  std::memcpy(s.data(), file.data(*t).data(), sizeof s);
  if (s == Rng::State{}) bad(file, "tensor '" + kRngTensor + "' is all zeros, not a valid xoshiro256** state");
  plan.rng_state = s;
}

void plan_schedule(const File& file, const LrSchedule& schedule, const LoadOptions& options, LoadPlan& plan) {
  LrSchedule::State s;
  for (const auto& [k, v] : file.metadata())
    if (k.starts_with(kScheduleKey)) s.emplace(k.substr(kScheduleKey.size()), v);
  if (s.empty()) {
    if (options.strict) bad(file, "holds no learning-rate schedule state");
    return;
  }
  try {
    schedule.check_state(s);
  } catch (const UsageError& e) {
    bad(file, e.what());
  }
  plan.schedule_state = std::move(s);
}
}  // namespace

void save_checkpoint(const std::filesystem::path& path, const TrainingState& state, const Metadata& metadata) {
  if (state.model == nullptr) throw UsageError("save_checkpoint: TrainingState::model is null");
  std::vector<TensorRef> tensors;
  Metadata meta;
  for (const auto& [k, v] : metadata) {
    if (k.starts_with(kReservedKeys))
      throw UsageError("save_checkpoint: metadata key '" + k + "' is reserved (keys starting with 'tapegrad.')");
    meta.emplace(k, v);
  }
  meta[kFormatKey] = kFormatVersion;

  for (const auto& [name, p] : model_parameters(*state.model, "save_checkpoint"))
    tensors.push_back({name, DType::F32, dims_of(p->shape()), bytes_of(p->value())});

  if (const Optimizer* optim = state.optimizer) {
    meta[kOptimKey + "kind"] = std::string(optim->kind());
    meta[kOptimKey + "step"] = text::format(optim->step_count());
    meta[kOptimKey + "lr"] = text::format(optim->learning_rate());
    // The settings are floats (nesterov 0/1): printed as floats, "0.9" rather than the double "0.8999999761581421".
    for (const auto& [k, v] : optim->hyperparameters()) meta[kOptimKey + k] = text::format(static_cast<float>(v));
    for (const Optimizer::StateSlot& slot : optim->state_slots())
      for (std::size_t i = 0; i < optim->parameters().size(); ++i)
        tensors.push_back({slot_tensor_name(slot.name, *optim->parameters()[i]), DType::F32,
                           dims_of(slot.tensors[i].shape()), bytes_of(slot.tensors[i])});
  }

  Rng::State rng_words{};
  if (state.rng != nullptr) {
    rng_words = state.rng->state();
    tensors.push_back({kRngTensor, DType::U64, {4}, std::as_bytes(std::span(rng_words))});
  }
  if (state.schedule != nullptr)
    for (const auto& [k, v] : state.schedule->state()) meta[kScheduleKey + k] = v;

  for (const TensorRef& t : tensors) check_finite_before_saving(path, t);
  safetensors::write(path, tensors, meta);
}

Metadata load_checkpoint(const std::filesystem::path& path, const TrainingState& state, const LoadOptions& options) {
  if (state.model == nullptr) throw UsageError("load_checkpoint: TrainingState::model is null");
  return load_checkpoint(File::read(path), state, options);
}

Metadata load_checkpoint(const File& file, const TrainingState& state, const LoadOptions& options) {
  if (state.model == nullptr) throw UsageError("load_checkpoint: TrainingState::model is null");
  check_format(file);

  // 1. Validate and plan: nothing is written to the model, optimizer, schedule or Rng in this part.
  LoadPlan plan;
  std::set<std::string> model_names;
  for (const auto& [name, p] : model_parameters(*state.model, "load_checkpoint")) {
    model_names.insert(name);
    expect_f32(file, plan, name, p->value(), "the model's parameter");
  }
  for (const TensorInfo& t : file.tensors())
    if (!reserved_tensor_name(t.name) && !model_names.contains(t.name)) plan.unexpected.push_back(t.name);
  if (state.optimizer != nullptr) plan_optimizer(file, *state.optimizer, options, plan);
  if (state.rng != nullptr) plan_rng(file, plan);
  if (state.schedule != nullptr) plan_schedule(file, *state.schedule, options, plan);
  if (options.strict && !plan.missing.empty())
    bad(file, "missing tensors: " + name_list(plan.missing) + " (the file does not match the model/optimizer)");
  if (options.strict && !plan.unexpected.empty())
    bad(file, "unexpected tensors, not in the model/optimizer: " + name_list(plan.unexpected));

  // 2. Apply. Copies adjacent both in the file and in memory (the parameters of a ParameterBlock, written by a
  // packed model, read into one) are made as one.
  std::span<const std::byte> from;
  std::byte* to = nullptr;
  for (const LoadPlan::Copy& c : plan.copies) {
    const std::span<const std::byte> bytes = file.data(*c.from);
    auto* dst = reinterpret_cast<std::byte*>(c.to->data());
    if (bytes.empty()) continue;
    if (!from.empty() && from.data() + from.size() == bytes.data() && to + from.size() == dst) {
      from = {from.data(), from.size() + bytes.size()};
      continue;
    }
    if (!from.empty()) std::memcpy(to, from.data(), from.size());
    from = bytes;
    to = dst;
  }
  if (!from.empty()) std::memcpy(to, from.data(), from.size());
  if (plan.optim_step_lr) {
    state.optimizer->set_step_count(plan.optim_step_lr->first);
    state.optimizer->set_learning_rate(plan.optim_step_lr->second);
  }
  if (plan.rng_state) state.rng->set_state(*plan.rng_state);
  if (plan.schedule_state) state.schedule->load_state(*plan.schedule_state);
  return user_metadata(file);
}

Metadata read_checkpoint_metadata(const std::filesystem::path& path) { return read_checkpoint_metadata(File::read(path)); }

Metadata read_checkpoint_metadata(const File& file) {
  check_format(file);
  return user_metadata(file);
}

}  // namespace tapegrad::nn
