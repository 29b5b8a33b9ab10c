// The training text split over several ranks, and its vocabulary built across them (distributed `ngram train`,
// docs/ngram.md "On several ranks").
//
// Shards: any split of the sentences into contiguous shards in rank order gives the same counts. `ngram train` reads
// each rank's shard from the file by byte range (lm/ngram/shard_reader.hpp); for a corpus already in memory,
// shard_of gives rank r of N the sentences [⌊S·r/N⌋, ⌊S·(r+1)/N⌋) of S, as views (no copy of the text).
//
// Vocabulary: the same as Vocab::build(whole text, min_count) — same ids, same counts — without any rank counting
// the whole text: each rank counts the words of its shard, sends each word's count to the rank that owns the word
// (owner_rank of the FNV-1a hash of its bytes, lm/ngram/stable_hash.hpp; one alltoall), owners add the counts up and
// keep the words seen at least min_count times, and every rank receives the kept words (one allgather: the
// vocabulary's size, not the text's) and orders them by Vocab's rule (descending count, ties byte-wise).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "lm/text/corpus.hpp"
#include "lm/text/vocab.hpp"
#include "nn/distributed/communicator.hpp"

namespace tapegrad::lm {

// Sentences [first, last) of `sentences` belong to `rank` of `ranks`.
std::pair<std::size_t, std::size_t> shard_range(std::size_t sentences, int rank, int ranks);

// The sentences of `corpus` that `rank` of `ranks` counts, as views into the same buffers (no copy of the text);
// each keeps its source line.
TokenCorpus shard_of(const TokenCorpus& corpus, int rank, int ranks);

// Called by every rank of `comm` with its shard (which may hold no sentence); every rank returns the vocabulary
// Vocab::build would build from the whole text (the shards in rank order), or throws the same FormatError
// (empty vocabulary, a token that is not UTF-8), on every rank alike for the empty vocabulary.
Vocab build_vocab_distributed(const TokenCorpus& shard, std::uint64_t min_count, nn::Communicator& comm);

}  // namespace tapegrad::lm
