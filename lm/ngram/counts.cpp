// N-gram counting by levels over the padded token stream (see ngram_counts.hpp).
#include "lm/ngram/counts.hpp"

#include <algorithm>

#include "lm/ngram/model.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

NgramCounts NgramCounts::build(const IdCorpus& corpus, std::size_t vocab_size, int order) {
  check_ngram_order(order);  // before anything is counted or allocated
  if (vocab_size < 2 || vocab_size >= kNoEntry - 1) throw UsageError("NgramCounts: bad vocabulary size");
  if (corpus.num_sentences() == 0) throw FormatError(where(corpus.source) + "no sentence to count n-grams from");

  NgramCounts out;
  out.vocab_size = static_cast<std::uint32_t>(vocab_size);
  const WordId bos = out.bos();
  out.trie = NgramTrie(bos + 1);

  // The padded stream: <s> w1 … wm </s> per sentence.
  std::vector<WordId> x;
  x.reserve(corpus.num_words() + 2 * corpus.num_sentences());
  for (std::size_t s = 0; s < corpus.num_sentences(); ++s) {
    x.push_back(bos);
    for (WordId w : corpus.sentence(s)) {
      if (w >= vocab_size)
        throw UsageError("NgramCounts: word id " + std::to_string(w) + " outside the vocabulary (" +
                         std::to_string(vocab_size) + " words)");
      x.push_back(w);
    }
    x.push_back(Vocab::kEos);
  }
  if (x.size() >= kNoEntry) throw UsageError("NgramCounts: corpus longer than 2^32-1 tokens");
  const auto T = static_cast<std::uint32_t>(x.size());
  out.sentences = corpus.num_sentences();
  out.tokens = T - out.sentences;

  // Level 1: the entry of the unigram ending at t is the word itself.
  out.count.emplace_back(bos + 1, 0);
  for (WordId w : x) ++out.count[0][w];
  out.suffix.emplace_back();
  std::vector<std::uint32_t> prev(x.begin(), x.end()), cur(T);

  std::vector<std::uint32_t> bucket;
  std::vector<std::uint64_t> keyed;  // (word << 32 | position), bucketed by parent entry
  for (int n = 2; n <= order; ++n) {
    const std::size_t parents = out.trie.size(n - 1);
    // Counting sort of the positions t that end an n-gram, by the parent entry prev[t-1].
    bucket.assign(parents + 1, 0);
    for (std::uint32_t t = 1; t < T; ++t)
      if (x[t] != bos && prev[t - 1] != kNoEntry) ++bucket[prev[t - 1] + 1];
    for (std::size_t p = 0; p < parents; ++p) bucket[p + 1] += bucket[p];
    keyed.resize(bucket[parents]);
    {
      std::vector<std::uint32_t> fill(bucket.begin(), bucket.end() - 1);
      for (std::uint32_t t = 1; t < T; ++t)
        if (x[t] != bos && prev[t - 1] != kNoEntry) keyed[fill[prev[t - 1]]++] = std::uint64_t{x[t]} << 32 | t;
    }
    // Within each bucket, by word; each run of one word is a new entry.
    std::vector<std::uint32_t> first_child(parents + 1, 0);
    std::vector<WordId> words;
    std::vector<std::uint32_t> count, suffix;
    std::fill(cur.begin(), cur.end(), kNoEntry);
    for (std::size_t p = 0; p < parents; ++p) {
      first_child[p] = static_cast<std::uint32_t>(words.size());
      const auto b = keyed.begin() + bucket[p], e = keyed.begin() + bucket[p + 1];
      std::sort(b, e);
      for (auto run = b; run != e;) {
        const auto word = static_cast<WordId>(*run >> 32);
        const auto entry = static_cast<std::uint32_t>(words.size());
        auto end = run;
        for (; end != e && static_cast<WordId>(*end >> 32) == word; ++end)
          cur[static_cast<std::uint32_t>(*end)] = entry;
        words.push_back(word);
        count.push_back(static_cast<std::uint32_t>(end - run));
        suffix.push_back(prev[static_cast<std::uint32_t>(*run)]);  // the (n−1)-gram ending at the same position
        run = end;
      }
    }
    first_child[parents] = static_cast<std::uint32_t>(words.size());
    out.trie.add_level(std::move(first_child), std::move(words));
    out.count.push_back(std::move(count));
    out.suffix.push_back(std::move(suffix));
    std::swap(prev, cur);
  }
  return out;
}

}  // namespace tapegrad::lm
