// ARPA back-off language model files, the text format of SRILM and KenLM:
//
//   \data\                         (the header)
//   ngram 1=<number of 1-grams>
//   ngram 2=<number of 2-grams>
//
//   \1-grams:
//   <log10 P>  <w1>  [<log10 backoff>]
//   ...
//   \2-grams:
//   <log10 P>  <w1> <w2>  [<log10 backoff>]
//   ...
//   \end\                          (the end)
//
// Fields are separated by white space (tabs as written here); a backoff weight is optional (0 when absent) and
// not allowed at the highest order; <s> has log10 P = −99 (it is never predicted). Every n-gram's prefix
// (w1 … wn−1) must be listed, as the format requires. Text before \data\ is ignored.
//
// Every number must be a finite float after conversion (|x| ≤ 3.4e38): "inf", "nan" and values such as 1e39 or −1e39,
// which a float would hold as ±∞, are errors (a probability of 0 has no log10; SRILM writes −99 for <s>). At most
// kMaxNgramOrder (16) orders (lm/ngram/model.hpp).
//
// Writing stores the probabilities with the shortest decimal form that reads back to the same float, so reading and
// writing are exact inverses: every file that loads, written and read again, gives the same model. Writing refuses
// (UsageError) a model with a non-finite number, which could not be read back; the one entry it leaves out is an
// <unk> of probability 0, the way a model read from a file without <unk> holds it. Reading accepts files from KenLM
// and SRILM; a file without <unk> gives out-of-vocabulary words probability 0. Every error names the file and line.
#pragma once

#include <ostream>
#include <string>

#include "lm/ngram/backoff_model.hpp"

namespace tapegrad::lm {

void write_arpa(const BackoffModel& model, std::ostream& out);
// Atomic: the file at `path` is the old one or the whole new one, never a part (IoError naming it on failure).
void save_arpa(const BackoffModel& model, const std::string& path);

BackoffModel load_arpa(const std::string& path);
BackoffModel parse_arpa(const std::string& text, const std::string& source);

}  // namespace tapegrad::lm
