// Reading one rank's share of a training text (distributed `ngram train`, docs/ngram.md "On several ranks"), so no
// rank holds the whole text: with a file of B bytes and N ranks, rank r reads the lines that *start* in the byte range
// [⌊B·r/N⌋, ⌊B·(r+1)/N⌋) — a line belongs to exactly one rank, the shards are contiguous and in rank order, and a
// rank reads its bytes plus the rest of its last line. Line numbers stay those of the file: each rank counts the line
// ends of its bytes and the ranks exchange those counts (one allgather).
//
// The shard is read as TokenCorpus::read_words reads a file (one sentence per line, blank lines skipped, `<s>` and
// `</s>` refused, the same --encoding). When a check fails (missing, empty or binary file, invalid UTF-8, a reserved
// token, no sentence anywhere), the failing rank reads the whole file with read_words to throw the very message one
// process gives — file, line, column and byte offset of the first bad byte of the file; errors are the one case where
// a rank reads more than its share.
#pragma once

#include <cstdint>
#include <string>

#include "lm/text/corpus.hpp"
#include "lm/text/encoding.hpp"
#include "nn/distributed/communicator.hpp"

namespace tapegrad::lm {

struct WordShard {
  TokenCorpus sentences;              // this rank's sentences, with their lines in the file
  std::uint64_t total_sentences = 0;  // over every rank
};

// Called by every rank of `comm`. Throws as TokenCorpus::read_words(path, encoding) would (see above).
WordShard read_word_shard(const std::string& path, TextEncoding encoding, nn::Communicator& comm);

}  // namespace tapegrad::lm
