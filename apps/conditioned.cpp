// `tapegrad train-conditioned`: trains a class-conditioned language model (lm/conditioned/) — an LSTM language model
// whose every input step carries the sentence's label — on labelled sentences: MR by default (the fixed split of
// docs/data.md: train folds 2–9, valid fold 1, test fold 0), or a UTF-8 file of LABEL<TAB>SENTENCE lines (cut into
// the same folds by line number). Reports the best epoch's validation and test perplexity and saves the model;
// `tapegrad generate --checkpoint M --label positive` then writes sentences of a label (apps/use_lm.cpp).
// Epoch lines go to stderr, results to stdout.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/classify/labelled_corpus.hpp"
#include "lm/conditioned/conditioned_generate.hpp"
#include "lm/conditioned/train_conditioned.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"
#include "ops/parallel.hpp"

namespace tapegrad::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string data, save, cell = "lstm";
  index_t layers = 1, hidden = 256, word_dim = 128, label_dim = 32;
  bool no_label_state = false;
  float dropout = 0.3f, forget_bias = 1.0f, lr = 2e-3f, lr_decay = 0.9f, clip = 5.0f;
  std::uint64_t min_count = 2, seed = 1;
  std::size_t epochs = 10, batch_size = 32, patience = 2;
  double max_minutes = 0;
  int threads = 0, samples = 0;
  double temperature = 0.8;
  bool quiet = false, json_output = false;
};

// --data, or $TAPEGRAD_DATA/mr, else data/mr: an MR folder or a LABEL<TAB>SENTENCE file.
lm::LabelledCorpus read_data(const std::string& given) {
  std::string path = given, how = "--data";
  if (path.empty()) {
    const char* env = std::getenv("TAPEGRAD_DATA");
    path = env && *env ? (std::filesystem::path(env) / "mr").string() : std::string("data/mr");
    how = env && *env ? "the default, $TAPEGRAD_DATA/mr" : "the default when TAPEGRAD_DATA is not set";
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (!lm::is_mr_folder(path))
      throw lm::IoError(lm::where(path) + "holds no rt-polarity.neg and rt-polarity.pos (" + how + ")");
    return lm::read_mr(path);
  }
  if (std::filesystem::exists(path, ec)) return lm::read_labelled(path);
  throw lm::IoError(lm::where(path) + "no such file or folder (" + how +
                    "; give --data FOLDER holding rt-polarity.neg and rt-polarity.pos, or a LABEL<TAB>SENTENCE file)");
}

int run(const Options& o) {
  if (o.threads > 0) ops::set_num_threads(o.threads);
  if (!o.save.empty() && std::filesystem::path(o.save).extension() != ".safetensors")
    throw UsageError("--save " + o.save + ": the model is a safetensors checkpoint, name it *.safetensors");
  lm::ConditionedTrainSpec spec;
  spec.model.cell = nn::parse_cell_type(o.cell);
  spec.model.layers = o.layers;
  spec.model.hidden = o.hidden;
  spec.model.word_dim = o.word_dim;
  spec.model.label_dim = o.label_dim;
  spec.model.label_state = !o.no_label_state;
  spec.model.dropout = o.dropout;
  spec.model.forget_bias = o.forget_bias;
  spec.model.validate();
  if (!(o.temperature > 0)) throw UsageError("--temperature must be positive, got " + std::to_string(o.temperature));
  spec.min_count = o.min_count;
  spec.train.epochs = o.epochs;
  spec.train.batching.batch_size = o.batch_size;
  spec.train.lr = o.lr;
  spec.train.lr_decay = o.lr_decay;
  spec.train.clip = o.clip;
  spec.train.patience = o.patience;
  spec.train.max_minutes = o.max_minutes;
  spec.train.seed = o.seed;
  spec.train.progress = !o.quiet;
  spec.save = o.save;

  const lm::LabelledCorpus data = read_data(o.data);
  const lm::FixedSplit split = lm::fixed_split(data);
  spec.extra["data"] = data.source;
  std::ostream null_stream(nullptr);
  std::ostream& log = o.quiet ? null_stream : std::cerr;
  log << "data: " << data.source << ": train " << split.train.size() << " (folds 2-9), valid " << split.valid.size()
      << " (fold 1), test " << split.test.size() << " (fold 0)\n";
  const Clock::time_point start = Clock::now();
  lm::ConditionedTrainResult r = lm::train_conditioned(split.train, split.valid, spec, log);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  lm::ConditionedLM& model = *r.model;
  const lm::Perplexity test = model.perplexity(model.encode(split.test));

  // Samples of each label (seeds seed, seed + 1, …), to see what the model writes.
  json samples = json::object();
  lm::ConditionedSampleOptions so;
  so.sample.temperature = o.temperature;
  for (const std::string& label : model.labels()) {
    json list = json::array();
    for (int i = 0; i < o.samples; ++i) {
      so.sample.seed = o.seed + static_cast<std::uint64_t>(i);
      list.push_back(model.decode(lm::generate_conditioned(model, model.label_id(label), {}, so)));
    }
    samples[label] = list;
  }
  if (o.json_output) {
    json j = {{"model", model.config().describe()},
              {"vocabulary", model.vocab().size()},
              {"labels", model.labels()},
              {"parameters", model.parameter_count()},
              {"best_epoch", r.training.best_epoch},
              {"epochs_run", r.training.curve.size()},
              {"valid_perplexity", r.valid.tokens > 0 ? json(r.valid.perplexity()) : json(nullptr)},
              {"test_perplexity", test.tokens > 0 ? json(test.perplexity()) : json(nullptr)},
              {"train_seconds", r.training.train_seconds},
              {"seconds", seconds},
              {"samples", samples}};
    if (!o.save.empty()) j["saved"] = o.save;
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  char line[240];
  std::snprintf(line, sizeof line, "model: %s, vocabulary %zu, %lld parameters\n", model.config().describe().c_str(),
                model.vocab().size(), static_cast<long long>(model.parameter_count()));
  std::cout << line;
  // A split without sentences (a small labelled file) has no perplexity to show.
  const auto ppl = [](const lm::Perplexity& p) {
    if (p.tokens == 0) return std::string("- (no sentences)");
    char buf[80];
    std::snprintf(buf, sizeof buf, "%.2f (%lld predictions)", p.perplexity(), static_cast<long long>(p.tokens));
    return std::string(buf);
  };
  std::snprintf(line, sizeof line, "best epoch %zu of %zu: valid ppl %s\n", r.training.best_epoch,
                r.training.curve.size(), ppl(r.valid).c_str());
  std::cout << line;
  std::snprintf(line, sizeof line, "test ppl %s\ntrained in %.1f s (%.1f s with validation)\n", ppl(test).c_str(),
                r.training.train_seconds, seconds);
  std::cout << line;
  for (const std::string& label : model.labels())
    for (const auto& s : samples[label]) std::cout << label << ":\t" << s.get<std::string>() << '\n';
  if (!o.save.empty()) std::cout << "wrote " << o.save << '\n';
  return 0;
}

}  // namespace

Command add_train_conditioned_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "train-conditioned",
      "train a class-conditioned language model on labelled sentences (MR polarity by default); "
      "`tapegrad generate --label` samples from it");
  sub->add_option("--data", o->data,
                  "a folder holding rt-polarity.neg and rt-polarity.pos (MR), or a file of LABEL<TAB>SENTENCE lines; "
                  "split by folds: train 2-9, valid 1, test 0 (default: $TAPEGRAD_DATA/mr, else data/mr)");
  sub->add_option("--save", o->save, "write the best model to this .safetensors file")->check(flag::output_file());
  sub->add_option("--cell", o->cell, "lstm | gru | rnn")->capture_default_str();
  sub->add_option("--layers", o->layers, "stacked recurrent layers")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxLayers));
  sub->add_option("--hidden", o->hidden, "hidden size")->capture_default_str()->check(flag::whole(1, flag::kMaxWidth));
  sub->add_option("--word-dim", o->word_dim, "word embedding size")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxWidth));
  sub->add_option("--label-dim", o->label_dim, "label embedding size (joins every input step)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxWidth));
  sub->add_flag("--no-label-state", o->no_label_state, "start from h_0 = 0 instead of h_0 = tanh(S[label])");
  sub->add_option("--dropout", o->dropout, "on the inputs, between layers and on the outputs")
      ->capture_default_str()
      ->check(flag::real(0, 0.99));
  sub->add_option("--forget-bias", o->forget_bias, "LSTM: initial forget-gate bias")
      ->capture_default_str()
      ->check(flag::real(-flag::kMaxFloat, flag::kMaxFloat));
  sub->add_option("--min-count", o->min_count, "training words seen fewer times become <unk>")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxTokens));
  sub->add_option("--lr", o->lr, "Adam learning rate")->capture_default_str()->check(flag::real_above(0));
  sub->add_option("--lr-decay", o->lr_decay, "learning-rate factor after every epoch")
      ->capture_default_str()
      ->check(flag::real_above(0, 1));
  sub->add_option("--clip", o->clip, "gradient norm clipping (0: off)")->capture_default_str()->check(flag::real(0));
  sub->add_option("--epochs", o->epochs, "at most this many epochs")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxEpochs));
  sub->add_option("--batch-size", o->batch_size, "sentences per batch")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxBatch));
  sub->add_option("--patience", o->patience, "stop after this many epochs without a better valid perplexity (0: never)")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxEpochs));
  sub->add_option("--max-minutes", o->max_minutes,
                  "stop after the epoch that crosses this much training time (0: none)")
      ->capture_default_str()
      ->check(flag::real(0, flag::kMaxMinutes));
  sub->add_option("--seed", o->seed, "initialisation, batches, dropout, and the samples' first seed")
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "kernel threads (0: the cores not busy with other processes)")
      ->capture_default_str()
      ->check(flag::threads());
  sub->add_option("--samples", o->samples, "after training, print this many samples of each label")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxCount));
  sub->add_option("--temperature", o->temperature, "the samples' temperature")
      ->capture_default_str()
      ->check(flag::real_above(0, flag::kMaxTemperature));
  sub->add_flag("--quiet", o->quiet, "no progress on stderr");
  sub->add_flag("--json", o->json_output, "machine-readable output");
  return [o] { return run(*o); };
}

}  // namespace tapegrad::cli
