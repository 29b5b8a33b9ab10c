// Counting and smoothing behind one call (see ngram_train.hpp).
#include "lm/ngram/train.hpp"

#include <chrono>

#include "ops/error.hpp"

namespace tapegrad::lm {

Smoothing parse_smoothing(std::string_view name) {
  if (name == "mle") return Smoothing::kMle;
  if (name == "addk") return Smoothing::kAddK;
  if (name == "kn") return Smoothing::kKneserNey;
  throw UsageError("unknown smoothing '" + std::string(name) + "' (expected mle, addk or kn)");
}

std::string_view smoothing_name(Smoothing s) {
  switch (s) {
    case Smoothing::kMle:
      return "mle";
    case Smoothing::kAddK:
      return "addk";
    case Smoothing::kKneserNey:
      return "kn";
  }
  return "?";
}

namespace {

void check_options(const NgramOptions& options) {
  if (options.smoothing == Smoothing::kAddK && !(options.k > 0))
    throw UsageError("add-k smoothing needs k > 0 (k = 0 is MLE)");
  check_ngram_order(options.order);
}

}  // namespace

std::unique_ptr<NgramModel> train_ngram(const IdCorpus& train, const Vocab& vocab, const NgramOptions& options,
                                        TrainReport* report) {
  using Clock = std::chrono::steady_clock;
  check_options(options);
  const auto t0 = Clock::now();
  NgramCounts counts = NgramCounts::build(train, vocab.size(), options.order);
  const double count_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  auto model = estimate_ngram(std::move(counts), vocab, options, report);
  if (report) report->count_seconds = count_seconds;
  return model;
}

std::unique_ptr<NgramModel> estimate_ngram(NgramCounts counts, const Vocab& vocab, const NgramOptions& options,
                                           TrainReport* report) {
  using Clock = std::chrono::steady_clock;
  check_options(options);
  const auto t1 = Clock::now();
  if (report) {
    report->ngrams.clear();
    for (int n = 1; n <= counts.order(); ++n) report->ngrams.push_back(counts.trie.size(n));
    report->sentences = counts.sentences;
    report->tokens = counts.tokens;
  }
  std::unique_ptr<NgramModel> model;
  switch (options.smoothing) {
    case Smoothing::kMle:
      model = std::make_unique<CountModel>(vocab, std::move(counts), 0.0);
      break;
    case Smoothing::kAddK:
      model = std::make_unique<CountModel>(vocab, std::move(counts), options.k);
      break;
    case Smoothing::kKneserNey:
      model = std::make_unique<BackoffModel>(
          estimate_kneser_ney(vocab, std::move(counts), options.kn, report ? &report->kn : nullptr));
      break;
  }
  if (report) report->estimate_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return model;
}

}  // namespace tapegrad::lm
