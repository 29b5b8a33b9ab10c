// Interpolated modified Kneser-Ney (Chen & Goodman 1998), estimated from n-gram counts into a BackoffModel, with
// the conventions of KenLM's lmplz so that perplexities match it:
//
// Counts. At the highest order N an n-gram keeps its raw count c. Below it, an n-gram w2 … wn gets its
// continuation (adjusted) count a = N1+(• w2 … wn), the number of distinct words seen before it — except when it
// starts with <s>, which nothing can precede: then a = c, the raw count. The unigram <s> gets a = 0 (it is never
// predicted).
//
// Discounts, per order, from the count-of-counts n_r (number of n-grams of that order with a = r):
//   Y = n1 / (n1 + 2 n2),  D1 = 1 − 2Y n2/n1,  D2 = 2 − 3Y n3/n2,  D3+ = 3 − 4Y n4/n3,  D(0) = 0.
// They exist only when n1, n2, n3 > 0 and 0 ≤ Dr ≤ r. Otherwise estimation stops with a FormatError that says
// which count is missing — or, with KnOptions::discount_fallback, that order uses fixed discounts (0.5, 1, 1.5 by
// default, the values lmplz falls back to) and KnOrderStats records it.
//
// Probabilities, for a context h (the n−1 words before w) and h' (h without its first word):
//   P(w | h) = (a(h w) − D(a(h w))) / Σ_v a(h v)  +  γ(h) · P(w | h')
//   γ(h)     = (D1 N1(h ·) + D2 N2(h ·) + D3+ N3+(h ·)) / Σ_v a(h v)
// where Nr(h ·) counts the words v with a(h v) = r (3+: ≥ 3). The recursion ends at the unigrams, interpolated with
// the uniform distribution over the |V| predictable words (the vocabulary with </s> and <unk>, without <s>):
//   P(w) = (a(w) − D(a(w))) / Σ_v a(v)  +  γ · 1/|V|,   γ = Σ_r Dr Nr / Σ_v a(v).
// A history never seen as a context contributes nothing and passes its word to h' unchanged (γ = 1).
//
// The model stores, per listed n-gram, log10 P(w | h) with the lower orders folded in, and per context log10 γ(h)
// as its backoff weight: exactly the ARPA form (backoff_model.hpp), so the ARPA export is lossless.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lm/ngram/backoff_model.hpp"
#include "lm/ngram/counts.hpp"

namespace tapegrad::lm {

struct KnOptions {
  bool discount_fallback = false;                 // use `fallback` for an order whose discounts do not exist
  std::array<double, 3> fallback{0.5, 1.0, 1.5};  // D1, D2, D3+
  // When set: these D1, D2, D3+ at every order, no estimation (worked examples, experiments). Each Dr in [0, r].
  std::optional<std::array<double, 3>> fixed_discounts;
};

struct KnOrderStats {
  int order = 0;
  std::uint64_t ngrams = 0;
  std::array<std::uint64_t, 5> n{};  // n[r] for r = 1 … 4 (n[0] unused)
  std::array<double, 4> discount{};  // D(0) = 0, D1, D2, D3+
  bool fell_back = false;
  std::string why;  // why the discounts could not be estimated (when fell_back)
};

// D(0..3) of one order from its count-of-counts; throws FormatError naming the order, unless options allow the
// fallback (then *why says what was missing).
std::array<double, 4> kn_discounts(const std::array<std::uint64_t, 5>& n, int order, const KnOptions& options,
                                   std::string* why = nullptr);

// The continuation ("adjusted") counts of every level, as defined above.
std::vector<std::vector<std::uint32_t>> kn_adjusted_counts(const NgramCounts& counts);

BackoffModel estimate_kneser_ney(const Vocab& vocab, NgramCounts counts, const KnOptions& options = {},
                                 std::vector<KnOrderStats>* stats = nullptr);

}  // namespace tapegrad::lm
