// LmDataset: what a neural language model trains on — the vocabulary and the train / valid / test splits as token
// streams (ids, with </s> after every sentence).
//
// Sources (`--data` of `tapegrad train`):
//   a folder with train.txt, valid.txt and test.txt (the layout of PyTorch's word-language-model example, and what
//     `tapegrad data brown` writes); its vocab.txt, when present, is the vocabulary (the Brown protocol's rule);
//   a single text file, split by position into the first 90% of its sentences for training, the next 5% for
//     validation and the last 5% for testing.
// Level: words (white-space tokens, one sentence per line) or characters (every Unicode code point a token, a line
// end = </s>). The files are UTF-8, or Latin-1 with encoding = Latin1 (see encoding.hpp); vocab.txt is always UTF-8.
// Without a vocab.txt the vocabulary is built from the training split with min_count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lm/text/encoding.hpp"
#include "lm/text/vocab.hpp"

namespace tapegrad::lm {

enum class TokenLevel { Word, Char };
TokenLevel parse_level(const std::string& name);  // "word" | "char"; throws UsageError otherwise
const char* level_name(TokenLevel level);

struct DatasetOptions {
  TokenLevel level = TokenLevel::Word;
  std::uint64_t min_count = 1;                 // when the vocabulary is built from train
  TextEncoding encoding = TextEncoding::Utf8;  // of train/valid/test.txt or the single file
  // One text file is split by token position (rounded to whole lines): the last test_percent of the tokens are
  // test, the valid_percent before them valid, the rest train. test_percent may be 0 (no test split).
  int valid_percent = 5;
  int test_percent = 5;

  std::string split() const;  // "90/5/5": TRAIN/VALID/TEST, as --split takes it
  // The JSON a training checkpoint stores, so that --resume reads the data the same way:
  //   {"level":"char","min_count":1,"encoding":"utf8","split":"90/5/5"}
  std::string to_json() const;
  // Throws FormatError naming `source` for malformed JSON, a missing key or a value the readers do not know.
  static DatasetOptions from_json(const std::string& text, const std::string& source);
};

struct LmDataset {
  Vocab vocab;
  TokenLevel level = TokenLevel::Word;
  std::string source;                                        // the folder or file it came from
  DatasetOptions options;                                    // how it was read (load's options)
  std::vector<std::int32_t> train, valid, test;              // token streams, </s> after every sentence
  std::uint64_t oov_train = 0, oov_valid = 0, oov_test = 0;  // tokens mapped to <unk>

  static LmDataset load(const std::string& path, const DatasetOptions& options = {});
};

// The stream of a corpus encoded with a vocabulary: each sentence's ids followed by </s>.
std::vector<std::int32_t> to_stream(const IdCorpus& corpus);

}  // namespace tapegrad::lm
