// Shards of the training text and the vocabulary built across ranks (see distributed_vocab.hpp).
//
// Messages (host byte order: the ranks of one job run one architecture):
//   word counts, rank → owner:   per word  [u32 length][bytes][u64 count]
//   kept words, owner → all:     [u64 count of the literal token <unk>] then per kept word as above
#include "lm/ngram/distributed_vocab.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "lm/ngram/stable_hash.hpp"
#include "lm/text/error.hpp"
#include "lm/text/utf8.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

template <class T>
void put(std::vector<std::byte>& out, T value) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

void put_word(std::vector<std::byte>& out, std::string_view word, std::uint64_t count) {
  put(out, static_cast<std::uint32_t>(word.size()));
  const std::size_t at = out.size();
  out.resize(at + word.size());
  if (!word.empty()) std::memcpy(out.data() + at, word.data(), word.size());
  put(out, count);
}

// Reads a message of put()/put_word() values; a short message is a bug of the sender (or of the transport).
class Reader {
 public:
  explicit Reader(const std::vector<std::byte>& bytes) : bytes_(bytes) {}
  bool done() const { return pos_ == bytes_.size(); }
  template <class T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string_view word() {
    const auto n = get<std::uint32_t>();
    need(n);
    const std::string_view w(reinterpret_cast<const char*>(bytes_.data()) + pos_, n);
    pos_ += n;
    return w;
  }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - pos_ < n) throw Error("distributed vocabulary: a truncated message between ranks");
  }
  const std::vector<std::byte>& bytes_;
  std::size_t pos_ = 0;
};

std::int64_t sum_over_ranks(nn::Communicator& comm, std::uint64_t mine) {
  std::int64_t v = static_cast<std::int64_t>(mine);
  comm.allreduce_sum(std::span<std::int64_t>(&v, 1));
  return v;
}

}  // namespace

std::pair<std::size_t, std::size_t> shard_range(std::size_t sentences, int rank, int ranks) {
  if (ranks < 1 || rank < 0 || rank >= ranks)
    throw UsageError("shard_range: rank " + std::to_string(rank) + " of " + std::to_string(ranks));
  // ⌊S·r/N⌋ without overflow for any realistic S (S·N < 2^64).
  const auto bound = [&](int r) { return static_cast<std::size_t>(sentences * static_cast<unsigned>(r) / ranks); };
  return {bound(rank), bound(rank + 1)};
}

TokenCorpus shard_of(const TokenCorpus& corpus, int rank, int ranks) {
  const auto [first, last] = shard_range(corpus.num_sentences(), rank, ranks);
  TokenCorpus shard(corpus.source());
  for (const auto& buffer : corpus.buffers()) shard.keep_alive(buffer);
  for (std::size_t s = first; s < last; ++s) shard.add_sentence(corpus.sentence(s), corpus.tags(s), corpus.line(s));
  return shard;
}

Vocab build_vocab_distributed(const TokenCorpus& shard, std::uint64_t min_count, nn::Communicator& comm) {
  if (min_count < 1) throw UsageError("Vocab::build: min_count must be at least 1");
  const int ranks = comm.size();

  // 1. This shard's word counts, each sent to the word's owner.
  std::unordered_map<std::string_view, std::uint64_t> local;
  for (std::size_t s = 0; s < shard.num_sentences(); ++s)
    for (std::string_view w : shard.sentence(s)) ++local[w];
  std::vector<std::vector<std::byte>> to_owner(static_cast<std::size_t>(ranks));
  for (const auto& [word, count] : local) put_word(to_owner[owner_rank(fnv1a(word), ranks)], word, count);
  local.clear();
  const std::vector<std::vector<std::byte>> received = comm.alltoall(to_owner);
  to_owner.clear();

  // 2. The owner adds up the counts of its words and keeps the frequent ones.
  std::unordered_map<std::string, std::uint64_t> owned;
  for (const auto& message : received)
    for (Reader in(message); !in.done();) {
      const std::string_view word = in.word();
      owned[std::string(word)] += in.get<std::uint64_t>();
    }
  std::vector<std::byte> kept;
  std::uint64_t unk_count = 0;
  if (const auto it = owned.find(std::string(Vocab::kUnkToken)); it != owned.end()) unk_count = it->second;
  put(kept, unk_count);
  // Sorted, so the message (and so any error below) does not depend on the hash table's order.
  std::vector<std::pair<std::string, std::uint64_t>> words(owned.begin(), owned.end());
  owned.clear();
  std::sort(words.begin(), words.end());
  for (const auto& [word, count] : words) {
    // The check Vocab::build makes (the readers already decode every file to UTF-8).
    if (const std::size_t bad = find_invalid_utf8(word); bad != std::string::npos)
      throw FormatError(where(shard.source()) + "the token '" + escape_token(word) + "' is not valid UTF-8 (at byte " +
                        std::to_string(bad) + "): a vocabulary holds UTF-8 text (decode the corpus first)");
    if (count >= min_count && word != Vocab::kUnkToken && word != Vocab::kEosToken) put_word(kept, word, count);
  }

  // 3. Every rank gets every owner's kept words and orders them by Vocab's id rule.
  const std::vector<std::vector<std::byte>> all = comm.allgather(kept);
  const std::int64_t sentences = sum_over_ranks(comm, shard.num_sentences());
  const std::int64_t tokens = sum_over_ranks(comm, shard.num_tokens());
  struct Entry {
    std::string_view token;
    std::uint64_t count;
  };
  std::vector<Entry> entries;
  unk_count = 0;
  for (const auto& message : all) {
    Reader in(message);
    unk_count += in.get<std::uint64_t>();
    while (!in.done()) {
      const std::string_view word = in.word();
      entries.push_back({word, in.get<std::uint64_t>()});
    }
  }
  if (entries.empty())
    throw FormatError(where(shard.source()) + "empty vocabulary: no token occurs at least " +
                      std::to_string(min_count) + " time(s) in " + std::to_string(tokens) + " tokens");
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.count != b.count ? a.count > b.count : a.token < b.token; });
  std::vector<std::string> tokens_in_order{std::string(Vocab::kUnkToken), std::string(Vocab::kEosToken)};
  std::vector<std::uint64_t> counts{unk_count, static_cast<std::uint64_t>(sentences)};
  for (const Entry& e : entries) {
    tokens_in_order.emplace_back(e.token);
    counts.push_back(e.count);
  }
  return Vocab::from_tokens(std::move(tokens_in_order), std::move(counts), shard.source());
}

}  // namespace tapegrad::lm
