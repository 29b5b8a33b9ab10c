// TrainOptions: names, validation, the JSON form stored in checkpoints, and the optimizer and schedule they build.
#include "lm/training/train_options.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "lm/text/error.hpp"
#include "nn/number_text.hpp"
#include "nn/adam.hpp"
#include "nn/sgd.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "sgd") return OptimizerKind::SGD;
  if (name == "adam") return OptimizerKind::Adam;
  if (name == "adamw") return OptimizerKind::AdamW;
  throw UsageError("unknown optimizer '" + name + "' (expected sgd, adam or adamw)");
}

ScheduleKind parse_schedule(const std::string& name) {
  if (name == "plateau") return ScheduleKind::Plateau;
  if (name == "zaremba") return ScheduleKind::Zaremba;
  if (name == "none") return ScheduleKind::None;
  throw UsageError("unknown schedule '" + name + "' (expected plateau, zaremba or none)");
}

void TrainOptions::validate() const {
  parse_optimizer(optimizer);
  parse_schedule(schedule);
  if (batch <= 0 || bptt <= 0 || eval_batch <= 0 || epochs < 0)
    throw UsageError("training options: batch, bptt and eval batch must be positive and epochs non-negative (got " +
                     std::to_string(batch) + ", " + std::to_string(bptt) + ", " + std::to_string(eval_batch) + " and " +
                     std::to_string(epochs) + ")");
  if (!(clip >= 0) || !std::isfinite(clip))
    throw UsageError("training options: the clipping norm (--clip) must be a finite number ≥ 0 (0 = no clipping), got " +
                     std::to_string(clip));
  // NaN fails every comparison: each test is written so that it then fails too.
  const std::pair<const char*, double> non_negative[] = {{"learning rate (--lr)", lr},
                                                         {"momentum (--momentum)", momentum},
                                                         {"weight decay (--weight-decay)", weight_decay},
                                                         {"time limit (--max-time)", max_seconds}};
  for (const auto& [name, value] : non_negative)
    if (!(value >= 0) || !std::isfinite(value))
      throw UsageError(std::string("training options: the ") + name + " must be a finite number ≥ 0, got " +
                       std::to_string(value));
}

std::string TrainOptions::to_json() const {
  const nlohmann::json j = {{"optimizer", optimizer},
                            {"lr", nn::text::decimal(lr)},
                            {"momentum", nn::text::decimal(momentum)},
                            {"weight_decay", nn::text::decimal(weight_decay)},
                            {"clip", nn::text::decimal(clip)},
                            {"schedule", schedule},
                            {"decay", nn::text::decimal(decay)},
                            {"decay_start", decay_start},
                            {"patience", patience},
                            {"batch", batch},
                            {"bptt", bptt},
                            {"eval_batch", eval_batch},
                            {"epochs", epochs},
                            {"max_seconds", max_seconds},
                            {"eval_interval", eval_interval},
                            {"max_valid_tokens", max_valid_tokens},
                            {"seed", seed}};
  return j.dump();
}

TrainOptions TrainOptions::from_json(const std::string& text, const std::string& source) {
  TrainOptions o;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    o.optimizer = j.at("optimizer").get<std::string>();
    o.lr = j.at("lr").get<float>();
    o.momentum = j.at("momentum").get<float>();
    o.weight_decay = j.at("weight_decay").get<float>();
    o.clip = j.at("clip").get<float>();
    o.schedule = j.at("schedule").get<std::string>();
    o.decay = j.at("decay").get<float>();
    o.decay_start = j.at("decay_start").get<int>();
    o.patience = j.at("patience").get<int>();
    o.batch = j.at("batch").get<index_t>();
    o.bptt = j.at("bptt").get<index_t>();
    o.eval_batch = j.at("eval_batch").get<index_t>();
    o.epochs = j.at("epochs").get<int>();
    o.max_seconds = j.at("max_seconds").get<double>();
    o.eval_interval = j.at("eval_interval").get<index_t>();
    o.max_valid_tokens = j.at("max_valid_tokens").get<index_t>();
    o.seed = j.at("seed").get<std::uint64_t>();
    o.validate();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": bad training options: " + e.what());
  } catch (const UsageError& e) {
    throw FormatError(source + ": bad training options: " + e.what());
  }
  return o;
}

std::unique_ptr<nn::Optimizer> make_optimizer(const TrainOptions& o, nn::Module& module) {
  switch (parse_optimizer(o.optimizer)) {
    case OptimizerKind::SGD:
      return std::make_unique<nn::SGD>(
          module.parameters(), nn::SGDOptions{.lr = o.lr, .momentum = o.momentum, .weight_decay = o.weight_decay});
    case OptimizerKind::Adam:
      return std::make_unique<nn::Adam>(module.parameters(),
                                        nn::AdamOptions{.lr = o.lr, .weight_decay = o.weight_decay});
    case OptimizerKind::AdamW:
      return std::make_unique<nn::AdamW>(module.parameters(),
                                         nn::AdamWOptions{.lr = o.lr, .weight_decay = o.weight_decay});
  }
  return nullptr;
}

std::unique_ptr<nn::LrSchedule> make_schedule(const TrainOptions& o, nn::Optimizer& optimizer) {
  switch (parse_schedule(o.schedule)) {
    case ScheduleKind::Plateau:  // lr × decay after every epoch whose validation loss did not improve
      return std::make_unique<nn::ReduceOnPlateau>(
          optimizer, nn::PlateauOptions{.factor = o.decay, .patience = 0, .threshold = 0.0, .min_lr = 0.0});
    case ScheduleKind::Zaremba:  // constant for decay_start epochs, then × decay per epoch
      return std::make_unique<nn::ConstantThenDecay>(optimizer, o.decay_start, o.decay);
    case ScheduleKind::None:
      break;
  }
  return nullptr;
}

}  // namespace tapegrad::lm
