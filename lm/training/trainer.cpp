// Trainer: the epoch loop, validation, checkpoints, learning curve, schedule and early stopping.
#include "lm/training/trainer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lm/neural/evaluate.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/report/progress.hpp"
#include "lm/report/svg_plot.hpp"
#include "lm/text/batcher.hpp"
#include "lm/text/error.hpp"
#include "lm/training/stepper.hpp"
#include "nn/adam.hpp"
#include "nn/sgd.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace fs = std::filesystem;

// ---- options as JSON (stored in checkpoints) -------------------------------------------------------------------

std::string TrainOptions::to_json() const {
  const nlohmann::json j = {{"optimizer", optimizer},
                            {"lr", lr},
                            {"momentum", momentum},
                            {"weight_decay", weight_decay},
                            {"clip", clip},
                            {"schedule", schedule},
                            {"decay", decay},
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
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": bad training options: " + e.what());
  }
  return o;
}

// ---- files ---------------------------------------------------------------------------------------------------

namespace {
fs::path stem_of(const std::string& save) {
  fs::path p(save);
  if (p.extension() == ".safetensors") p.replace_extension();
  return p;
}
}  // namespace

std::string Trainer::last_path(const std::string& save) { return stem_of(save).string() + ".last.safetensors"; }

std::string Trainer::curve_path(const std::string& save, const char* extension) {
  return stem_of(save).string() + ".curve." + extension;
}

std::string Trainer::curve_csv(const std::vector<CurvePoint>& curve, bool exact) {
  std::ostringstream csv;
  csv << "epoch,lr,train_loss,train_ppl,valid_loss,valid_ppl,seconds,tokens_per_second\n";
  char line[512];
  for (const CurvePoint& p : curve) {
    if (exact)  // every double round-trips (checkpoints: a resumed run reports the same history)
      std::snprintf(line, sizeof line, "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", p.epoch, p.lr, p.train_loss,
                    std::exp(p.train_loss), p.valid_loss, std::exp(p.valid_loss), p.seconds, p.tokens_per_second);
    else
      std::snprintf(line, sizeof line, "%.4f,%.9g,%.6f,%.4f,%.6f,%.4f,%.2f,%.1f\n", p.epoch, p.lr, p.train_loss,
                    std::exp(p.train_loss), p.valid_loss, std::exp(p.valid_loss), p.seconds, p.tokens_per_second);
    csv << line;
  }
  return csv.str();
}

std::vector<CurvePoint> Trainer::parse_curve_csv(const std::string& text, const std::string& source) {
  std::vector<CurvePoint> curve;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  for (int number = 2; std::getline(in, line); ++number) {
    CurvePoint p;
    double train_ppl = 0, valid_ppl = 0;
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &p.epoch, &p.lr, &p.train_loss, &train_ppl,
                    &p.valid_loss, &valid_ppl, &p.seconds, &p.tokens_per_second) != 8)
      throw FormatError(source + ": learning curve line " + std::to_string(number) + " is malformed");
    curve.push_back(p);
  }
  return curve;
}

void Trainer::write_curve() const {
  if (options_.save.empty()) return;
  write_text_file(curve_path(options_.save, "csv"), curve_csv(curve_));
  PlotSeries train{"train", {}, {}, "#1f77b4", false}, valid{"valid", {}, {}, "#d62728", false};
  for (const CurvePoint& p : curve_) {
    train.x.push_back(p.epoch);
    train.y.push_back(std::exp(p.train_loss));
    valid.x.push_back(p.epoch);
    valid.y.push_back(std::exp(p.valid_loss));
  }
  PlotOptions po;
  po.title = model_.config().describe();
  po.x_label = "epoch";
  po.y_label = "perplexity";
  po.log_y = true;
  write_text_file(curve_path(options_.save, "svg"), svg_line_plot({train, valid}, po));
}

// ---- construction ----------------------------------------------------------------------------------------------

Trainer::Trainer(LanguageModel& model, const LmDataset& data, const TrainOptions& options, std::ostream& log)
    : model_(model), data_(data), options_(options), log_(log), rng_(options.seed) {
  if (static_cast<index_t>(data.vocab.size()) != model.config().vocab)
    throw UsageError("Trainer: the model has a vocabulary of " + std::to_string(model.config().vocab) +
                     " but the data " + std::to_string(data.vocab.size()));
  if (options.batch <= 0 || options.bptt <= 0 || options.eval_batch <= 0 || options.epochs < 0)
    throw UsageError("Trainer: batch, bptt and eval batch must be positive and epochs non-negative");
  if (!(options.clip >= 0)) throw UsageError("Trainer: the clipping norm must be ≥ 0 (0 = no clipping)");
  const auto params = model.module().parameters();
  if (options.optimizer == "sgd")
    optimizer_ = std::make_unique<nn::SGD>(
        params, nn::SGDOptions{.lr = options.lr, .momentum = options.momentum, .weight_decay = options.weight_decay});
  else if (options.optimizer == "adam")
    optimizer_ =
        std::make_unique<nn::Adam>(params, nn::AdamOptions{.lr = options.lr, .weight_decay = options.weight_decay});
  else if (options.optimizer == "adamw")
    optimizer_ =
        std::make_unique<nn::AdamW>(params, nn::AdamWOptions{.lr = options.lr, .weight_decay = options.weight_decay});
  else
    throw UsageError("unknown optimizer '" + options.optimizer + "' (expected sgd, adam or adamw)");
  if (options.schedule == "plateau")
    schedule_ = std::make_unique<nn::ReduceOnPlateau>(
        *optimizer_, nn::PlateauOptions{.factor = options.decay, .patience = 0, .threshold = 0.0, .min_lr = 0.0});
  else if (options.schedule == "zaremba")
    schedule_ = std::make_unique<nn::ConstantThenDecay>(*optimizer_, options.decay_start, options.decay);
  else if (options.schedule != "none")
    throw UsageError("unknown schedule '" + options.schedule + "' (expected plateau, zaremba or none)");
}

Trainer::~Trainer() = default;

// ---- checkpoints ---------------------------------------------------------------------------------------------

void Trainer::save(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) fs::create_directories(dir);
  nn::Metadata meta = SavedModel::model_metadata(model_.config(), data_.vocab, data_.level);
  meta[kOptionsKey] = options_.to_json();
  meta[kEpochKey] = std::to_string(epoch_);
  meta[kBestKey] = std::to_string(best_);
  meta[kBadKey] = std::to_string(bad_epochs_);
  meta[kCurveKey] = curve_csv(curve_, /*exact=*/true);
  meta["data"] = data_.source;
  nn::save_checkpoint(
      path, {.model = &model_.module(), .optimizer = optimizer_.get(), .schedule = schedule_.get(), .rng = &rng_},
      meta);
}

void Trainer::resume(const std::string& path) {
  const nn::Metadata peek = nn::read_checkpoint_metadata(path);
  const auto get = [&](const char* key) -> const std::string& {
    const auto it = peek.find(key);
    if (it == peek.end()) throw FormatError(path + ": not a tapegrad training checkpoint (no '" + key + "')");
    return it->second;
  };
  if (ModelConfig::from_json(get(SavedModel::kModelKey), path).to_json() != model_.config().to_json())
    throw UsageError(path + ": the checkpoint holds a different model (" +
                     ModelConfig::from_json(get(SavedModel::kModelKey), path).describe() +
                     ") than the one being trained (" + model_.config().describe() + ")");
  if (get(SavedModel::kVocabKey) != data_.vocab.to_text())
    throw UsageError(path + ": the checkpoint was trained with another vocabulary than the data's");
  nn::load_checkpoint(
      path, {.model = &model_.module(), .optimizer = optimizer_.get(), .schedule = schedule_.get(), .rng = &rng_});
  try {
    epoch_ = std::stoi(get(kEpochKey));
    best_ = std::stod(get(kBestKey));
    bad_epochs_ = std::stoi(get(kBadKey));
  } catch (const std::logic_error&) {
    throw FormatError(path + ": malformed epoch or loss in the checkpoint's metadata");
  }
  curve_ = parse_curve_csv(get(kCurveKey), path);
  log_ << "resumed from " << path << " after epoch " << epoch_ << " (best valid ppl " << std::exp(best_) << ", lr "
       << optimizer_->learning_rate() << ")\n";
}

// ---- the loop ------------------------------------------------------------------------------------------------

double Trainer::validate() {
  std::span<const std::int32_t> valid = data_.valid;
  if (options_.max_valid_tokens > 0 && static_cast<index_t>(valid.size()) > options_.max_valid_tokens)
    valid = valid.first(static_cast<std::size_t>(options_.max_valid_tokens));
  PerplexityOptions eo;
  eo.batch = options_.eval_batch;
  eo.bptt = options_.bptt;
  return evaluate(model_, valid, eo).loss;
}

TrainResult Trainer::run() {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const double seconds_before = curve_.empty() ? 0.0 : curve_.back().seconds;
  const auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
  const bool recurrent = model_.config().recurrent();
  std::unique_ptr<StreamBatcher> streams;
  std::unique_ptr<WindowBatcher> windows;
  try {
    if (recurrent)
      streams = std::make_unique<StreamBatcher>(data_.train, options_.batch, options_.bptt);
    else
      windows = std::make_unique<WindowBatcher>(data_.train, model_.config().context, options_.batch,
                                                static_cast<std::int32_t>(Vocab::kEos));
  } catch (const UsageError& e) {  // name the data and the flag to change
    throw UsageError("the training split of " + data_.source + " is too small for --batch-size " +
                     std::to_string(options_.batch) + " (" + e.what() + ")");
  }
  Stepper stepper(model_, optimizer_.get(), options_.clip);
  StreamWindow window;
  std::vector<std::int32_t> contexts, targets;
  TrainResult result;
  const bool terminal = ProgressBar::is_terminal(std::cerr);

  while (epoch_ < options_.epochs && !result.out_of_time && !result.stopped_early) {
    const int e = epoch_;
    index_t batches;
    if (recurrent) {
      stepper.reset_state();
      batches = streams->windows();
    } else {
      windows->start_epoch(true, options_.seed, e);
      batches = windows->batches();
    }
    ProgressBar bar(std::cerr, "epoch " + std::to_string(e + 1) + "/" + std::to_string(options_.epochs), batches,
                    options_.progress, terminal);
    double loss_sum = 0, tokens = 0, epoch_tokens = 0;
    index_t done = 0, skipped = 0, point_batches = 0;
    auto point_start = clock::now();
    const auto add_point = [&](double at_epoch) {
      const double secs = std::chrono::duration<double>(clock::now() - point_start).count();
      CurvePoint p;
      p.epoch = at_epoch;
      p.lr = optimizer_->learning_rate();
      p.train_loss = point_batches > 0 ? loss_sum / tokens : NAN;
      p.tokens_per_second = secs > 0 ? tokens / secs : 0;
      p.valid_loss = validate();
      p.seconds = seconds_before + elapsed();
      curve_.push_back(p);
      loss_sum = tokens = 0;
      point_batches = 0;
      point_start = clock::now();
      return p;
    };
    for (; done < batches; ++done) {
      StepStats s;
      if (recurrent) {
        streams->get(done, window);
        s = stepper.train(window, rng_);
      } else {
        windows->get(done, contexts, targets);
        s = stepper.train(contexts, targets, rng_);
      }
      if (!std::isfinite(s.loss)) {
        bar.finish();
        throw DivergenceError("training diverged: the loss is " + std::to_string(s.loss) + " at epoch " +
                              std::to_string(e + 1) + ", step " + std::to_string(done + 1) + " of " +
                              std::to_string(batches) + " (try a lower --lr or a --clip norm)" +
                              (options_.save.empty() ? std::string() : "; the checkpoints written so far are kept"));
      }
      skipped += s.skipped;
      loss_sum += s.loss * static_cast<double>(s.tokens);
      tokens += static_cast<double>(s.tokens);
      epoch_tokens += static_cast<double>(s.tokens);
      ++point_batches;
      char info[96];
      std::snprintf(info, sizeof info, "loss %.3f ppl %.1f | lr %.3g", loss_sum / tokens, std::exp(loss_sum / tokens),
                    optimizer_->learning_rate());
      bar.update(done + 1, info, epoch_tokens);
      if (options_.max_seconds > 0 && elapsed() >= options_.max_seconds) {
        result.out_of_time = true;
        ++done;
        break;
      }
      if (options_.eval_interval > 0 && (done + 1) % options_.eval_interval == 0 && done + 1 < batches) {
        const CurvePoint p = add_point(e + static_cast<double>(done + 1) / static_cast<double>(batches));
        bar.finish();
        char line[160];
        std::snprintf(line, sizeof line, "| epoch %.2f | train ppl %.2f | valid ppl %.2f |\n", p.epoch,
                      std::exp(p.train_loss), std::exp(p.valid_loss));
        log_ << line << std::flush;
      }
    }
    bar.finish();
    const double at = result.out_of_time ? e + static_cast<double>(done) / static_cast<double>(batches) : e + 1.0;
    const CurvePoint p = add_point(at);
    if (!result.out_of_time) ++epoch_;
    const bool improved = p.valid_loss < best_;
    if (improved) {
      best_ = p.valid_loss;
      bad_epochs_ = 0;
    } else {
      ++bad_epochs_;
    }
    char line[256];
    std::snprintf(line, sizeof line,
                  "| epoch %s | %s | lr %.4g | train loss %.3f ppl %.2f | valid loss %.3f ppl %.2f | %.0f tok/s |%s\n",
                  result.out_of_time ? (std::to_string(at).substr(0, 5) + " (time limit)").c_str()
                                     : std::to_string(e + 1).c_str(),
                  ProgressBar::duration(p.seconds).c_str(), p.lr, p.train_loss, std::exp(p.train_loss), p.valid_loss,
                  std::exp(p.valid_loss), p.tokens_per_second, improved ? " best" : "");
    log_ << line;
    if (skipped > 0) log_ << "  (" << skipped << " steps skipped: non-finite gradient norm)\n";
    log_ << std::flush;
    if (!options_.save.empty() && improved) save(options_.save);
    if (!result.out_of_time) {
      if (schedule_) schedule_->step(p.valid_loss);
      if (!options_.save.empty()) save(last_path(options_.save));
    }
    write_curve();
    if (options_.patience > 0 && bad_epochs_ >= options_.patience) {
      result.stopped_early = true;
      log_ << "early stop: no improvement in " << bad_epochs_ << " epochs\n";
    }
  }
  result.curve = curve_;
  result.best_valid_loss = best_;
  result.epochs_completed = epoch_;
  return result;
}

}  // namespace tapegrad::lm
