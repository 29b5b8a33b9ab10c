// Counting on several ranks: count the shard, route each n-gram to its owner, merge, gather on rank 0 and rebuild
// the trie (see distributed_counts.hpp) — one order at a time, so a rank holds the messages of one order at most.
//
// For n = 1 … N, every rank in step:
//   route    the shard's n-grams of order n, walked from its trie, go to their owners (alltoall),
//   merge    each owner merges what it received into one run with summed counts,
//   gather   rank 0 receives every owner's run (gather), merges them and adds level n to the trie it rebuilds.
// An exchange goes in rounds of at most max_round_bytes per rank (MPI counts bytes in an int, so one message must
// stay below 2 GiB; the rounds also bound the memory of the messages in flight): each round carries, to each rank,
// the next piece of the records meant for it, and every rank takes part in as many rounds as the largest piece
// count of any rank needs (agreed by an allgather).
//
// Records are n word ids then the count, all u32 (NgramCounts' own widths). A piece is [u64 number of records]
// [the records]; a missing or cut piece is an error, not an empty one. Host byte order: the ranks of one job run one
// architecture.
//
// Sorted all the way: a rank's counts come out of its trie in lexicographic order of their words, routing and the
// rounds keep that order, so an owner receives one sorted run per rank and merges them (a k-way merge, no sort), and
// rank 0 receives one sorted run per owner and merges those.
//
// Rebuilding on rank 0: the entries of each trie level are in lexicographic order of their words (level n ≥ 2 is
// grouped by parent entry, in the parent level's order, then sorted by the last word; level 1 is the word ids), so
// the merged n-grams of order n *are* level n in order. Entry e's parent is its prefix w1 … wn−1 (found by one
// forward walk over level n−1, also sorted) and its suffix link is the entry of w2 … wn, the child wn of the parent's
// suffix link (one look-up). Every prefix and suffix of a counted n-gram was counted too, so both always exist.
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

// A piece of a run: records [first, first + count) of `r`.
std::vector<std::byte> encode_piece(const Records& r, std::size_t first, std::size_t count) {
  const std::uint64_t n = count;
  std::vector<std::byte> out(sizeof n + count * r.stride() * sizeof(std::uint32_t));
  std::memcpy(out.data(), &n, sizeof n);
  if (count) std::memcpy(out.data() + sizeof n, r.flat.data() + first * r.stride(), count * r.stride() * 4);
  return out;
}

// Appends the records of a piece to `r`.
void append_piece(const std::vector<std::byte>& piece, Records& r) {
  std::uint64_t count = 0;
  if (piece.size() < sizeof count) throw Error("distributed n-gram counts: a truncated message between ranks");
  std::memcpy(&count, piece.data(), sizeof count);
  const std::size_t bytes = piece.size() - sizeof count;
  if (count > bytes || bytes != count * r.stride() * sizeof(std::uint32_t))
    throw Error("distributed n-gram counts: a message between ranks holds " + std::to_string(bytes) + " bytes for " +
                std::to_string(count) + " records of order " + std::to_string(r.n));
  const std::size_t at = r.flat.size();
  r.flat.resize(at + bytes / sizeof(std::uint32_t));
  if (bytes) std::memcpy(r.flat.data() + at, piece.data() + sizeof count, bytes);
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

// The largest value over the ranks.
std::uint64_t max_over_ranks(nn::Communicator& comm, std::uint64_t mine) {
  std::uint64_t most = 0;
  for (const auto& m : comm.allgather(nn::as_message(std::span<const std::uint64_t>(&mine, 1))))
    most = std::max(most, nn::from_message<std::uint64_t>(m).at(0));
  return most;
}

enum class Exchange { kAllToAll, kGatherToRoot };

// Sends to_each[r] (one run of order n per rank; for kGatherToRoot only to_each[0] is sent) in rounds of at most
// max_round_bytes per rank; returns the run received from each rank, in rank order (empty runs except on the
// receiver of a gather).
std::vector<Records> exchange(nn::Communicator& comm, const std::vector<Records>& to_each, int n, Exchange how,
                              std::size_t max_round_bytes) {
  const auto ranks = static_cast<std::size_t>(comm.size());
  const std::size_t record_bytes = (static_cast<std::size_t>(n) + 1) * sizeof(std::uint32_t);
  // Every rank receives at most `ranks` pieces per round.
  const std::size_t per_piece = std::max<std::size_t>(1, max_round_bytes / ranks / record_bytes);
  std::uint64_t my_rounds = 1;
  for (const Records& r : to_each)
    my_rounds = std::max<std::uint64_t>(my_rounds, (r.size() + per_piece - 1) / per_piece);
  const std::uint64_t rounds = max_over_ranks(comm, my_rounds);
  std::vector<Records> received(ranks, Records{n, {}});
  for (std::uint64_t round = 0; round < rounds; ++round) {
    auto piece = [&](const Records& r) {
      const std::size_t first = std::min<std::size_t>(r.size(), static_cast<std::size_t>(round) * per_piece);
      return encode_piece(r, first, std::min(per_piece, r.size() - first));
    };
    std::vector<std::vector<std::byte>> got;
    if (how == Exchange::kAllToAll) {
      std::vector<std::vector<std::byte>> pieces;
      for (const Records& r : to_each) pieces.push_back(piece(r));
      got = comm.alltoall(pieces);
    } else {
      got = comm.gather(piece(to_each.at(0)), 0);
    }
    for (std::size_t r = 0; r < got.size(); ++r) append_piece(got[r], received[r]);
  }
  return received;
}

// The shard's n-grams order by order, each order's routed to the owners: next() walks the next level of the shard's
// trie, keeping the words of the current level's entries (stride n−1) for the level after.
class ShardLevels {
 public:
  ShardLevels(const NgramCounts* counts, int ranks) : c_(counts), ranks_(ranks) {}

  // routed[r] holds the n-grams of order n (the level after the last one) that rank r owns, in trie order.
  std::vector<Records> next() {
    ++n_;
    std::vector<Records> routed(static_cast<std::size_t>(ranks_), Records{n_, {}});
    if (!c_) return routed;  // a rank without sentences
    auto add = [&](std::span<const std::uint32_t> words, std::uint32_t count) {
      routed[static_cast<std::size_t>(ngram_owner(words, ranks_))].add(words, count);
    };
    const NgramTrie& trie = c_->trie;
    if (n_ == 1) {
      prev_.resize(trie.size(1));
      std::iota(prev_.begin(), prev_.end(), 0u);  // level 1's entry e is the word e
      for (std::uint32_t w = 0; w < trie.size(1); ++w)
        if (c_->count[0][w] > 0) add(std::span<const std::uint32_t>(&w, 1), c_->count[0][w]);
      return routed;
    }
    const bool top = n_ == c_->order();  // the top level's words are not needed afterwards
    std::vector<std::uint32_t> cur(top ? static_cast<std::size_t>(n_) : trie.size(n_) * static_cast<std::size_t>(n_));
    const auto parent_len = static_cast<std::size_t>(n_ - 1);
    for (std::uint32_t p = 0; p < trie.size(n_ - 1); ++p)
      for (std::uint32_t e = trie.children_begin(n_ - 1, p); e < trie.children_end(n_ - 1, p); ++e) {
        std::uint32_t* words = cur.data() + (top ? 0 : static_cast<std::size_t>(e) * static_cast<std::size_t>(n_));
        std::copy_n(prev_.data() + p * parent_len, parent_len, words);
        words[parent_len] = trie.word(n_, e);
        add(std::span<const std::uint32_t>(words, static_cast<std::size_t>(n_)), c_->count[n_ - 1][e]);
      }
    prev_ = std::move(cur);
    return routed;
  }

 private:
  const NgramCounts* c_;
  int ranks_;
  int n_ = 0;
  std::vector<std::uint32_t> prev_;
};

// Rank 0: the NgramCounts whose levels are the merged n-grams of each order, added in order 1, 2, … (see the file
// comment).
class Rebuilder {
 public:
  explicit Rebuilder(std::size_t vocab_size) {
    out_.vocab_size = static_cast<std::uint32_t>(vocab_size);
    words_ = out_.bos() + 1;
    out_.trie = NgramTrie(words_);
  }

  // The next level's n-grams, sorted and each once.
  void add(Records r) {
    const int n = r.n;
    for (std::size_t i = 0; i < r.size(); ++i)
      for (std::uint32_t w : r.words(i))
        if (w >= words_) throw Error("distributed n-gram counts: word id " + std::to_string(w) + " out of range");
    if (n == 1) {
      out_.count.emplace_back(words_, 0);
      for (std::size_t i = 0; i < r.size(); ++i) out_.count[0][r.words(i)[0]] = r.count(i);
      out_.suffix.emplace_back();
    } else {
      std::vector<std::uint32_t> first_child(out_.trie.size(n - 1) + 1, 0);
      std::vector<WordId> last;
      std::vector<std::uint32_t> count, suffix;
      last.reserve(r.size());
      count.reserve(r.size());
      suffix.reserve(r.size());
      std::size_t p = 0;  // walks level n−1 (the sorted records of previous_; for n = 2 the word ids)
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::span<const std::uint32_t> w = r.words(i);
        const std::span<const std::uint32_t> prefix = w.first(static_cast<std::size_t>(n - 1));
        std::uint32_t parent;
        if (n == 2) {
          parent = prefix[0];
        } else {
          while (p < previous_.size() && less(previous_.words(p), prefix)) ++p;
          if (p == previous_.size() || !same_words(previous_.words(p), prefix))
            throw Error("distributed n-gram counts: the n-gram [" + show(w) + "] was counted without its prefix");
          parent = static_cast<std::uint32_t>(p);
        }
        ++first_child[parent + 1];
        // The suffix w2 … wn (level n−1) extends the parent's suffix w2 … wn−1 (level n−2) by wn: one look-up.
        const WordId wn = w[static_cast<std::size_t>(n - 1)];
        const std::uint32_t e =
            n == 2 ? wn : out_.trie.child(n - 2, out_.suffix[static_cast<std::size_t>(n - 2)][parent], wn);
        if (e == kNoEntry)
          throw Error("distributed n-gram counts: the n-gram [" + show(w) + "] was counted without its suffix");
        last.push_back(wn);
        count.push_back(r.count(i));
        suffix.push_back(e);
      }
      std::partial_sum(first_child.begin(), first_child.end(), first_child.begin());
      out_.trie.add_level(std::move(first_child), std::move(last));
      out_.count.push_back(std::move(count));
      out_.suffix.push_back(std::move(suffix));
    }
    previous_ = std::move(r);  // this level's n-grams, sorted, for the next level's prefix walk
  }

  NgramCounts finish() && { return std::move(out_); }

 private:
  NgramCounts out_;
  std::uint32_t words_ = 0;
  Records previous_;
};

std::vector<const Records*> pointers(const std::vector<Records>& runs) {
  std::vector<const Records*> out;
  for (const Records& r : runs) out.push_back(&r);
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
                                                    nn::Communicator& comm, std::size_t max_round_bytes) {
  check_ngram_order(order);
  if (vocab_size < 2 || vocab_size >= kNoEntry - 1) throw UsageError("NgramCounts: bad vocabulary size");
  const int ranks = comm.size();
  const std::int64_t sentences = sum_over_ranks(comm, shard.num_sentences());
  const std::int64_t tokens = sum_over_ranks(comm, shard.num_words() + shard.num_sentences());
  if (sentences == 0) throw FormatError(where(shard.source) + "no sentence to count n-grams from");

  // The shard's counts (held until every order is routed), and on rank 0 the trie being rebuilt.
  std::optional<NgramCounts> local;
  if (shard.num_sentences() > 0) local = NgramCounts::build(shard, vocab_size, order);
  ShardLevels levels(local ? &*local : nullptr, ranks);
  std::optional<Rebuilder> rebuilt;
  if (comm.is_root()) rebuilt.emplace(vocab_size);

  for (int n = 1; n <= order; ++n) {
    // Route this order's n-grams to their owners, which merge them (one sorted run from each rank) …
    Records owned;
    {
      const std::vector<Records> incoming = exchange(comm, levels.next(), n, Exchange::kAllToAll, max_round_bytes);
      owned = merge_runs(pointers(incoming), n, false);
    }
    if (n == order) local.reset();  // every order routed: the shard's counts are no longer needed
    // … and gather the owners' runs on rank 0 (no n-gram in two), which adds level n.
    const std::vector<Records> from_owners =
        exchange(comm, std::vector<Records>{std::move(owned)}, n, Exchange::kGatherToRoot, max_round_bytes);
    if (rebuilt) rebuilt->add(merge_runs(pointers(from_owners), n, true));
  }
  if (!rebuilt) return std::nullopt;
  NgramCounts counts = std::move(*rebuilt).finish();
  counts.sentences = static_cast<std::uint64_t>(sentences);
  counts.tokens = static_cast<std::uint64_t>(tokens);
  return counts;
}

}  // namespace tapegrad::lm
