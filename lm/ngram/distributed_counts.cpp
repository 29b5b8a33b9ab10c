// Counting on several ranks: count the shard, route each n-gram to its owner, merge, gather on rank 0 and rebuild
// the trie (see distributed_counts.hpp).
//
// Records are n word ids then the count, all u32 (NgramCounts' own widths). A message, rank → owner and
// owner → rank 0, is, for n = 1 … order: [u64 number of records][the records of order n]. Host byte order: the ranks
// of one job run one architecture.
//
// Sorted all the way: a rank's counts come out of its trie in lexicographic order of their words, routing keeps
// that order, so an owner receives one sorted run per rank and merges them (a k-way merge, no sort), and rank 0
// receives one sorted run per owner and merges those.
//
// Rebuilding on rank 0: the entries of each trie level are in lexicographic order of their words (level n ≥ 2 is
// grouped by parent entry, in the parent level's order, then sorted by the last word; level 1 is the word ids), so
// the merged n-grams of order n, sorted lexicographically, *are* level n in order. Entry e's parent is its prefix
// w1 … wn−1 (found by one forward walk over level n−1, also sorted) and its suffix link is the entry of w2 … wn,
// the child wn of the parent's suffix link (one look-up). Every prefix and suffix of a counted n-gram was counted
// too, so both always exist.
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
  if (pos != message.size())
    throw Error("distributed n-gram counts: a message between ranks is longer than its records");
}

bool less(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

bool same_words(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string show(std::span<const std::uint32_t> words) {
  std::string s;
  for (std::uint32_t w : words) s += (s.empty() ? "" : " ") + std::to_string(w);
  return s;
}

// Merges runs of records of one order, each in strictly increasing lexicographic order (a rank's counts are in trie
// order, and routing keeps it), into one such run: a k-way merge through a heap of the runs' heads, no sort.
// An n-gram in several runs is one record whose count is the sum (on an owner: the same n-gram from several shards)
// or, when `unique`, an error (on rank 0: two owners sent it).
Records merge_runs(const std::vector<const Records*>& runs, int n, bool unique) {
  Records out{n, {}};
  std::size_t total = 0;
  for (const Records* r : runs) total += r->flat.size();
  out.flat.reserve(total);
  struct Head {
    const Records* run;
    std::size_t i;
  };
  auto later = [](const Head& a, const Head& b) { return less(b.run->words(b.i), a.run->words(a.i)); };
  std::vector<Head> heap;
  for (const Records* r : runs)
    if (r->size() > 0) heap.push_back({r, 0});
  std::make_heap(heap.begin(), heap.end(), later);
  std::uint64_t sum = 0;
  auto flush = [&] {
    if (sum > 0xffffffffull)
      throw UsageError("distributed n-gram counts: the count of the n-gram [" + show(out.words(out.size() - 1)) +
                       "] exceeds 2^32-1");
    out.flat.back() = static_cast<std::uint32_t>(sum);
  };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Head& h = heap.back();
    const std::span<const std::uint32_t> w = h.run->words(h.i);
    if (out.size() > 0 && same_words(out.words(out.size() - 1), w)) {
      if (unique)
        throw Error("distributed n-gram counts: the n-gram [" + show(w) +
                    "] reached rank 0 from two owners (the ranks disagree about who owns it)");
      sum += h.run->count(h.i);
    } else {
      if (out.size() > 0) flush();
      out.add(w, 0);
      sum = h.run->count(h.i);
    }
    if (++h.i < h.run->size()) {
      if (!less(w, h.run->words(h.i)))
        throw Error("distributed n-gram counts: a rank's n-grams of order " + std::to_string(n) +
                    " arrived out of order at [" + show(h.run->words(h.i)) + "]");
      std::push_heap(heap.begin(), heap.end(), later);
    } else {
      heap.pop_back();
    }
  }
  if (out.size() > 0) flush();
  return out;
}

// One message's records: one Records per order, n set.
std::vector<Records> decode(const std::vector<std::byte>& message, int order) {
  std::vector<Records> out;
  for (int n = 1; n <= order; ++n) out.push_back({n, {}});
  decode_into(message, out);
  return out;
}

// The runs of all messages, merged order by order. Each message is freed once decoded, each run once merged.
std::vector<Records> merge_messages(std::vector<std::vector<std::byte>> messages, int order, bool unique) {
  std::vector<std::vector<Records>> decoded;
  for (auto& m : messages) {
    decoded.push_back(decode(m, order));
    m = {};
  }
  std::vector<Records> merged;
  for (int n = 1; n <= order; ++n) {
    std::vector<const Records*> runs;
    for (auto& d : decoded) runs.push_back(&d[static_cast<std::size_t>(n - 1)]);
    merged.push_back(merge_runs(runs, n, unique));
    for (auto& d : decoded) d[static_cast<std::size_t>(n - 1)].flat = {};  // free each order once merged
  }
  return merged;
}

// This rank's counts as records, routed: routed[r][n−1] holds the n-grams rank r owns, in trie (= lexicographic)
// order. Walks the trie level by level, keeping the words of the previous level's entries (stride n−1).
std::vector<std::vector<Records>> route(const NgramCounts& c, int ranks) {
  std::vector<std::vector<Records>> routed(static_cast<std::size_t>(ranks));
  for (auto& orders : routed)
    for (int n = 1; n <= c.order(); ++n) orders.push_back({n, {}});
  auto add = [&](int n, std::span<const std::uint32_t> words, std::uint32_t count) {
    routed[static_cast<std::size_t>(ngram_owner(words, ranks))][static_cast<std::size_t>(n - 1)].add(words, count);
  };
  std::vector<std::uint32_t> prev(c.trie.size(1));  // level 1's entry e is the word e
  std::iota(prev.begin(), prev.end(), 0u);
  for (std::uint32_t w = 0; w < c.trie.size(1); ++w)
    if (c.count[0][w] > 0) add(1, std::span<const std::uint32_t>(&w, 1), c.count[0][w]);
  for (int n = 2; n <= c.order(); ++n) {
    std::vector<std::uint32_t> cur;
    cur.reserve(n < c.order() ? c.trie.size(n) * static_cast<std::size_t>(n) : std::size_t(n));
    const auto parent_len = static_cast<std::size_t>(n - 1);
    for (std::uint32_t p = 0; p < c.trie.size(n - 1); ++p)
      for (std::uint32_t e = c.trie.children_begin(n - 1, p); e < c.trie.children_end(n - 1, p); ++e) {
        const std::size_t at = n < c.order() ? cur.size() : 0;  // the top level's words are not kept
        cur.resize(at + static_cast<std::size_t>(n));
        std::copy(prev.begin() + static_cast<std::ptrdiff_t>(p * parent_len),
                  prev.begin() + static_cast<std::ptrdiff_t>((p + 1) * parent_len),
                  cur.begin() + static_cast<std::ptrdiff_t>(at));
        cur[at + parent_len] = c.trie.word(n, e);
        add(n, std::span<const std::uint32_t>(cur.data() + at, static_cast<std::size_t>(n)), c.count[n - 1][e]);
      }
    prev = std::move(cur);
  }
  return routed;
}

// Rank 0: the NgramCounts whose levels are the merged n-grams of each order, given sorted (see the file comment).
NgramCounts rebuild(std::vector<Records> merged, std::size_t vocab_size) {
  NgramCounts out;
  out.vocab_size = static_cast<std::uint32_t>(vocab_size);
  const std::uint32_t words = out.bos() + 1;
  out.trie = NgramTrie(words);
  Records previous{0, {}};
  for (Records& r : merged) {
    const int n = r.n;
    for (std::size_t i = 0; i < r.size(); ++i)
      for (std::uint32_t w : r.words(i))
        if (w >= words) throw Error("distributed n-gram counts: word id " + std::to_string(w) + " out of range");
    if (n == 1) {
      out.count.emplace_back(words, 0);
      for (std::size_t i = 0; i < r.size(); ++i) out.count[0][r.words(i)[0]] = r.count(i);
      out.suffix.emplace_back();
    } else {
      std::vector<std::uint32_t> first_child(out.trie.size(n - 1) + 1, 0);
      std::vector<WordId> last;
      std::vector<std::uint32_t> count, suffix;
      last.reserve(r.size());
      count.reserve(r.size());
      suffix.reserve(r.size());
      std::size_t p = 0;  // walks level n−1 (the sorted records of `previous`; for n = 2 the word ids)
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::span<const std::uint32_t> w = r.words(i);
        const std::span<const std::uint32_t> prefix = w.first(static_cast<std::size_t>(n - 1));
        std::uint32_t parent;
        if (n == 2) {
          parent = prefix[0];
        } else {
          while (p < previous.size() && less(previous.words(p), prefix)) ++p;
          if (p == previous.size() || !same_words(previous.words(p), prefix))
            throw Error("distributed n-gram counts: the n-gram [" + show(w) + "] was counted without its prefix");
          parent = static_cast<std::uint32_t>(p);
        }
        ++first_child[parent + 1];
        // The suffix w2 … wn (level n−1) extends the parent's suffix w2 … wn−1 (level n−2) by wn: one look-up.
        const WordId wn = w[static_cast<std::size_t>(n - 1)];
        const std::uint32_t e =
            n == 2 ? wn : out.trie.child(n - 2, out.suffix[static_cast<std::size_t>(n - 2)][parent], wn);
        if (e == kNoEntry)
          throw Error("distributed n-gram counts: the n-gram [" + show(w) + "] was counted without its suffix");
        last.push_back(wn);
        count.push_back(r.count(i));
        suffix.push_back(e);
      }
      std::partial_sum(first_child.begin(), first_child.end(), first_child.begin());
      out.trie.add_level(std::move(first_child), std::move(last));
      out.count.push_back(std::move(count));
      out.suffix.push_back(std::move(suffix));
    }
    previous = std::move(r);  // this level's n-grams, sorted, for the next level's prefix walk
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
    std::vector<std::vector<Records>> routed(static_cast<std::size_t>(ranks), std::vector<Records>());
    if (shard.num_sentences() > 0) {
      routed = route(NgramCounts::build(shard, vocab_size, order), ranks);  // the shard's counts, freed once routed
    } else {
      for (auto& orders : routed)
        for (int n = 1; n <= order; ++n) orders.push_back({n, {}});
    }
    for (int dest = 0; dest < ranks; ++dest) {
      to_owner[static_cast<std::size_t>(dest)] = encode(routed[static_cast<std::size_t>(dest)]);
      routed[static_cast<std::size_t>(dest)] = {};
    }
  }
  std::vector<std::vector<std::byte>> received = comm.alltoall(to_owner);
  to_owner = {};

  // 3. Merge the n-grams this rank owns (one sorted run from each rank).
  std::vector<std::byte> merged_message = encode(merge_messages(std::move(received), order, false));

  // 4. Rank 0 gathers every owner's n-grams (one sorted run from each owner, no n-gram in two) and rebuilds the counts.
  std::vector<std::vector<std::byte>> gathered = comm.gather(merged_message, 0);
  merged_message = {};
  if (!comm.is_root()) return std::nullopt;
  std::vector<Records> all = merge_messages(std::move(gathered), order, true);
  NgramCounts counts = rebuild(std::move(all), vocab_size);
  counts.sentences = static_cast<std::uint64_t>(sentences);
  counts.tokens = static_cast<std::uint64_t>(tokens);
  return counts;
}

}  // namespace tapegrad::lm
