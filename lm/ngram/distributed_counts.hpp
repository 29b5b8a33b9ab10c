// N-gram counting on several ranks (distributed `ngram train`, docs/ngram.md "On several ranks"): the counts of the
// whole training text, assembled on rank 0 exactly as NgramCounts::build(whole text) would give them, so the
// Kneser-Ney estimate and the ARPA file written from them are byte-identical to the single-process ones.
//
// What is distributed, and what is gathered:
//   1. count:  each rank counts the n-grams of orders 1..N of its own shard (NgramCounts::build on its sentences;
//              lm/ngram/shard_reader.hpp reads them) — memory and time of the shard, not of the corpus;
//   2. route:  each counted n-gram w1 … wn goes to the rank that owns it, owner_rank(FNV-1a(w1 … wn))
//              (lm/ngram/stable_hash.hpp: the same on every host), in one alltoall;
//   3. merge:  each owner adds up the counts of its n-grams from every shard — it holds 1/N of the distinct n-grams;
//   4. gather: rank 0 receives every owner's merged n-grams (the model's size: each distinct n-gram once, whatever
//              the corpus's size) and rebuilds the NgramTrie with its counts and suffix links.
//   Steps 2–4 go one order at a time, and each exchange in rounds of bounded size. Kneser-Ney's
//              continuation counts, count-of-counts and discounts are then computed from it on rank 0 as in one
//              process (lm/ngram/kneser_ney.hpp), and only rank 0 writes the model.
// Sentences and tokens are summed over the ranks. An n-gram reaching rank 0 from two owners means the ranks
// disagreed about ownership; rank 0 then throws rather than write a model from inconsistent counts.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "lm/ngram/counts.hpp"
#include "lm/text/vocab.hpp"
#include "nn/distributed/communicator.hpp"

namespace tapegrad::lm {

// The rank of `ranks` that merges the counts of the n-gram `words` (oldest word first).
int ngram_owner(std::span<const WordId> words, int ranks);

// Called by every rank of `comm`, in the same order, with its shard of the training text encoded with the vocabulary
// every rank shares (the shard may hold no sentence). Returns the merged counts on rank 0 — equal to
// NgramCounts::build(all shards in rank order, vocab_size, order) — and nullopt on the other ranks. Throws UsageError
// for a bad order or id (on the rank that has it), FormatError on every rank when no rank has a sentence.
// max_round_bytes bounds what one rank sends or receives in one exchange (MPI's limit is 2 GiB; the exchanges go in
// as many rounds as needed); tests make it small to force many rounds.
inline constexpr std::size_t kNgramRoundBytes = std::size_t{256} << 20;
std::optional<NgramCounts> count_ngrams_distributed(const IdCorpus& shard, std::size_t vocab_size, int order,
                                                    nn::Communicator& comm,
                                                    std::size_t max_round_bytes = kNgramRoundBytes);

}  // namespace tapegrad::lm
