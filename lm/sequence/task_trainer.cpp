// train_task: the epoch loop of the sequence tasks (see task_trainer.hpp).
#include "lm/sequence/task_trainer.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <iostream>
#include <string>

#include "autograd/functions.hpp"
#include "lm/report/progress.hpp"
#include "lm/training/divergence_error.hpp"
#include "nn/adam.hpp"
#include "nn/clip.hpp"
#include "nn/finite_values.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// The last update made (1-based epoch and batch, of `of` batches); epoch 0 before the first.
struct LastUpdate {
  std::size_t epoch = 0, batch = 0, of = 0;
  std::string text() const {
    if (epoch == 0) return "before any update: the initial parameters give it (check the initialisation)";
    return "after the update of epoch " + std::to_string(epoch) + ", batch " + std::to_string(batch) + " of " +
           std::to_string(of) + " (lower the learning rate or clip gradients)";
  }
};

}  // namespace

void for_each_bucket(std::span<const std::size_t> lengths, std::size_t batch_size,
                     const std::function<void(std::span<const std::size_t>)>& f) {
  for (const auto& batch : bucket_batches(lengths, BucketOptions{batch_size, 0}, nullptr)) f(batch);
}

TaskTrainResult train_task(nn::Module& model, std::span<const std::size_t> lengths, const BatchLoss& loss_of_batch,
                           const std::function<double()>& validate, const TaskTrainOptions& options, std::ostream& log,
                           const std::function<void(const TaskEpoch&)>& on_best) {
  if (lengths.empty()) throw UsageError("train_task: no training data");
  if (options.epochs == 0) throw UsageError("train_task: the number of epochs must be at least 1");
  std::vector<nn::Parameter*> params = model.parameters();
  nn::AdamOptions adam_options;
  adam_options.lr = options.lr;
  adam_options.weight_decay = options.weight_decay;
  nn::Adam adam(params, adam_options);
  Rng rng(options.seed);
  autograd::Tape tape;
  tape.set_lean(true);

  TaskTrainResult result;
  std::vector<Tensor> best;  // the best epoch's parameter values
  std::size_t since_best = 0;
  float lr = options.lr;
  LastUpdate last;
  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    model.train();
    const auto batches = bucket_batches(lengths, options.batching, &rng);
    char label[48];
    std::snprintf(label, sizeof label, "epoch %zu/%zu", epoch, options.epochs);
    ProgressBar bar(std::cerr, label, static_cast<index_t>(batches.size()), options.progress,
                    ProgressBar::is_terminal(std::cerr));
    const auto t0 = Clock::now();
    const double cpu0 = cpu_seconds();
    double loss_sum = 0, tokens = 0;
    for (std::size_t k = 0; k < batches.size(); ++k) {
      tape.clear();
      model.zero_grad();
      const autograd::Var loss = loss_of_batch(tape, batches[k], rng);
      const float value = loss.value()[0];
      if (!std::isfinite(value)) {  // computed before this batch's update: the previous one is to blame
        bar.finish();
        throw DivergenceError("train_task: training diverged: the loss is " + std::to_string(value) + " in epoch " +
                              std::to_string(epoch) + ", batch " + std::to_string(k + 1) + " of " +
                              std::to_string(batches.size()) + ", " + last.text());
      }
      tape.backward(loss);
      if (options.clip > 0) nn::clip_grad_norm(params, options.clip);
      adam.step();
      last = {epoch, k + 1, batches.size()};
      loss_sum += value;
      for (std::size_t item : batches[k]) tokens += static_cast<double>(lengths[item]);
      char info[64];
      std::snprintf(info, sizeof info, "loss %.4f", loss_sum / static_cast<double>(k + 1));
      bar.update(static_cast<index_t>(k + 1), info, tokens);
    }
    bar.finish();
    TaskEpoch e;
    e.epoch = epoch;
    e.seconds = seconds_since(t0);
    e.cpu_seconds = cpu_seconds() - cpu0;
    result.train_cpu_seconds += e.cpu_seconds;
    e.train_loss = loss_sum / static_cast<double>(batches.size());
    e.tokens_per_second = tokens / std::max(e.seconds, 1e-9);
    result.train_seconds += e.seconds;
    tape.clear();
    model.eval();
    e.valid_score = validate();
    // Before anything is kept or saved (on_best writes the caller's checkpoint): a finite score, finite parameters.
    if (!std::isfinite(e.valid_score))
      throw DivergenceError("train_task: training diverged: the validation score is " +
                            std::to_string(e.valid_score) + " " + last.text());
    if (const auto bad = nn::first_non_finite_parameter(model))
      throw DivergenceError("train_task: training diverged: parameter '" + bad->name + "' " + nn::describe(bad->at) +
                            " " + last.text());
    result.curve.push_back(e);
    const bool improved = result.best_epoch == 0 || e.valid_score >= result.best_score;  // a tie: the later epoch
    char score[64];
    if (options.describe_score)
      std::snprintf(score, sizeof score, "%s", options.describe_score(e.valid_score).c_str());
    else
      std::snprintf(score, sizeof score, "valid %.2f%%", 100.0 * e.valid_score);
    char line[240];
    std::snprintf(line, sizeof line, "| epoch %3zu | loss %.4f | %s | %.0f tok/s | %s (cpu %s)%s\n", epoch,
                  e.train_loss, score, e.tokens_per_second, ProgressBar::duration(e.seconds).c_str(),
                  ProgressBar::duration(e.cpu_seconds).c_str(), improved ? " | best" : "");
    log << line << std::flush;
    if (improved) {
      result.best_epoch = epoch;
      result.best_score = e.valid_score;
      best.clear();
      for (nn::Parameter* p : params) best.push_back(p->value());
      since_best = 0;
      if (on_best) on_best(e);
    } else if (options.patience > 0 && ++since_best >= options.patience) {
      log << "stopping: no better validation score for " << options.patience << " epochs\n";
      break;
    }
    if (options.max_minutes > 0 && result.train_seconds >= 60.0 * options.max_minutes) {
      log << "stopping: the time budget of " << options.max_minutes << " minutes is spent\n";
      break;
    }
    if (options.max_cpu_minutes > 0 && result.train_cpu_seconds >= 60.0 * options.max_cpu_minutes) {
      log << "stopping: the processor-time budget of " << options.max_cpu_minutes << " minutes is spent\n";
      break;
    }
    lr *= options.lr_decay;
    adam.set_learning_rate(lr);
  }
  for (std::size_t k = 0; k < params.size(); ++k) params[k]->value() = best[k];
  model.eval();
  return result;
}

}  // namespace tapegrad::lm
