// LabelledCorpus: sentences of tokens, each with a class label, the line it came from and its cross-validation fold —
// the data of sentence classification. Readers:
//   read_mr         the MR sentence-polarity data (rt-polarity.pos / rt-polarity.neg, Latin-1), by the protocol of
//                   docs/data.md ("MR sentence polarity")
//   read_labelled   a UTF-8 file of `LABEL<TAB>SENTENCE` lines (other data sets, evaluation files)
//   read_sentences  a UTF-8 file of plain sentences, one per line (input to a classifier's predictions)
// Everywhere a sentence is split into tokens on the ASCII space (0x20) only, empty strings dropped
// (split_on_space): tabs, no-break spaces and every other character belong to the token they are in, so a model
// sees the same tokens at training and at prediction time.
// Folds: the sentence on line L (1-based) of its file is in fold (L − 1) mod 10; cv_fold and fixed_split cut a corpus
// by them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lm/text/corpus.hpp"
#include "lm/text/utf8.hpp"  // latin1_to_utf8: MR is Latin-1

namespace tapegrad::lm {

// The number of folds of the MR protocol (and of the `fold` member below).
inline constexpr int kMrFolds = 10;

struct LabelledSentence {
  std::vector<std::string> tokens;
  int label = 0;         // index into LabelledCorpus::label_names
  std::size_t line = 0;  // 1-based line in its source file (0 when built in memory)
  int fold = 0;          // (line − 1) mod kMrFolds
};

struct LabelledCorpus {
  std::string source;                    // the folder or file it was read from, for messages
  std::vector<std::string> label_names;  // label i is called label_names[i]
  std::vector<LabelledSentence> sentences;

  std::size_t size() const { return sentences.size(); }
  bool empty() const { return sentences.empty(); }
  std::size_t num_labels() const { return label_names.size(); }
  std::size_t num_tokens() const;
  // How many sentences carry each label (label_names.size() entries).
  std::vector<std::size_t> label_counts() const;
  // The same sentences as a TokenCorpus (labels dropped), e.g. to build a Vocab from a training part.
  TokenCorpus token_corpus() const;
};

// The tokens of a line: the pieces between ASCII spaces, empty ones dropped.
std::vector<std::string> split_on_space(std::string_view line);

// The fold of the sentence on 1-based line `line` when a corpus is cut into `num_folds` folds: (line − 1) mod
// num_folds.
int fold_of_line(std::size_t line, int num_folds = kMrFolds);

// MR from a folder holding rt-polarity.neg and rt-polarity.pos. Labels: 0 "negative" (.neg), 1 "positive" (.pos).
// Order: every sentence of .neg in line order, then every sentence of .pos (folds do not depend on it: they come
// from the line numbers). Each file is split on the byte 0x0A only (a 0x85 or a 0x0D inside a line stays in it),
// decoded as Latin-1 and tokenised with split_on_space. Throws IoError for a missing file (naming it), FormatError
// for an empty file, a NUL byte or a line without tokens (naming file and line).
LabelledCorpus read_mr(const std::string& folder);
// The same on the bytes of the two files; the names are used in messages and in `source`.
LabelledCorpus parse_mr(std::string_view neg_bytes, std::string_view pos_bytes, const std::string& neg_name,
                        const std::string& pos_name);

// Whether `folder` holds the two MR files.
bool is_mr_folder(const std::string& folder);

// A UTF-8 file (CRLF accepted) of lines `LABEL<TAB>SENTENCE`; blank lines are skipped (but counted for line numbers
// and folds). The label is the text before the first tab, the sentence is tokenised with split_on_space.
// With `labels` empty the label names are the distinct labels of the file in byte order; otherwise a label not in
// `labels` is an error and the corpus uses `labels` as its names (so ids agree with a trained model's).
// Throws FormatError naming file and line for a line without a tab, an empty label, a sentence without tokens, an
// unknown label; plus the checks of read_text_file (missing, empty, binary, invalid UTF-8).
LabelledCorpus read_labelled(const std::string& path, const std::vector<std::string>& labels = {});
LabelledCorpus parse_labelled(const std::string& text, const std::string& source,
                              const std::vector<std::string>& labels = {});

// Plain UTF-8 sentences, one per line (CRLF accepted), tokenised with split_on_space; a blank line is an empty
// sentence, so the i-th result belongs to the i-th line.
std::vector<std::vector<std::string>> read_sentences(const std::string& path);
std::vector<std::vector<std::string>> parse_sentences(const std::string& text, const std::string& source);

// The two parts of one round of cross-validation.
struct CvSplit {
  LabelledCorpus train, test;
};
// Round k of `num_folds`-fold cross-validation: test = the sentences of fold k, train = all others, both in the
// corpus's order. With kMrFolds folds a sentence's fold is its `fold` member; with another count it is
// fold_of_line(line, num_folds). Throws UsageError unless 2 ≤ num_folds and 0 ≤ k < num_folds.
CvSplit cv_fold(const LabelledCorpus& data, int k, int num_folds = kMrFolds);

// The fixed split of the protocol: test = fold 0, valid = fold 1, train = folds 2–9 (of kMrFolds).
struct FixedSplit {
  LabelledCorpus train, valid, test;
};
FixedSplit fixed_split(const LabelledCorpus& data);

}  // namespace tapegrad::lm
