// `tapegrad train`: trains a neural language model — fixed-window (Bengio et al. 2003) or recurrent (RNN, LSTM, GRU)
// — with truncated backpropagation through time, in the style of PyTorch's word-language-model example:
//   tapegrad train --model lstm --data data/ --emsize 200 --nhid 200 --nlayers 2 --lr 20 --clip 0.25 --epochs 40
//                  --batch-size 20 --bptt 35 --dropout 0.2 --tied --save out/lm.safetensors
// A progress bar (loss, tokens/s, ETA) on stderr; one summary line per epoch on stdout; the best model, the latest
// epoch (for --resume) and the learning curve (CSV and SVG) next to --save. At the end the best model is evaluated
// on the test split, and --sample N prints N generated tokens.
// --resume continues a checkpoint's run with the checkpoint's settings (data options, model, optimisation: a flag that
// would change one is refused); --max-time bounds the whole command, final evaluation included; --json makes stdout
// JSON lines (docs/lm.md, "Resuming", "--max-time", "--json").
// Under mpirun it is one rank of a data-parallel run (docs/distributed.md): every rank reads the data and builds the
// model; rank 0 alone prints, writes the files and runs the final evaluation and the sample.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/neural/evaluate.hpp"
#include "lm/neural/generate.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/training/final_evaluation.hpp"
#include "lm/training/run_settings.hpp"
#include "lm/training/trainer.hpp"
#include "nn/atomic_file.hpp"
#include "nn/cell.hpp"
#include "nn/checkpoint.hpp"
#include "nn/distributed/communicator.hpp"
#include "nn/distributed/gradient_reducer.hpp"
#include "nn/number_text.hpp"
#include "ops/error.hpp"
#include "ops/parallel.hpp"

namespace tapegrad::cli {

namespace {

struct TrainCommand {
  std::string model = "lstm", data, level = "word", encoding = "utf8";
  std::string form = nn::cell_form_name(lm::ModelConfig{}.form);  // the default form, by nn's name
  lm::ModelConfig config;
  lm::TrainOptions options;
  std::uint64_t min_count = 1;
  std::string split = "90/5/5";
  int threads = 0;
  double bucket_mb = 4;  // data-parallel: gradient bucket size (nn/distributed/gradient_reducer.hpp)
  std::string resume;
  bool quiet = false, json = false;
  index_t sample = 0;
  double temperature = 0.8;
  const CLI::App* parser = nullptr;  // to ask which flags were given (count())
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// "90/5/5" → valid 5%, test 5% (the three must add up to 100; the test part may be 0).
void parse_split(const std::string& text, lm::DatasetOptions& o) {
  int train = 0, valid = 0, test = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d/%d%c", &train, &valid, &test, &tail) != 3 || train + valid + test != 100)
    throw UsageError("--split '" + text + "': expected TRAIN/VALID/TEST percentages adding up to 100, e.g. 90/10/0");
  o.valid_percent = valid, o.test_percent = test;
}

// An enum flag (--model, --level, …): checked by lm's own parser while the flags are parsed, before any data is
// read; any case is accepted (--model LSTM → lstm: the names are lower-case and differ in more than case).
template <class Parse>
CLI::Validator choice(Parse parse, const std::string& members) {
  return CLI::Validator(
      [parse](std::string& value) -> std::string {
        std::string lower = value;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
        try {
          parse(lower);
        } catch (const Error&) {
          try {
            parse(value);  // for the message, which quotes the value as given
          } catch (const Error& e) {
            return e.what();
          }
        }
        value = lower;
        return {};
      },
      members);
}

// The files training writes beside --save: the best model, the latest epoch, the learning curve.
std::vector<std::string> training_outputs(const std::string& save) {
  return {save, lm::Trainer::last_path(save), lm::Trainer::curve_path(save, "csv"),
          lm::Trainer::curve_path(save, "svg")};
}

// "a", "a and b", "a, b and c".
std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

// --resume: the run continues with the checkpoint's settings (lm/training/run_settings.hpp). A flag the user gave
// that would change one of them is refused, each named with the value the checkpoint holds.
void refuse_changed_settings(const TrainCommand& c, const lm::TrainingCheckpoint& checkpoint,
                             const lm::DatasetOptions& given_data, const lm::ModelConfig& given_model) {
  const std::vector<lm::SettingChange> changes = lm::changed_settings(
      lm::run_settings(given_data, given_model, c.options),
      lm::run_settings(checkpoint.data_options, checkpoint.model, checkpoint.options),
      [&](const std::string& flag) { return c.parser->count(flag) > 0; });
  if (changes.empty()) return;
  std::vector<std::string> named;
  for (const lm::SettingChange& change : changes)
    named.push_back(change.flag + " " + change.given + " (the checkpoint's: " + change.stored + ")");
  throw UsageError("--resume " + checkpoint.path + " continues the run the checkpoint holds, with its settings; " +
                   (changes.size() == 1 ? "this flag would change one: " : "these flags would change them: ") +
                   listed(named) + ". Leave " + (changes.size() == 1 ? "it" : "them") +
                   " out (--epochs, --max-time, --threads, --save and the output options may change), or start a new "
                   "run without --resume");
}

// One JSON object on a line of its own, flushed (stdout may be a pipe).
void print_json(const nlohmann::json& object) { std::cout << object.dump() << std::endl; }

// "valid ppl 16.25 (loss 2.7880, 1234 tokens)", "… 1000 of 5000 tokens: --max-time)".
std::string perplexity_text(const char* split, const lm::SplitEvaluation& e) {
  char line[200];
  std::snprintf(line, sizeof line, "%s ppl %.2f (loss %.4f, %lld", split, e.result.perplexity(), e.result.loss,
                static_cast<long long>(e.result.tokens));
  std::string out = line;
  if (!e.whole()) out += " predictions on the first " + std::to_string(e.used) + " of " + std::to_string(e.total) +
                         " tokens: --max-time";
  return out + (e.whole() ? " tokens)" : ")");
}

nlohmann::json split_json(const lm::SplitEvaluation& e) {
  if (e.used == 0) return nullptr;
  return {{"loss", e.result.loss},
          {"ppl", e.result.perplexity()},
          {"predictions", e.result.tokens},
          {"tokens_used", e.used},
          {"tokens_total", e.total}};
}

// Ranks other than 0 print nothing while this lives: their standard streams write nowhere. An error still reaches
// stderr: the guard is gone by the time main() prints it.
class SilentUnlessRoot {
 public:
  explicit SilentUnlessRoot(bool root) {
    if (root) return;
    out_ = std::cout.rdbuf(nullptr);
    err_ = std::cerr.rdbuf(nullptr);
  }
  ~SilentUnlessRoot() {
    if (out_ == nullptr) return;
    std::cout.rdbuf(out_);  // rdbuf(b) also clears the stream's error state
    std::cerr.rdbuf(err_);
  }
  SilentUnlessRoot(const SilentUnlessRoot&) = delete;
  SilentUnlessRoot& operator=(const SilentUnlessRoot&) = delete;

 private:
  std::streambuf* out_ = nullptr;
  std::streambuf* err_ = nullptr;
};

int run_train(TrainCommand& c) {
  const Clock::time_point started = Clock::now();  // --max-time counts from here: reading the data is part of it
  nn::Communicator& comm = communicator();
  const SilentUnlessRoot silent(comm.is_root());
  if (c.threads > 0) ops::set_num_threads(c.threads);
  // What a killed run left behind (rank 0 alone: it is the one writer).
  if (!c.options.save.empty() && comm.is_root())
    for (const std::string& path : training_outputs(c.options.save)) nn::remove_stale_temporaries(path);
  c.options.progress = !c.quiet;
  c.options.json = c.json;
  c.options.clock_start = started;

  // The settings the flags give (the enum values were checked while parsing) …
  lm::DatasetOptions dataset_options{lm::parse_level(c.level), c.min_count};
  parse_split(c.split, dataset_options);
  dataset_options.encoding = lm::parse_encoding(c.encoding);
  lm::ModelConfig config = c.config;
  config.kind = lm::parse_model_kind(c.model);
  config.form = nn::parse_cell_form(c.form);
  // … or the checkpoint's, read before the data so that the data is read the way the checkpoint's run read it.
  std::optional<lm::TrainingCheckpoint> resume;
  if (!c.resume.empty()) {
    resume = lm::TrainingCheckpoint::read(c.resume);
    if (!resume->data_options_stored) {  // an older checkpoint: the level is known, the rest is the flags'
      const lm::TokenLevel level = resume->data_options.level;  // (the vocabulary check follows)
      resume->data_options = dataset_options;
      resume->data_options.level = level;
    }
    refuse_changed_settings(c, *resume, dataset_options, config);
    dataset_options = resume->data_options;
  }

  std::cerr << "reading " << c.data << " (" << lm::level_name(dataset_options.level) << " level)\n";
  const lm::LmDataset data = lm::LmDataset::load(c.data, dataset_options);
  if (c.json)
    print_json({{"type", "data"},
                {"source", data.source},
                {"level", lm::level_name(data.level)},
                {"vocabulary", data.vocab.size()},
                {"train_tokens", data.train.size()},
                {"valid_tokens", data.valid.size()},
                {"test_tokens", data.test.size()}});
  else
    std::cout << "data: " << data.source << " | vocabulary " << data.vocab.size() << " | train " << data.train.size()
              << " tokens, valid " << data.valid.size() << ", test " << data.test.size() << " (with </s>)"
              << std::endl;

  // A new model from the flags, or the model and the training options the checkpoint holds (checked against the
  // data).
  if (resume) {
    resume->check_data(data);
    config = resume->model;
    c.options = resume->resume_options(c.options);
  } else {
    config.vocab = static_cast<index_t>(data.vocab.size());
  }
  c.options.final_eval_tokens = static_cast<index_t>(data.valid.size() + data.test.size());
  Rng init(c.options.seed);
  lm::LanguageModel model(config, init);
  if (c.json)
    print_json({{"type", "model"},
                {"model", config.describe()},
                {"parameters", model.module().parameter_count()},
                {"optimizer", c.options.optimizer},
                {"lr", nn::text::decimal(c.options.lr)},
                {"clip", nn::text::decimal(c.options.clip)},
                {"schedule", c.options.schedule},
                {"threads", ops::num_threads()}});
  else
    std::cout << "model: " << config.describe() << " | " << model.module().parameter_count() << " parameters | "
              << c.options.optimizer << " lr " << c.options.lr << ", clip " << c.options.clip << ", schedule "
              << c.options.schedule << " | threads " << ops::num_threads() << std::endl;
  if (comm.size() > 1) {
    const index_t B = c.options.batch;
    if (c.json)
      print_json({{"type", "ranks"}, {"ranks", comm.size()}, {"global_batch", B}, {"bucket_mb", c.bucket_mb}});
    else
      std::cout << "data-parallel: " << comm.size() << " ranks share each batch of " << B
                << (config.recurrent() ? " streams" : " examples") << " (" << B / comm.size() << "–"
                << (B + comm.size() - 1) / comm.size() << " per rank); gradients summed in buckets of "
                << c.bucket_mb << " MiB" << std::endl;
  }
  nn::ReducerOptions reducer;
  reducer.bucket_bytes = static_cast<std::size_t>(c.bucket_mb * 1024 * 1024);
  lm::Trainer trainer(model, data, c.options, std::cout, comm, reducer);
  if (resume) trainer.resume(*resume);
  const lm::TrainResult result = trainer.run();
  if (!comm.is_root()) return 0;  // rank 0 evaluates, samples and reports

  // The files this run wrote (the trainer records each write), in the order of training_outputs.
  std::vector<std::string> written;
  if (!c.options.save.empty())
    for (const std::string& path : training_outputs(c.options.save))
      if (std::find(result.files_written.begin(), result.files_written.end(), path) != result.files_written.end())
        written.push_back(path);
  // The best model on the test split: the parameters of the best epoch when they were saved — by this run, or by the
  // run it resumes (whose best model this run did not beat) — never a file an unrelated earlier run left there.
  const bool best_saved = !written.empty() && written.front() == c.options.save;
  if (best_saved || (resume && std::filesystem::exists(c.options.save)))
    nn::load_checkpoint(c.options.save, {.model = &model.module()});
  // The final evaluation, within what --max-time has left (lm/training/final_evaluation.hpp).
  lm::FinalEvaluationOptions fo;
  fo.eval.batch = c.options.eval_batch;
  fo.eval.bptt = c.options.bptt;
  fo.limited = c.options.max_seconds > 0;
  fo.seconds_left = c.options.max_seconds - seconds_since(started);
  fo.seconds_per_token = result.eval_seconds_per_token;
  const lm::FinalEvaluation final = lm::evaluate_final(model, data, fo);
  const index_t in_training_valid =
      c.options.max_valid_tokens > 0 && c.options.max_valid_tokens < static_cast<index_t>(data.valid.size())
          ? c.options.max_valid_tokens
          : 0;
  const std::string evaluate_later =
      c.options.save.empty() ? "no --save: the model was not kept"
                             : "evaluate it with: tapegrad eval --checkpoint " + c.options.save + " --data FILE";
  std::string sample;
  if (c.sample > 0) {
    lm::SavedModel view{config, data.vocab, data.level, {}, nullptr};
    lm::NextToken next(model);
    lm::SampleOptions so;
    so.max_tokens = c.sample;
    so.temperature = c.temperature;
    so.seed = c.options.seed;
    sample = view.decode(lm::generate(next, {}, so));
  }

  // Data-parallel: what the gradient sums sent per step and rank, and how many started while backward still ran.
  const lm::TrainResult& r = result;
  const double steps = static_cast<double>(std::max<index_t>(r.steps, 1));
  const double dense_mb = 4.0 * static_cast<double>(r.communication.dense_floats) / steps / 1e6;
  const double rows_mb = 4.0 * static_cast<double>(r.communication.row_floats) / steps / 1e6;
  const double first_sum_left = 100.0 * r.communication.backward_left_at_first_sum / steps;
  if (c.json) {
    nlohmann::json summary = {{"type", "summary"},
                              {"epochs_completed", result.epochs_completed},
                              {"out_of_time", result.out_of_time},
                              {"stopped_early", result.stopped_early},
                              {"best_valid_loss", result.best_valid_loss},
                              {"evaluation", final.skipped ? "skipped" : final.capped() ? "partial" : "full"},
                              {"valid", split_json(final.valid)},
                              {"test", split_json(final.test)},
                              {"in_training_valid_tokens", in_training_valid > 0 ? nlohmann::json(in_training_valid)
                                                                                 : nlohmann::json(nullptr)},
                              {"seconds", seconds_since(started)},
                              {"files_written", written}};
    if (comm.size() > 1)
      summary["communication"] = {{"ranks", comm.size()},
                                  {"steps", r.steps},
                                  {"dense_mb_per_step", dense_mb},
                                  {"rows_mb_per_step", rows_mb},
                                  {"buckets", r.communication.buckets},
                                  {"buckets_started_in_backward", r.communication.buckets_overlapped},
                                  {"backward_left_at_first_sum_percent", first_sum_left}};
    if (c.sample > 0) summary["sample"] = sample, summary["temperature"] = c.temperature;
    print_json(summary);
    return 0;
  }
  if (final.skipped) {
    std::cout << "=> best model: not evaluated: --max-time left no time for it; " << evaluate_later;
  } else {
    std::cout << "=> best model: " << perplexity_text("valid", final.valid);
    if (final.test.used > 0) std::cout << " | " << perplexity_text("test", final.test);
    else if (!data.test.empty()) std::cout << " | test not evaluated (--max-time)";
    if (final.capped()) std::cout << " | the whole splits: " << evaluate_later;
  }
  if (in_training_valid > 0)
    std::cout << " | validation during training used the first " << in_training_valid << " of " << data.valid.size()
              << " tokens (--max-valid-tokens)";
  std::cout << std::endl;
  if (comm.size() > 1 && r.steps > 0) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "data-parallel: each rank summed %.2f MB of gradients a step (%.2f MB of them embedding rows); the "
                  "first sum started with %.0f%% of backward's nodes still to run\n",
                  dense_mb + rows_mb, rows_mb, first_sum_left);
    std::cout << line;
  }
  // Name only the files this run wrote (none with --epochs 0, no .last after a --max-time stop mid-epoch, …).
  if (!written.empty())
    std::cout << "wrote " << listed(written) << "\n";
  else if (!c.options.save.empty())
    std::cout << "wrote nothing: no epoch ended in this run (" << c.options.save << " is unchanged)\n";
  if (c.sample > 0) std::cout << "--- sample (temperature " << c.temperature << ") ---\n" << sample << "\n---\n";
  return 0;
}

}  // namespace

Command add_train_command(CLI::App& app) {
  auto c = std::make_shared<TrainCommand>();
  CLI::App* sub =
      app.add_subcommand("train", "train a neural language model (window, rnn, lstm, gru) with truncated BPTT");
  lm::ModelConfig& m = c->config;
  lm::TrainOptions& o = c->options;
  m.dropout = 0.2f;
  c->parser = sub;
  sub->add_option("--model", c->model, "window | rnn | lstm | gru")
      ->capture_default_str()
      ->transform(choice(lm::parse_model_kind, "window|rnn|lstm|gru"));
  sub->add_option("--data", c->data,
                  "a folder with train.txt, valid.txt, test.txt (and vocab.txt), or one text file "
                  "(split by --split)")
      ->required();
  sub->add_option("--split", c->split,
                  "one text file: TRAIN/VALID/TEST percentages by token position, e.g. 90/10/0 (no test split)")
      ->capture_default_str();
  sub->add_option("--level", c->level, "word | char")
      ->capture_default_str()
      ->transform(choice(lm::parse_level, "word|char"));
  sub->add_option("--encoding", c->encoding, "text encoding of --data: utf8 (checked) | latin1 (ISO-8859-1, each byte one character)")
      ->capture_default_str()
      ->check(CLI::IsMember({"utf8", "latin1"}));
  sub->add_option("--min-count", c->min_count, "keep words seen at least this often in train (without vocab.txt)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxTokens));
  sub->add_option("--emsize", m.emsize, "embedding size")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxWidth));
  sub->add_option("--nhid", m.nhid, "hidden units per layer")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxWidth));
  sub->add_option("--nlayers", m.nlayers, "recurrent layers")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxLayers));
  sub->add_option("--dropout", m.dropout, "dropout on embeddings, between layers and before the decoder")
      ->capture_default_str()
      ->check(flag::real(0, 0.99));
  sub->add_flag("--tied", m.tied, "tie the decoder to the embedding table (needs emsize = nhid)");
  sub->add_option("--context", m.context, "window model: words of context (n − 1)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxSteps));
  sub->add_flag("--direct", m.direct, "window model: direct connections from the embeddings to the output");
  sub->add_option("--form", c->form, "recurrent cells: fused (fast) | composed (every gate a node)")
      ->capture_default_str()
      ->transform(choice(nn::parse_cell_form, "fused|composed"));
  sub->add_flag("--gru-reset-after", m.gru_reset_after, "GRU: reset gate after the recurrent product (cuDNN/PyTorch)");
  sub->add_option("--forget-bias", m.forget_bias,
                  "LSTM: initial forget-gate bias (1 is a common choice: the cell remembers by default)")
      ->capture_default_str()
      ->check(flag::real(-flag::kMaxFloat, flag::kMaxFloat));
  sub->add_option("--init-range", m.init_range, "parameters from U(±a) (window: 0 = PyTorch defaults)")
      ->capture_default_str()
      ->check(flag::real(0));
  sub->add_option("--optimizer", o.optimizer, "sgd | adam | adamw")
      ->capture_default_str()
      ->transform(choice(lm::parse_optimizer, "sgd|adam|adamw"));
  sub->add_option("--lr", o.lr, "initial learning rate")->capture_default_str()->check(flag::real_above(0));
  sub->add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str()->check(flag::real(0, 1));
  sub->add_option("--weight-decay", o.weight_decay, "weight decay")->capture_default_str()->check(flag::real(0));
  sub->add_option("--clip", o.clip, "clip the global gradient norm at this value (0: no clipping)")
      ->capture_default_str()
      ->check(flag::real(0));
  sub->add_option("--schedule", o.schedule,
                  "plateau (lr × decay when valid does not improve) | zaremba (constant for "
                  "--decay-start epochs, then × decay per epoch) | none")
      ->capture_default_str()
      ->transform(choice(lm::parse_schedule, "plateau|zaremba|none"));
  sub->add_option("--decay", o.decay, "learning-rate decay factor")
      ->capture_default_str()
      ->check(flag::real_above(0, 1));
  sub->add_option("--decay-start", o.decay_start, "zaremba schedule: epochs at the initial rate")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxEpochs));
  sub->add_option("--patience", o.patience, "stop after this many epochs without improvement (0: never)")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxEpochs));
  sub->add_option("--epochs", o.epochs, "epochs (passes over train)")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxEpochs));
  sub->add_option("--batch-size", o.batch, "parallel streams (recurrent) or examples (window) per batch")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxBatch));
  sub->add_option("--bptt", o.bptt, "time steps per window (recurrent)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxSteps));
  sub->add_option("--eval-batch-size", o.eval_batch, "parallel streams when evaluating")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxBatch));
  sub->add_option("--max-time", o.max_seconds,
                  "wall-time budget of the whole command in seconds, reading the data and the final evaluation "
                  "included (0: no limit; see docs/lm.md)")
      ->capture_default_str()
      ->check(flag::real(0, flag::kMaxSeconds));
  sub->add_option("--eval-interval", o.eval_interval, "also validate every N batches (0: at epoch ends)")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxTokens));
  sub->add_option("--max-valid-tokens", o.max_valid_tokens, "validate on at most this many tokens (0: all)")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxTokens));
  sub->add_option("--seed", o.seed, "seed of initialisation, dropout and shuffling")->capture_default_str();
  sub->add_option("--threads", c->threads, "kernel threads (0: the cores not busy with other processes)")
      ->capture_default_str()
      ->check(flag::threads());
  sub->add_option("--bucket-mb", c->bucket_mb,
                  "under mpirun: gradients are summed across the ranks in buckets of this many MiB, each started "
                  "as soon as backward has finished with it (docs/distributed.md)")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 4096.0));
  sub->add_option("--save", o.save,
                  "best checkpoint (.safetensors); .last, .curve.csv and .curve.svg go beside it (folders are created)")
      ->check(flag::output_file(true));
  sub->add_option("--resume", c->resume,
                  "continue from a .last checkpoint: the data options, the model and the training options come from "
                  "it (a flag that would change one is refused)");
  sub->add_option("--sample", c->sample, "after training, print this many generated tokens")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxTokens));
  sub->add_option("--temperature", c->temperature, "sampling temperature for --sample")
      ->capture_default_str()
      ->check(flag::real_above(0, flag::kMaxTemperature));
  sub->add_flag("--quiet", c->quiet, "no progress bar");
  sub->add_flag("--json", c->json, "stdout: one JSON object per line (data, model, epochs, validations, summary)");
  return [c] { return run_train(*c); };
}

}  // namespace tapegrad::cli
