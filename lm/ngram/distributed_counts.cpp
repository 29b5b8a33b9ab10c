// Counting on several ranks: count the shard, route each n-gram to its owner, merge, gather on rank 0 and rebuild
// the trie (see distributed_counts.hpp).
//
// Records are n word ids then the count, all u32 (NgramCounts' own widths). A message, rank → owner and
// owner → rank 0, is, for n = 1 … order: [u64 number of records][the records of order n]. Host byte order: the ranks
// of one job run one architecture.
//
// Rebuilding on rank 0: the entries of each trie level are in lexicographic order of their words (level n ≥ 2 is
// grouped by parent entry, in the parent level's order, then sorted by the last word; level 1 is the word ids), so
// the merged n-grams of order n, sorted lexicographically, *are* level n in order. Entry e's parent is its prefix
// w1 … wn−1 (found by one forward walk over level n−1, also sorted) and its suffix link is the entry of w2 … wn
// (n − 2 child look-ups). Every prefix and suffix of a counted n-gram was counted too, so both always exist.
#include "lm/ngram/distributed_counts.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "lm/ngram/model.hpp"
#include "lm/ngram/stable_hash.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

// The n-grams of one order as a flat array of records: n words then the count.
struct Records {
  int n = 0;
  std::vector<std::uint32_t> flat;

  std::size_t stride() const { return static_cast<std::size_t>(n) + 1; }
  std::size_t size() const { return flat.size() / stride(); }
  std::span<const std::uint32_t> words(std::size_t i) const { return {flat.data() + i * stride(), std::size_t(n)}; }
  std::uint32_t count(std::size_t i) const { return flat[i * stride() + n]; }
  void add(std::span<const std::uint32_t> words, std::uint32_t count) {
    flat.insert(flat.end(), words.begin(), words.end());
    flat.push_back(count);
  }
};

void append(std::vector<std::byte>& out, const void* data, std::size_t bytes) {
  const std::size_t at = out.size();
  out.resize(at + bytes);
  if (bytes) std::memcpy(out.data() + at, data, bytes);
}

// One message: the records of orders 1 … order.
std::vector<std::byte> encode(const std::vector<Records>& orders) {
  std::vector<std::byte> out;
  for (const Records& r : orders) {
    const std::uint64_t n = r.size();
    append(out, &n, sizeof n);
    append(out, r.flat.data(), r.flat.size() * sizeof(std::uint32_t));
  }
  return out;
}

// Appends the records of `message` to `orders` (one Records per order, n set).
void decode_into(const std::vector<std::byte>& message, std::vector<Records>& orders) {
  std::size_t pos = 0;
  auto need = [&](std::size_t bytes) {
    if (message.size() - pos < bytes) throw Error("distributed n-gram counts: a truncated message between ranks");
  };
  for (Records& r : orders) {
    std::uint64_t count = 0;
    need(sizeof count);
    std::memcpy(&count, message.data() + pos, sizeof count);
    pos += sizeof count;
    const std::size_t values = static_cast<std::size_t>(count) * r.stride();
    need(values * sizeof(std::uint32_t));
    const std::size_t at = r.flat.size();
    r.flat.resize(at + values);
    if (values) std::memcpy(r.flat.data() + at, message.data() + pos, values * sizeof(std::uint32_t));
    pos += values * sizeof(std::uint32_t);
  }
  if (pos != message.size()) throw Error("distributed n-gram counts: a message between ranks is longer than its records");
}

// The records in lexicographic order of their words.
std::vector<std::size_t> sorted_order(const Records& r) {
  std::vector<std::size_t> idx(r.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const auto x = r.words(a), y = r.words(b);
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
  });
  return idx;
}

bool same_words(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string show(std::span<const std::uint32_t> words) {
  std::string s;
  for (std::uint32_t w : words) s += (s.empty() ? "" : " ") + std::to_string(w);
  return s;
}

// Owner side: the same n-gram from several shards becomes one record with the summed count.
Records merge(const Records& r) {
  Records out{r.n, {}};
  const std::vector<std::size_t> idx = sorted_order(r);
  for (std::size_t i = 0; i < idx.size();) {
    std::uint64_t sum = 0;
    std::size_t j = i;
    for (; j < idx.size() && same_words(r.words(idx[j]), r.words(idx[i])); ++j) sum += r.count(idx[j]);
    if (sum > 0xffffffffull)
      throw UsageError("distributed n-gram counts: the count of the n-gram [" + show(r.words(idx[i])) +
                       "] exceeds 2^32-1");
    out.add(r.words(idx[i]), static_cast<std::uint32_t>(sum));
    i = j;
  }
  return out;
}

// This rank's counts as records, one Records per order, in trie (= lexicographic) order.
std::vector<Records> records_of(const NgramCounts& c) {
  std::vector<Records> out;
  // tuples of the previous level, stride n−1; level 1's entry e is the word e.
  std::vector<std::uint32_t> prev(c.trie.size(1));
  std::iota(prev.begin(), prev.end(), 0u);
  out.push_back({1, {}});
  for (std::uint32_t w = 0; w < c.trie.size(1); ++w)
    if (c.count[0][w] > 0) out.back().add(std::span<const std::uint32_t>(&w, 1), c.count[0][w]);
  for (int n = 2; n <= c.order(); ++n) {
    Records r{n, {}};
    std::vector<std::uint32_t> cur;
    cur.reserve(c.trie.size(n) * static_cast<std::size_t>(n));
    const auto parent_len = static_cast<std::size_t>(n - 1);
    for (std::uint32_t p = 0; p < c.trie.size(n - 1); ++p)
      for (std::uint32_t e = c.trie.children_begin(n - 1, p); e < c.trie.children_end(n - 1, p); ++e) {
        cur.insert(cur.end(), prev.begin() + p * parent_len, prev.begin() + (p + 1) * parent_len);
        cur.push_back(c.trie.word(n, e));
        r.add(std::span<const std::uint32_t>(cur.data() + e * static_cast<std::size_t>(n), std::size_t(n)),
              c.count[n - 1][e]);
      }
    prev = std::move(cur);
    out.push_back(std::move(r));
  }
  return out;
}

// Rank 0: the NgramCounts whose levels are the merged n-grams of each order (see the file comment).
NgramCounts rebuild(std::vector<Records> merged, std::size_t vocab_size) {
  NgramCounts out;
  out.vocab_size = static_cast<std::uint32_t>(vocab_size);
  const std::uint32_t words = out.bos() + 1;
  out.trie = NgramTrie(words);
  Records previous{0, {}};
  for (Records& r : merged) {
    const int n = r.n;
    const std::vector<std::size_t> idx = sorted_order(r);
    for (std::size_t i = 1; i < idx.size(); ++i)
      if (same_words(r.words(idx[i - 1]), r.words(idx[i])))
        throw Error("distributed n-gram counts: the n-gram [" + show(r.words(idx[i])) +
                    "] reached rank 0 from two owners (the ranks disagree about who owns it)");
    for (std::size_t i : idx)
      for (std::uint32_t w : r.words(i))
        if (w >= words) throw Error("distributed n-gram counts: word id " + std::to_string(w) + " out of range");
    if (n == 1) {
      out.count.emplace_back(words, 0);
      for (std::size_t i : idx) out.count[0][r.words(i)[0]] = r.count(i);
      out.suffix.emplace_back();
    } else {
      std::vector<std::uint32_t> first_child(out.trie.size(n - 1) + 1, 0);
      std::vector<WordId> last;
      std::vector<std::uint32_t> count, suffix;
      last.reserve(idx.size());
      count.reserve(idx.size());
      suffix.reserve(idx.size());
      std::size_t p = 0;  // walks level n−1 (the sorted records of `previous`, or the word ids for n = 2)
      for (std::size_t i : idx) {
        const std::span<const std::uint32_t> w = r.words(i);
        const std::span<const std::uint32_t> prefix = w.first(static_cast<std::size_t>(n - 1));
        std::uint32_t parent;
        if (n == 2) {
          parent = prefix[0];
        } else {
          while (p < previous.size() && std::lexicographical_compare(previous.words(p).begin(), previous.words(p).end(),
                                                                     prefix.begin(), prefix.end()))
            ++p;
          if (p == previous.size() || !same_words(previous.words(p), prefix))
            throw Error("distributed n-gram counts: the n-gram [" + show(w) + "] was counted without its prefix");
          parent = static_cast<std::uint32_t>(p);
        }
        ++first_child[parent + 1];
        std::uint32_t e = w[1];  // the suffix w2 … wn, entry of level n−1
        for (int k = 2; k < n && e != kNoEntry; ++k) e = out.trie.child(k - 1, e, w[static_cast<std::size_t>(k)]);
        if (e == kNoEntry)
          throw Error("distributed n-gram counts: the n-gram [" + show(w) + "] was counted without its suffix");
        last.push_back(w[static_cast<std::size_t>(n - 1)]);
        count.push_back(r.count(i));
        suffix.push_back(e);
      }
      std::partial_sum(first_child.begin(), first_child.end(), first_child.begin());
      out.trie.add_level(std::move(first_child), std::move(last));
      out.count.push_back(std::move(count));
      out.suffix.push_back(std::move(suffix));
    }
    // Keep this level's n-grams, sorted, for the next level's prefix walk.
    Records sorted{n, {}};
    sorted.flat.reserve(r.flat.size());
    for (std::size_t i : idx) sorted.add(r.words(i), r.count(i));
    previous = std::move(sorted);
    r.flat = {};
  }
  return out;
}

std::int64_t sum_over_ranks(nn::Communicator& comm, std::uint64_t mine) {
  std::int64_t v = static_cast<std::int64_t>(mine);
  comm.allreduce_sum(std::span<std::int64_t>(&v, 1));
  return v;
}

}  // namespace

int ngram_owner(std::span<const WordId> words, int ranks) { return owner_rank(fnv1a(words), ranks); }

std::optional<NgramCounts> count_ngrams_distributed(const IdCorpus& shard, std::size_t vocab_size, int order,
                                                    nn::Communicator& comm) {
  check_ngram_order(order);
  if (vocab_size < 2 || vocab_size >= kNoEntry - 1) throw UsageError("NgramCounts: bad vocabulary size");
  const int ranks = comm.size();
  const std::int64_t sentences = sum_over_ranks(comm, shard.num_sentences());
  const std::int64_t tokens = sum_over_ranks(comm, shard.num_words() + shard.num_sentences());
  if (sentences == 0) throw FormatError(where(shard.source) + "no sentence to count n-grams from");

  // 1–2. Count this shard and route each n-gram to its owner.
  std::vector<std::vector<std::byte>> to_owner(static_cast<std::size_t>(ranks));
  {
    std::vector<std::vector<Records>> routed(static_cast<std::size_t>(ranks));
    for (auto& orders : routed)
      for (int n = 1; n <= order; ++n) orders.push_back({n, {}});
    if (shard.num_sentences() > 0) {
      const std::vector<Records> mine = records_of(NgramCounts::build(shard, vocab_size, order));
      for (const Records& r : mine)
        for (std::size_t i = 0; i < r.size(); ++i)
          routed[static_cast<std::size_t>(ngram_owner(r.words(i), ranks))][static_cast<std::size_t>(r.n - 1)].add(
              r.words(i), r.count(i));
    }
    for (int dest = 0; dest < ranks; ++dest) to_owner[static_cast<std::size_t>(dest)] = encode(routed[static_cast<std::size_t>(dest)]);
  }
  const std::vector<std::vector<std::byte>> received = comm.alltoall(to_owner);
  to_owner.clear();

  // 3. Merge the n-grams this rank owns.
  std::vector<Records> owned;
  for (int n = 1; n <= order; ++n) owned.push_back({n, {}});
  for (const auto& message : received) decode_into(message, owned);
  std::vector<std::byte> merged_message;
  {
    std::vector<Records> merged;
    for (const Records& r : owned) merged.push_back(merge(r));
    owned.clear();
    merged_message = encode(merged);
  }

  // 4. Rank 0 gathers every owner's n-grams and rebuilds the counts.
  const std::vector<std::vector<std::byte>> gathered = comm.gather(merged_message, 0);
  if (!comm.is_root()) return std::nullopt;
  merged_message.clear();
  std::vector<Records> all;
  for (int n = 1; n <= order; ++n) all.push_back({n, {}});
  for (const auto& message : gathered) decode_into(message, all);
  NgramCounts counts = rebuild(std::move(all), vocab_size);
  counts.sentences = static_cast<std::uint64_t>(sentences);
  counts.tokens = static_cast<std::uint64_t>(tokens);
  return counts;
}

}  // namespace tapegrad::lm
