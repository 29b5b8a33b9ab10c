// `tapegrad ngram …`: n-gram language models from the command line.
//   train     count and smooth a training text; print the counts and discounts; write the model as ARPA (--arpa)
//   eval      perplexity of a text
//   score     log-probability of sentences, token by token
//   topk      the most probable next words after a context
//   generate  sample sentences from a prefix (--seed makes it reproducible)
// A model comes from an ARPA file (--arpa, Kneser-Ney or any KenLM/SRILM model) or is trained on the spot from a
// text (--train, with --order/--smoothing/--k; the only way to use MLE and add-k, which are not back-off models
// and so have no ARPA form). Texts are read one sentence per line. Progress goes to stderr, results to stdout.
// KenLM's habits work too: `-o N` is the order, and "-" names standard input for a text or a model read
// (`ngram score --arpa m.arpa --data -`) and standard output for the ARPA file written (`ngram train -o 3 --data -
// --arpa - < text > m.arpa`, whose report then goes to stderr).
// `mpirun -np N tapegrad ngram train …` counts on N ranks (lm/ngram/distributed_counts.hpp, docs/ngram.md "On several
// ranks"): each rank counts its shard of the sentences, owners merge, rank 0 estimates, prints and writes the same
// ARPA file one process would; the other ranks print nothing.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "apps/std_streams.hpp"
#include "lm/ngram/arpa.hpp"
#include "lm/ngram/distributed_counts.hpp"
#include "lm/ngram/distributed_vocab.hpp"
#include "lm/ngram/shard_reader.hpp"
#include "lm/ngram/eval.hpp"
#include "lm/ngram/train.hpp"
#include "lm/ngram/model.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"
#include "ops/random.hpp"

namespace tapegrad::cli {

namespace {

using nlohmann::json;

// Where a model comes from, and how to train one.
struct ModelOptions {
  std::string arpa;   // train: output file; other commands: the model to load
  std::string train;  // other commands: train on this text instead of loading --arpa
  std::string vocab;  // vocabulary file (else built from the training text with --min-count)
  std::uint64_t min_count = 1;
  std::string encoding = "utf8";  // of the text files read (--data, --train, --valid)
  int order = 3;
  std::string smoothing = "kn";
  double k = 1.0;
  bool discount_fallback = false;
  bool quiet = false;
};

struct NgramCommandOptions {
  ModelOptions model;
  std::string data, valid;
  std::vector<std::string> texts;
  std::string context, prefix;
  std::size_t top = 10, count = 1, max_words = 50;
  std::uint64_t seed = 1;
  bool allow_unk = false, json = false;
};

// Progress lines on stderr: "ngram: <what> (<seconds since start> s)".
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet) {}
  void operator()(const std::string& what) const {
    if (quiet_) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%.2f s)", s);
    std::cerr << "ngram: " << what << buf << '\n';
  }

 private:
  bool quiet_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string fixed(double x, int digits) {
  if (std::isinf(x)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

lm::NgramOptions ngram_options(const ModelOptions& m) {
  lm::NgramOptions o;
  o.order = m.order;
  o.smoothing = lm::parse_smoothing(m.smoothing);
  o.k = m.k;
  o.kn.discount_fallback = m.discount_fallback;
  return o;
}

struct Trained {
  std::unique_ptr<lm::NgramModel> model;
  lm::TrainReport report;
  lm::IdCorpus corpus;
};

Trained train_from_text(const ModelOptions& m, const std::string& path, const Progress& progress) {
  const lm::NgramOptions options = ngram_options(m);  // validates --smoothing before the (long) reading
  if (options.order < 1) throw UsageError("--order must be at least 1");
  progress("reading " + input_name(path));
  const lm::TokenCorpus text = read_words(path, lm::parse_encoding(m.encoding));
  const lm::Vocab vocab = m.vocab.empty() ? lm::Vocab::build(text, m.min_count) : lm::Vocab::load(m.vocab);
  Trained t;
  t.corpus = vocab.encode(text);
  progress("counting " + std::to_string(options.order) + "-grams over " + std::to_string(text.num_sentences()) +
           " sentences, vocabulary " + std::to_string(vocab.size()));
  t.model = lm::train_ngram(t.corpus, vocab, options, &t.report);
  progress("estimated " + t.model->name());
  return t;
}

// The same on the ranks of `comm` (size > 1): each rank reads its share of the text's lines (by byte range); the
// vocabulary and the counts are built across the ranks; rank 0 alone gets the merged counts and estimates the model.
// The other ranks return a Trained without a model.
Trained train_across_ranks(const ModelOptions& m, const std::string& path, const Progress& progress,
                           nn::Communicator& comm) {
  const lm::NgramOptions options = ngram_options(m);
  if (options.order < 1) throw UsageError("--order must be at least 1");
  if (is_std_stream(path))
    throw UsageError("--data -: standard input reaches one rank only; on " + std::to_string(comm.size()) +
                     " ranks give the training text as a file every rank can read");
  progress("reading " + path + " (each of " + std::to_string(comm.size()) + " ranks reads and counts its share)");
  const lm::WordShard text = lm::read_word_shard(path, lm::parse_encoding(m.encoding), comm);
  const lm::TokenCorpus& shard = text.sentences;
  const lm::Vocab vocab =
      m.vocab.empty() ? lm::build_vocab_distributed(shard, m.min_count, comm) : lm::Vocab::load(m.vocab);
  Trained t;
  t.corpus = vocab.encode(shard);
  progress("counting " + std::to_string(options.order) + "-grams over " + std::to_string(text.total_sentences) +
           " sentences on " + std::to_string(comm.size()) + " ranks, vocabulary " + std::to_string(vocab.size()));
  const auto start = std::chrono::steady_clock::now();
  std::optional<lm::NgramCounts> counts = lm::count_ngrams_distributed(t.corpus, vocab.size(), options.order, comm);
  if (!counts) return t;
  const double count_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress("merged the counts on rank 0");
  t.model = lm::estimate_ngram(std::move(*counts), vocab, options, &t.report);
  t.report.count_seconds = count_seconds;
  progress("estimated " + t.model->name());
  return t;
}

std::unique_ptr<lm::NgramModel> load_model(const ModelOptions& m, const Progress& progress) {
  if (!m.arpa.empty() && !m.train.empty())
    throw UsageError("give either --arpa (a model file) or --train (a text), not both");
  if (m.arpa.empty() && m.train.empty()) throw UsageError("no model: give --arpa MODEL.arpa or --train TEXT");
  if (!m.arpa.empty()) {
    progress("loading " + input_name(m.arpa));
    auto model = std::make_unique<lm::BackoffModel>(is_std_stream(m.arpa)
                                                        ? lm::parse_arpa(read_input(m.arpa), input_name(m.arpa))
                                                        : lm::load_arpa(m.arpa));
    progress("loaded an order-" + std::to_string(model->order()) + " model, vocabulary " +
             std::to_string(model->vocab().size()));
    return model;
  }
  return train_from_text(m, m.train, progress).model;
}

json eval_json(const lm::EvalResult& r, const std::string& explanation) {
  json j = {{"sentences", r.sentences}, {"words", r.words},          {"tokens", r.tokens}, {"oov", r.oov},
            {"zero_prob", r.zero_prob}, {"log10_prob", r.log10_prob}};
  j["perplexity"] = std::isinf(r.perplexity) ? json(nullptr) : json(r.perplexity);
  if (!explanation.empty()) j["infinite_because"] = explanation;
  return j;
}

std::string eval_line(const lm::EvalResult& r, const std::string& explanation) {
  std::ostringstream s;
  s << "perplexity " << fixed(r.perplexity, 2) << " over " << r.tokens << " tokens (" << r.words << " words + "
    << r.sentences << " </s>; " << r.oov << " out of vocabulary)";
  if (!explanation.empty()) s << "\n  " << explanation;
  return s.str();
}

// ---- train ----
int run_train(const NgramCommandOptions& o) {
  // On several ranks, rank 0 alone reports; the others print nothing unless they fail.
  nn::Communicator& comm = communicator();
  const bool several = comm.size() > 1;
  const Progress progress(o.model.quiet || !comm.is_root());
  const lm::NgramOptions options = ngram_options(o.model);
  if (!o.model.arpa.empty() && options.smoothing != lm::Smoothing::kKneserNey)
    throw UsageError(
        "--arpa stores a back-off model: only --smoothing kn has one (MLE and add-k are evaluated "
        "with --train TEXT instead)");
  at_most_one_stdin({{"--data", &o.data}, {"--valid", &o.valid}});
  Trained t =
      several ? train_across_ranks(o.model, o.data, progress, comm) : train_from_text(o.model, o.data, progress);
  if (!t.model) return 0;  // a rank other than 0: its counts went to their owners, and from them to rank 0
  // With --arpa - the model is the standard output, and the report goes to standard error.
  const bool arpa_to_stdout = is_std_stream(o.model.arpa);
  std::ostream& out = arpa_to_stdout ? std::cerr : std::cout;
  if (arpa_to_stdout) {
    lm::write_arpa(dynamic_cast<const lm::BackoffModel&>(*t.model), std::cout);
    std::cout.flush();
    if (!std::cout) throw lm::IoError("standard output: writing the ARPA model failed");
  } else if (!o.model.arpa.empty()) {
    lm::save_arpa(dynamic_cast<const lm::BackoffModel&>(*t.model), o.model.arpa);
    progress("wrote " + o.model.arpa);
  }
  lm::EvalResult valid;
  std::string explanation;
  if (!o.valid.empty()) {
    const lm::IdCorpus v = t.model->vocab().encode(read_words(o.valid, lm::parse_encoding(o.model.encoding)));
    valid = lm::evaluate(*t.model, v);
    explanation = lm::explain_infinite(*t.model, v, valid);
  }

  const lm::TrainReport& r = t.report;
  if (o.json) {
    json j = {{"order", t.model->order()},
              {"smoothing", o.model.smoothing},
              {"model", t.model->name()},
              {"sentences", r.sentences},
              {"tokens", r.tokens},
              {"vocabulary", t.model->vocab().size()},
              {"ngrams", r.ngrams},
              {"count_seconds", r.count_seconds},
              {"estimate_seconds", r.estimate_seconds}};
    if (o.model.smoothing == "addk") j["k"] = o.model.k;
    for (const lm::KnOrderStats& s : r.kn)
      j["discounts"].push_back({{"order", s.order},
                                {"count_of_counts", {s.n[1], s.n[2], s.n[3], s.n[4]}},
                                {"D", {s.discount[1], s.discount[2], s.discount[3]}},
                                {"fallback", s.fell_back}});
    if (!o.model.arpa.empty()) j["arpa"] = arpa_to_stdout ? "standard output" : o.model.arpa;
    if (!o.valid.empty()) j["valid"] = eval_json(valid, explanation);
    out << j.dump(2) << '\n';
    return 0;
  }
  out << "order-" << t.model->order() << " " << t.model->name() << " on " << o.data << ": " << r.sentences
            << " sentences, " << r.tokens << " tokens, vocabulary " << t.model->vocab().size() << "\n";
  out << "  order  n-grams";
  if (!r.kn.empty()) out << "        n1        n2        n3        n4      D1      D2     D3+";
  out << '\n';
  for (std::size_t n = 0; n < r.ngrams.size(); ++n) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %5zu %8llu", n + 1, static_cast<unsigned long long>(r.ngrams[n]));
    out << buf;
    if (!r.kn.empty()) {
      const lm::KnOrderStats& s = r.kn[n];
      std::snprintf(buf, sizeof buf, " %9llu %9llu %9llu %9llu  %.4f  %.4f  %.4f%s",
                    static_cast<unsigned long long>(s.n[1]), static_cast<unsigned long long>(s.n[2]),
                    static_cast<unsigned long long>(s.n[3]), static_cast<unsigned long long>(s.n[4]), s.discount[1],
                    s.discount[2], s.discount[3], s.fell_back ? "  (fallback)" : "");
      out << buf;
    }
    out << '\n';
  }
  for (const lm::KnOrderStats& s : r.kn)
    if (s.fell_back) out << "  note: " << s.why << "; used the fallback discounts\n";
  if (!o.model.arpa.empty()) out << "wrote " << (arpa_to_stdout ? "the model to standard output" : o.model.arpa) << '\n';
  if (!o.valid.empty()) out << input_name(o.valid) << ": " << eval_line(valid, explanation) << '\n';
  return 0;
}

// ---- eval ----
int run_eval(const NgramCommandOptions& o) {
  const Progress progress(o.model.quiet);
  at_most_one_stdin({{"--arpa", &o.model.arpa}, {"--train", &o.model.train}, {"--data", &o.data}});
  const std::unique_ptr<lm::NgramModel> model = load_model(o.model, progress);
  progress("scoring " + input_name(o.data));
  const lm::IdCorpus corpus = model->vocab().encode(read_words(o.data, lm::parse_encoding(o.model.encoding)));
  const lm::EvalResult r = lm::evaluate(*model, corpus);
  const std::string explanation = lm::explain_infinite(*model, corpus, r);
  progress("scored " + std::to_string(r.tokens) + " tokens");
  if (o.json) {
    json j = eval_json(r, explanation);
    j["data"] = input_name(o.data);
    j["order"] = model->order();
    j["model"] = model->name();
    std::cout << j.dump(2) << '\n';
  } else {
    std::cout << input_name(o.data) << ": " << eval_line(r, explanation) << '\n';
  }
  return 0;
}

// ---- score ----
int run_score(const NgramCommandOptions& o) {
  const Progress progress(o.model.quiet);
  if (o.texts.empty() == o.data.empty()) throw UsageError("score: give sentences with --text, or a file with --data");
  at_most_one_stdin({{"--arpa", &o.model.arpa}, {"--train", &o.model.train}, {"--data", &o.data}});
  const std::unique_ptr<lm::NgramModel> model = load_model(o.model, progress);
  lm::TokenCorpus corpus;
  if (!o.data.empty()) {
    corpus = read_words(o.data, lm::parse_encoding(o.model.encoding));
  } else {
    std::string joined;
    for (const std::string& t : o.texts) joined += t + '\n';
    corpus = lm::TokenCorpus::parse_words(joined, "--text");
  }
  const lm::Vocab& vocab = model->vocab();
  const lm::IdCorpus ids = vocab.encode(corpus);
  json all = json::array();
  for (std::size_t i = 0; i < ids.num_sentences(); ++i) {
    const lm::SentenceScore s = lm::score_sentence(*model, ids.sentence(i));
    const auto words = corpus.sentence(i);
    const double ppl = std::pow(10.0, -s.log10_prob / static_cast<double>(s.tokens.size()));
    if (o.json) {
      json tokens = json::array();
      for (std::size_t t = 0; t < s.tokens.size(); ++t) {
        const lm::TokenDetail& d = s.tokens[t];
        tokens.push_back({{"token", t < words.size() ? std::string(words[t]) : std::string(lm::Vocab::kEosToken)},
                          {"id", d.word},
                          {"log10_prob", std::isinf(d.log10_prob) ? json(nullptr) : json(d.log10_prob)},
                          {"ngram", d.ngram}});
      }
      all.push_back({{"sentence", i + 1},
                     {"log10_prob", std::isinf(s.log10_prob) ? json(nullptr) : json(s.log10_prob)},
                     {"perplexity", std::isinf(ppl) ? json(nullptr) : json(ppl)},
                     {"tokens", tokens}});
      continue;
    }
    std::cout << "sentence " << i + 1 << ": log10 P = " << fixed(s.log10_prob, 4) << ", perplexity " << fixed(ppl, 2)
              << " (" << s.tokens.size() << " tokens)\n";
    std::cout << "  token                       log10 P  n-gram\n";
    for (std::size_t t = 0; t < s.tokens.size(); ++t) {
      const lm::TokenDetail& d = s.tokens[t];
      std::string shown = t < words.size() ? std::string(words[t]) : std::string(lm::Vocab::kEosToken);
      if (t < words.size() && d.word == lm::Vocab::kUnk && shown != lm::Vocab::kUnkToken) shown += " (<unk>)";
      char buf[200];
      std::snprintf(buf, sizeof buf, "  %-24s %10s  %d\n", shown.c_str(), fixed(d.log10_prob, 4).c_str(), d.ngram);
      std::cout << buf;
    }
  }
  if (o.json) std::cout << all.dump(2) << '\n';
  return 0;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// ---- topk ----
int run_topk(const NgramCommandOptions& o) {
  const Progress progress(o.model.quiet);
  const std::unique_ptr<lm::NgramModel> model = load_model(o.model, progress);
  const std::vector<std::string> history = split_words(o.context);
  const lm::Context context = model->context_of(history);
  const std::vector<lm::Prediction> top = lm::top_k(*model, context, o.top);
  if (o.json) {
    json j = {{"context", o.context}, {"predictions", json::array()}};
    for (const lm::Prediction& p : top)
      j["predictions"].push_back({{"token", model->vocab().token(p.word)}, {"prob", p.prob}});
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << "P(w | " << (o.context.empty() ? "" : o.context) << ")  [" << model->name() << ", order "
            << model->order() << "]\n";
  for (std::size_t i = 0; i < top.size(); ++i) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "  %2zu. %-20s %.6f\n", i + 1, model->vocab().token(top[i].word).c_str(),
                  top[i].prob);
    std::cout << buf;
  }
  return 0;
}

// ---- generate ----
int run_generate(const NgramCommandOptions& o) {
  const Progress progress(o.model.quiet);
  const std::unique_ptr<lm::NgramModel> model = load_model(o.model, progress);
  const std::vector<std::string> prefix = split_words(o.prefix);
  std::vector<std::string> history{std::string(lm::Vocab::kBosToken)};
  history.insert(history.end(), prefix.begin(), prefix.end());
  const lm::Context start = model->context_of(history);
  Rng rng(o.seed);
  lm::GenerateOptions g;
  g.max_words = o.max_words;
  g.allow_unk = o.allow_unk;
  json all = json::array();
  for (std::size_t i = 0; i < o.count; ++i) {
    std::string line = o.prefix;
    for (lm::WordId w : lm::generate(*model, start, rng, g))
      line += (line.empty() ? "" : " ") + model->vocab().token(w);
    if (o.json)
      all.push_back(line);
    else
      std::cout << line << '\n';
  }
  if (o.json) std::cout << json({{"seed", o.seed}, {"prefix", o.prefix}, {"samples", all}}).dump(2) << '\n';
  return 0;
}

// The highest n-gram order the flags accept: the library's own bound (lm/ngram/model.hpp), far above what data supports.
constexpr std::int64_t kMaxOrder = lm::kMaxNgramOrder;

// Flags shared by the commands that use a model.
void add_model_source(CLI::App* cmd, ModelOptions& m) {
  cmd->add_option("--arpa", m.arpa, "the model: an ARPA file (from `ngram train --arpa`, KenLM or SRILM; - reads standard input)");
  cmd->add_option("--train", m.train, "instead of --arpa: train a model on this text (one sentence per line; - reads standard input)");
}

void add_training(CLI::App* cmd, ModelOptions& m) {
  cmd->add_option("-o,--order", m.order, "n-gram order (-o as in KenLM's lmplz)")->capture_default_str()->check(flag::whole(1, kMaxOrder));
  cmd->add_option("--smoothing", m.smoothing, "mle | addk | kn (interpolated modified Kneser-Ney)")
      ->capture_default_str()
      ->transform(flag::choice("smoothing", {"mle", "addk", "kn"}));
  cmd->add_option("--k", m.k, "add-k: the k added to every count (1 = Laplace)")
      ->capture_default_str()
      ->check(flag::real_above(0));
  cmd->add_option("--vocab", m.vocab, "vocabulary file (one token per line; default: built from the training text)");
  cmd->add_option("--min-count", m.min_count, "without --vocab: keep tokens seen at least this often")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxTokens));
  cmd->add_option("--encoding", m.encoding, "text encoding of the text files: utf8 (checked) | latin1 (ISO-8859-1, each byte one character)")
      ->capture_default_str()
      ->transform(flag::choice("text encoding", {"utf8", "latin1"},
                               {{"utf-8", "utf8"}, {"latin-1", "latin1"}, {"iso-8859-1", "latin1"}}));
  cmd->add_flag("--discount-fallback", m.discount_fallback,
                "Kneser-Ney: use D = 0.5, 1, 1.5 for an order whose discounts cannot be estimated (else an error)");
}

}  // namespace

Command add_ngram_command(CLI::App& app) {
  auto o = std::make_shared<NgramCommandOptions>();
  CLI::App* ngram = app.add_subcommand("ngram", "n-gram language models: train, evaluate, score, predict, sample");
  ngram->require_subcommand(1);
  ngram->fallthrough();  // so --quiet may also follow the subcommand
  ngram->add_flag("--quiet", o->model.quiet, "no progress lines on stderr");

  CLI::App* train = ngram->add_subcommand("train",
                                          "Count n-grams in a text and smooth them; print counts and "
                                          "discounts; write the model as ARPA with --arpa");
  train->add_option("--data", o->data, "training text, one sentence per line (- reads standard input)")->required();
  train->add_option("--arpa", o->model.arpa,
                    "write the model to this ARPA file (Kneser-Ney only; - writes it to standard output and the "
                    "report to standard error)")
      ->check(flag::output_file_or_stdout());
  train->add_option("--valid", o->valid, "also report the perplexity of this text (- reads standard input)");
  add_training(train, o->model);

  CLI::App* eval = ngram->add_subcommand("eval", "Perplexity of a text (each line one sentence, </s> counted)");
  add_model_source(eval, o->model);
  add_training(eval, o->model);
  eval->add_option("--data", o->data, "the text to evaluate (- reads standard input)")->required();

  CLI::App* score = ngram->add_subcommand("score", "log10 probability of sentences, token by token");
  add_model_source(score, o->model);
  add_training(score, o->model);
  score->add_option("--text", o->texts, "a sentence to score (repeatable)");
  score->add_option("--data", o->data, "a file of sentences to score (- reads standard input)");

  CLI::App* topk = ngram->add_subcommand("topk", "The most probable next words after a context");
  add_model_source(topk, o->model);
  add_training(topk, o->model);
  topk->add_option("--context", o->context,
                   "the preceding words, e.g. \"today the\"; start with <s> for the start of a sentence")
      ->required();
  topk->add_option("-k,--top", o->top, "how many words")->capture_default_str()->check(flag::whole(1, flag::kMaxCount));

  CLI::App* generate = ngram->add_subcommand("generate", "Sample sentences that continue a prefix");
  add_model_source(generate, o->model);
  add_training(generate, o->model);
  generate->add_option("--prefix", o->prefix, "the first words of the sentence (may be empty)");
  generate->add_option("--seed", o->seed, "random seed (same seed, same sentences)")->capture_default_str();
  generate->add_option("--count", o->count, "how many sentences")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxCount));
  generate->add_option("--max-words", o->max_words, "stop a sentence after this many generated words")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxTokens));
  generate->add_flag("--allow-unk", o->allow_unk, "let <unk> be drawn (by default it is skipped)");

  for (CLI::App* cmd : {train, eval, score, topk, generate})
    cmd->add_flag("--json", o->json, "machine-readable output");

  return [o, train, eval, score, topk, generate] {
    if (train->parsed()) return run_train(*o);
    if (eval->parsed()) return run_eval(*o);
    if (score->parsed()) return run_score(*o);
    if (topk->parsed()) return run_topk(*o);
    if (generate->parsed()) return run_generate(*o);
    return 1;
  };
}

}  // namespace tapegrad::cli
