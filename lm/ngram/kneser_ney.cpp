// Interpolated modified Kneser-Ney estimation (formulas in kneser_ney.hpp).
#include "lm/ngram/kneser_ney.hpp"

#include <cmath>
#include <sstream>

#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

std::array<double, 4> kn_discounts(const std::array<std::uint64_t, 5>& n, int order, const KnOptions& options,
                                   std::string* why) {
  std::ostringstream problem;
  std::array<double, 4> d{};
  for (int r = 1; r <= 3 && problem.str().empty(); ++r)
    if (n[static_cast<std::size_t>(r)] == 0) problem << "no " << order << "-gram has count " << r;
  if (problem.str().empty()) {
    const double n1 = static_cast<double>(n[1]), n2 = static_cast<double>(n[2]), n3 = static_cast<double>(n[3]),
                 n4 = static_cast<double>(n[4]);
    const double y = n1 / (n1 + 2 * n2);
    d = {0.0, 1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3};
    for (int r = 1; r <= 3 && problem.str().empty(); ++r)
      if (!(d[static_cast<std::size_t>(r)] >= 0 && d[static_cast<std::size_t>(r)] <= r))
        problem << "D" << r << (r == 3 ? "+" : "") << " = " << d[static_cast<std::size_t>(r)] << " is outside [0, " << r
                << "]";
  }
  if (problem.str().empty()) return d;

  std::ostringstream message;
  message << "cannot estimate the modified Kneser-Ney discounts of " << order << "-grams: " << problem.str()
          << " (count-of-counts n1..n4 = " << n[1] << ", " << n[2] << ", " << n[3] << ", " << n[4]
          << "); the data are too small or too regular (a vocabulary built with a minimum count leaves no rare "
             "unigrams)";
  if (!options.discount_fallback)
    throw FormatError(message.str() + " — use the discount fallback (--discount-fallback)");
  if (why) *why = message.str();
  return {0.0, options.fallback[0], options.fallback[1], options.fallback[2]};
}

std::vector<std::vector<std::uint32_t>> kn_adjusted_counts(const NgramCounts& counts) {
  const int N = counts.order();
  std::vector<std::vector<std::uint32_t>> a(static_cast<std::size_t>(N));
  a[static_cast<std::size_t>(N - 1)] = counts.count[static_cast<std::size_t>(N - 1)];  // raw at the top
  // The entries that start with <s> form one contiguous range per level: the descendants of the unigram <s>.
  std::uint32_t bos_begin = counts.bos(), bos_end = counts.bos() + 1;
  for (int n = 1; n < N; ++n) {
    const auto level = static_cast<std::size_t>(n - 1);
    std::vector<std::uint32_t>& adj = a[level];
    adj.assign(counts.trie.size(n), 0);
    for (std::uint32_t s : counts.suffix[level + 1]) ++adj[s];  // one per distinct left extension
    for (std::uint32_t e = bos_begin; e < bos_end; ++e) adj[e] = counts.count[level][e];
    const std::uint32_t next_begin = counts.trie.children_begin(n, bos_begin);
    bos_end = bos_end > bos_begin ? counts.trie.children_end(n, bos_end - 1) : next_begin;
    bos_begin = next_begin;
  }
  a[0][counts.bos()] = 0;
  return a;
}

BackoffModel estimate_kneser_ney(const Vocab& vocab, NgramCounts counts, const KnOptions& options,
                                 std::vector<KnOrderStats>* stats) {
  if (counts.vocab_size != vocab.size())
    throw UsageError("estimate_kneser_ney: counts over " + std::to_string(counts.vocab_size) +
                     " words for a vocabulary of " + std::to_string(vocab.size()));
  const int N = counts.order();
  const NgramTrie& trie = counts.trie;
  const std::vector<std::vector<std::uint32_t>> a = kn_adjusted_counts(counts);

  // Discounts per order from the count-of-counts of a.
  std::vector<std::array<double, 4>> D(static_cast<std::size_t>(N));
  if (stats) stats->clear();
  for (int n = 1; n <= N; ++n) {
    KnOrderStats s;
    s.order = n;
    for (std::uint32_t r : a[static_cast<std::size_t>(n - 1)]) {
      s.ngrams += r > 0;
      if (r >= 1 && r <= 4) ++s.n[r];
    }
    if (options.fixed_discounts) {
      const std::array<double, 3>& f = *options.fixed_discounts;
      for (int r = 1; r <= 3; ++r)
        if (!(f[static_cast<std::size_t>(r - 1)] >= 0 && f[static_cast<std::size_t>(r - 1)] <= r))
          throw UsageError("Kneser-Ney: a fixed discount D" + std::to_string(r) + " must lie in [0, " +
                           std::to_string(r) + "]");
      s.discount = {0.0, f[0], f[1], f[2]};
    } else {
      s.discount = kn_discounts(s.n, n, options, &s.why);
    }
    s.fell_back = !s.why.empty();
    D[static_cast<std::size_t>(n - 1)] = s.discount;
    if (stats) stats->push_back(s);
  }
  auto discount = [&](int n, std::uint32_t r) { return D[static_cast<std::size_t>(n - 1)][std::min(r, 3u)]; };

  std::vector<std::vector<float>> log_prob(static_cast<std::size_t>(N)), log_backoff(static_cast<std::size_t>(N - 1));
  std::vector<double> lower, current;  // P of the previous level / this level, in double

  // Unigrams: discounted counts over the whole vocabulary, interpolated with uniform 1/|V|.
  {
    const std::vector<std::uint32_t>& a1 = a[0];
    double total = 0, gamma = 0;
    for (WordId w = 0; w < vocab.size(); ++w) {
      total += a1[w];
      if (a1[w] > 0) gamma += discount(1, a1[w]);
    }
    gamma /= total;
    const double uniform = 1.0 / static_cast<double>(vocab.size());
    current.assign(trie.size(1), 0.0);
    log_prob[0].assign(trie.size(1), 0.0f);
    for (WordId w = 0; w < vocab.size(); ++w) {
      current[w] = (a1[w] - discount(1, a1[w])) / total + gamma * uniform;
      log_prob[0][w] = static_cast<float>(std::log10(current[w]));
    }
    log_prob[0][counts.bos()] = kBosLog10Prob;
  }

  // Level n ≥ 2: for each context h (an entry of level n−1), its children h w.
  for (int n = 2; n <= N; ++n) {
    lower.swap(current);
    const auto level = static_cast<std::size_t>(n - 1);
    const std::vector<std::uint32_t>& an = a[level];
    const std::vector<std::uint32_t>& suffix = counts.suffix[level];
    current.assign(trie.size(n), 0.0);
    log_prob[level].assign(trie.size(n), 0.0f);
    std::vector<float>& backoff = log_backoff[level - 1];
    backoff.assign(trie.size(n - 1), 0.0f);
    for (std::uint32_t h = 0; h < trie.size(n - 1); ++h) {
      const std::uint32_t begin = trie.children_begin(n - 1, h), end = trie.children_end(n - 1, h);
      if (begin == end) continue;
      double total = 0, gamma = 0;
      for (std::uint32_t e = begin; e < end; ++e) {
        total += an[e];
        gamma += discount(n, an[e]);
      }
      gamma /= total;
      backoff[h] = static_cast<float>(std::log10(gamma));
      for (std::uint32_t e = begin; e < end; ++e) {
        current[e] = (an[e] - discount(n, an[e])) / total + gamma * lower[suffix[e]];
        log_prob[level][e] = static_cast<float>(std::log10(current[e]));
      }
    }
  }

  return BackoffModel(vocab, std::move(counts.trie), std::move(log_prob), std::move(log_backoff),
                      "interpolated modified Kneser-Ney");
}

}  // namespace tapegrad::lm
