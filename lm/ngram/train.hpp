// One entry point to build an n-gram model from a training corpus: count, then smooth (MLE, add-k or
// interpolated modified Kneser-Ney), with a report of what was counted and estimated.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "lm/ngram/count_model.hpp"
#include "lm/ngram/kneser_ney.hpp"
#include "lm/ngram/model.hpp"

namespace tapegrad::lm {

enum class Smoothing { kMle, kAddK, kKneserNey };

// "mle", "addk" or "kn"; throws UsageError otherwise.
Smoothing parse_smoothing(std::string_view name);
std::string_view smoothing_name(Smoothing s);

struct NgramOptions {
  int order = 3;
  Smoothing smoothing = Smoothing::kKneserNey;
  double k = 1.0;  // add-k only
  KnOptions kn;    // Kneser-Ney only
};

struct TrainReport {
  std::vector<std::uint64_t> ngrams;  // distinct n-grams per order (order 1: the vocabulary plus <s>)
  std::vector<KnOrderStats> kn;       // Kneser-Ney only
  std::uint64_t sentences = 0, tokens = 0;
  double count_seconds = 0, estimate_seconds = 0;
};

std::unique_ptr<NgramModel> train_ngram(const IdCorpus& train, const Vocab& vocab, const NgramOptions& options,
                                        TrainReport* report = nullptr);

// The smoothing step alone, from counts already made (by NgramCounts::build, or merged across ranks by
// count_ngrams_distributed): fills the report's n-gram numbers, sentences, tokens and estimate_seconds (the caller
// times the counting). train_ngram is NgramCounts::build followed by this.
std::unique_ptr<NgramModel> estimate_ngram(NgramCounts counts, const Vocab& vocab, const NgramOptions& options,
                                           TrainReport* report = nullptr);

}  // namespace tapegrad::lm
