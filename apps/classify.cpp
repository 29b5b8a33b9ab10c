// `tapegrad classify …`: sentence classification (MR sentence polarity by default) from the command line.
//   train    train a model (--model) on the fixed split and report valid and test accuracy (--save writes it), or
//            run K-fold cross-validation (--folds K): one line per fold, then mean ± sample standard deviation
//   eval     accuracy and confusion matrix of a saved model on the fixed split's test part or a LABEL<TAB>TEXT file
//   predict  the label and its probability for each sentence of a file, of --text, or of stdin
// --data is a folder holding rt-polarity.neg and rt-polarity.pos (read by the MR protocol of docs/data.md) or a
// UTF-8 file of LABEL<TAB>SENTENCE lines; by default $TAPEGRAD_DATA/mr, else data/mr. Progress goes to stderr,
// results to stdout. The model kinds are listed in classifier_kinds(); each lives in its own file (classify.hpp).
#include "apps/classify.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/classify/cross_validation.hpp"
#include "lm/classify/metrics.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Every model kind `classify train --model` knows, in the order --help lists them.
std::vector<ClassifierKind>& classifier_kinds() {
  static std::vector<ClassifierKind> kinds = {naive_bayes_kind(), bilstm_kind()};
  return kinds;
}

std::string kind_names() {
  std::string s;
  for (const ClassifierKind& k : classifier_kinds()) s += (s.empty() ? "" : ", ") + k.name;
  return s;
}

const ClassifierKind& find_kind(const std::string& name) {
  for (const ClassifierKind& k : classifier_kinds())
    if (k.name == name) return k;
  throw UsageError("unknown model '" + name + "' (the models are: " + kind_names() + ")");
}

// The kind that saved a checkpoint.
std::unique_ptr<lm::Classifier> load_checkpoint(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw lm::IoError(lm::where(path) + "no such file");
  for (const ClassifierKind& k : classifier_kinds())
    if (k.recognises(path)) return k.load(path);
  throw lm::FormatError(lm::where(path) +
                        "not a classifier saved by `tapegrad classify train --save` (models: " + kind_names() + ")");
}

struct CommandOptions {
  ClassifyOptions common;
  std::string checkpoint, input;
  std::vector<std::string> texts;
};

struct Data {
  lm::LabelledCorpus corpus;
  bool mr = false;  // read from an MR folder (else from a LABEL<TAB>SENTENCE file)
};

// --data, or the default: $TAPEGRAD_DATA/mr when the variable is set, else data/mr. A folder is read as MR, a file
// as LABEL<TAB>SENTENCE lines (its labels checked against `labels` when given).
Data read_data(const std::string& given, const std::vector<std::string>& labels = {}) {
  std::string path = given, how = "--data";
  if (path.empty()) {
    const char* env = std::getenv("TAPEGRAD_DATA");
    if (env && *env) {
      path = (std::filesystem::path(env) / "mr").string();
      how = "the default, $TAPEGRAD_DATA/mr";
    } else {
      path = "data/mr";
      how = "the default when TAPEGRAD_DATA is not set";
    }
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    if (!lm::is_mr_folder(path))
      throw lm::IoError(lm::where(path) + "holds no rt-polarity.neg and rt-polarity.pos (" + how + ")");
    return {lm::read_mr(path), true};
  }
  if (std::filesystem::exists(path, ec)) return {lm::read_labelled(path, labels), false};
  throw lm::IoError(lm::where(path) + "no such file or folder (" + how +
                    "; give --data FOLDER holding rt-polarity.neg and rt-polarity.pos, or a LABEL<TAB>SENTENCE file)");
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", 100 * fraction);
  return buf;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string accuracy_line(const std::string& what, const lm::ConfusionMatrix& m) {
  return (what.empty() ? "" : what + " ") + "accuracy " + percent(m.accuracy()) + " (" + std::to_string(m.correct()) +
         " / " + std::to_string(m.total()) + ")";
}

json accuracy_json(const lm::ConfusionMatrix& m) {
  json rows = json::array();
  for (std::size_t g = 0; g < m.num_labels(); ++g) {
    json row = json::array();
    for (std::size_t p = 0; p < m.num_labels(); ++p) row.push_back(m.count(static_cast<int>(g), static_cast<int>(p)));
    rows.push_back(row);
  }
  return {{"accuracy", m.accuracy()}, {"correct", m.correct()}, {"total", m.total()}, {"confusion", rows}};
}

std::string describe_data(const lm::LabelledCorpus& d) {
  std::string s = d.source + ": " + std::to_string(d.size()) + " sentences (";
  const std::vector<std::size_t> counts = d.label_counts();
  for (std::size_t c = 0; c < counts.size(); ++c)
    s += (c ? ", " : "") + d.label_names[c] + " " + std::to_string(counts[c]);
  return s + "), " + std::to_string(d.num_tokens()) + " tokens";
}

// ---- train: the fixed split ----
int train_fixed(const ClassifierKind& kind, const ClassifyOptions& o, const lm::LabelledCorpus& data) {
  const lm::FixedSplit split = lm::fixed_split(data);
  if (!o.quiet)
    std::cerr << "fixed split: train " << split.train.size() << " (folds 2-9), valid " << split.valid.size()
              << " (fold 1), test " << split.test.size() << " (fold 0)\n";
  const Clock::time_point start = Clock::now();
  const std::unique_ptr<lm::Classifier> model = kind.train(split.train, split.valid, o);
  const double train_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const lm::ConfusionMatrix valid = lm::evaluate(*model, split.valid);
  const lm::ConfusionMatrix test = lm::evaluate(*model, split.test);
  if (!o.save.empty()) model->save(o.save);
  if (o.json) {
    json j = {{"model", kind.name},
              {"description", model->describe()},
              {"data", data.source},
              {"labels", model->labels()},
              {"split", "fixed"},
              {"train_sentences", split.train.size()},
              {"train_seconds", train_seconds},
              {"valid", accuracy_json(valid)},
              {"test", accuracy_json(test)}};
    if (!o.save.empty()) j["saved"] = o.save;
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << "model: " << kind.name << " — " << model->describe() << " (trained in " << seconds(train_seconds)
            << ")\n"
            << accuracy_line("valid", valid) << '\n'
            << accuracy_line("test", test) << '\n';
  if (!o.save.empty()) std::cout << "wrote " << o.save << '\n';
  return 0;
}

// ---- train: K-fold cross-validation ----
int train_cross_validated(const ClassifierKind& kind, const ClassifyOptions& o, const lm::LabelledCorpus& data) {
  if (!o.json) std::cout << o.folds << "-fold cross-validation of " << kind.name << " (" << kind.description << ")\n";
  const lm::LabelledCorpus no_valid{data.source + " (no validation part)", data.label_names, {}};
  const lm::CvResult r = lm::cross_validate(
      data, o.folds,
      [&](const lm::LabelledCorpus& train, const lm::LabelledCorpus& test, int) -> lm::FoldResult {
        return lm::evaluate(*kind.train(train, no_valid, o), test);
      },
      [&](const lm::FoldResult& f) {
        if (o.json) return;
        std::cout << "fold " << f.fold << ": " << accuracy_line("test", *f.confusion) << ", train " << f.train_size
                  << " (" << seconds(f.seconds) << ")\n"
                  << std::flush;
      });
  if (o.json) {
    json folds = json::array();
    for (const lm::FoldResult& f : r.folds) {
      json one = accuracy_json(*f.confusion);
      one["fold"] = f.fold;
      one["train_sentences"] = f.train_size;
      one["seconds"] = f.seconds;
      folds.push_back(one);
    }
    std::cout << json({{"model", kind.name},
                       {"data", data.source},
                       {"labels", data.label_names},
                       {"split", "cross-validation"},
                       {"num_folds", r.num_folds},
                       {"folds", folds},
                       {"mean", r.mean},
                       {"std", r.std},
                       {"seconds", r.seconds}})
                     .dump(2)
              << '\n';
    return 0;
  }
  char line[160];
  std::snprintf(line, sizeof line, "mean ± std over %d folds: %.2f ± %.2f %% (sample std, n − 1) in %.2f s\n",
                r.num_folds, 100 * r.mean, 100 * r.std, r.seconds);
  std::cout << line;
  return 0;
}

int run_train(const CommandOptions& c, const std::vector<CLI::Option_group*>& groups) {
  const ClassifyOptions& o = c.common;
  const ClassifierKind& kind = find_kind(o.model);
  // A kind's own flags belong to it: refuse them with another --model.
  for (std::size_t i = 0; i < classifier_kinds().size(); ++i) {
    const ClassifierKind& k = classifier_kinds()[i];
    if (k.name == kind.name) continue;
    for (const CLI::Option* opt : groups[i]->get_options())
      if (opt->count() > 0)
        throw UsageError(opt->get_name() + " applies to --model " + k.name + " only, not to --model " + kind.name);
  }
  if (kind.check) kind.check();
  if (o.folds < 0 || o.folds == 1)
    throw UsageError("--folds " + std::to_string(o.folds) +
                     ": give K >= 2 for K-fold cross-validation, or 0 (the default) for the fixed split");
  if (o.folds > 0 && !o.save.empty())
    throw UsageError("--save keeps the model of the fixed split: cross-validation (--folds) trains " +
                     std::to_string(o.folds) + " models and saves none");
  const lm::LabelledCorpus data = read_data(o.data).corpus;
  if (!o.quiet) std::cerr << "data: " << describe_data(data) << '\n';
  return o.folds == 0 ? train_fixed(kind, o, data) : train_cross_validated(kind, o, data);
}

// ---- eval ----
int run_eval(const CommandOptions& c) {
  const ClassifyOptions& o = c.common;
  const std::unique_ptr<lm::Classifier> model = load_checkpoint(c.checkpoint);
  Data d = read_data(o.data, model->labels());
  // MR: the fixed split's test part; a file is evaluated whole.
  const lm::LabelledCorpus data = d.mr ? lm::fixed_split(d.corpus).test : std::move(d.corpus);
  const lm::ConfusionMatrix m = lm::evaluate(*model, data);
  if (o.json) {
    json j = accuracy_json(m);
    j["data"] = data.source;
    j["labels"] = model->labels();
    j["model"] = model->describe();
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << "model: " << model->describe() << '\n'
            << accuracy_line(d.mr ? "test" : "", m) << " on " << data.source << '\n'
            << m.to_string(model->labels());
  return 0;
}

// ---- predict ----
int run_predict(const CommandOptions& c) {
  const ClassifyOptions& o = c.common;
  const std::unique_ptr<lm::Classifier> model = load_checkpoint(c.checkpoint);
  if (!c.input.empty() && !c.texts.empty()) throw UsageError("give sentences with --input FILE or --text, not both");
  std::vector<std::vector<std::string>> sentences;
  if (!c.texts.empty()) {
    std::string joined;
    for (const std::string& t : c.texts) joined += t + '\n';
    sentences = lm::parse_sentences(joined, "--text");
  } else if (!c.input.empty() && c.input != "-") {
    sentences = lm::read_sentences(c.input);
  } else {
    const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    sentences = lm::parse_sentences(text, "<stdin>");
  }
  const std::vector<std::string>& labels = model->labels();
  json all = json::array();
  for (const std::vector<std::string>& s : sentences) {
    const std::vector<double> p = model->probabilities(s);
    const int label = model->predict(s);
    std::string text;
    for (const std::string& t : s) text += (text.empty() ? "" : " ") + t;
    if (o.json) {
      json probs = json::object();
      for (std::size_t i = 0; i < labels.size(); ++i) probs[labels[i]] = p[i];
      all.push_back({{"text", text},
                     {"label", labels[static_cast<std::size_t>(label)]},
                     {"probability", p[static_cast<std::size_t>(label)]},
                     {"probabilities", probs}});
      continue;
    }
    char prob[32];
    std::snprintf(prob, sizeof prob, "%.4f", p[static_cast<std::size_t>(label)]);
    std::cout << labels[static_cast<std::size_t>(label)] << '\t' << prob << '\t' << text << '\n';
  }
  if (o.json) std::cout << all.dump(2) << '\n';
  return 0;
}

}  // namespace

Command add_classify_command(CLI::App& app) {
  auto c = std::make_shared<CommandOptions>();
  ClassifyOptions& o = c->common;
  CLI::App* classify = app.add_subcommand(
      "classify", "sentence classification (MR polarity by default): train and cross-validate, evaluate, predict");
  classify->require_subcommand(1);

  const std::string data_help =
      "a folder holding rt-polarity.neg and rt-polarity.pos (MR), or a file of LABEL<TAB>SENTENCE lines "
      "(default: $TAPEGRAD_DATA/mr, else data/mr)";
  CLI::App* train = classify->add_subcommand(
      "train", "train a model on the fixed split (valid and test accuracy), or cross-validate it with --folds K");
  std::string models;
  for (const ClassifierKind& k : classifier_kinds()) models += (models.empty() ? "" : " | ") + k.name;
  train->add_option("--model", o.model, "the kind of model: " + models)->capture_default_str();
  train->add_option("--data", o.data, data_help);
  train
      ->add_option("--folds", o.folds,
                   "K-fold cross-validation (10 is the MR protocol): one line per fold, then mean ± std; "
                   "0 = the fixed split (test fold 0, valid fold 1, train folds 2-9)")
      ->capture_default_str()
      ->check(flag::zero_or_whole(2, 1000));
  train->add_option("--save", o.save, "fixed split: write the trained model to this file")->check(flag::output_file());
  std::vector<CLI::Option_group*> groups;  // one per kind, in the order of classifier_kinds()
  for (ClassifierKind& k : classifier_kinds()) {
    groups.push_back(train->add_option_group(k.name, "--model " + k.name + ": " + k.description));
    if (k.add_flags) k.add_flags(*groups.back());
  }

  CLI::App* eval = classify->add_subcommand(
      "eval", "accuracy and confusion matrix of a saved model on the fixed split's test part (or a labelled file)");
  eval->add_option("--checkpoint", c->checkpoint, "a model saved by `classify train --save`")->required();
  eval->add_option("--data", o.data, data_help);

  CLI::App* predict = classify->add_subcommand(
      "predict", "label and probability of each sentence (one per line, from --input, --text or stdin)");
  predict->add_option("--checkpoint", c->checkpoint, "a model saved by `classify train --save`")->required();
  predict->add_option("--input", c->input,
                      "a UTF-8 file of sentences, one per line, tokens separated by spaces "
                      "(default or '-': stdin)");
  predict->add_option("--text", c->texts, "a sentence to classify (repeatable)");

  for (CLI::App* cmd : {train, eval, predict}) cmd->add_flag("--json", o.json, "machine-readable output");
  train->add_flag("--quiet", o.quiet, "no progress lines on stderr");

  return [c, train, eval, predict, groups] {
    if (train->parsed()) return run_train(*c, groups);
    if (eval->parsed()) return run_eval(*c);
    if (predict->parsed()) return run_predict(*c);
    return 1;
  };
}

}  // namespace tapegrad::cli
