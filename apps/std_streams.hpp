// "-" as a file name, the Unix habit: standard input for a file a command reads (`ngram score --data -`), standard
// output for one it writes (`ngram train --arpa -`). Standard input is read to its end, once per run.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "lm/text/corpus.hpp"
#include "lm/text/encoding.hpp"

namespace tapegrad::cli {

inline constexpr const char* kStdStream = "-";
inline bool is_std_stream(const std::string& path) { return path == kStdStream; }

// The bytes of the file, or of standard input for "-" (named "standard input" in messages). Throws UsageError when
// standard input was already read in this run, lm::IoError when the file cannot be read.
std::string read_input(const std::string& path);
// The name messages use for `path`: "standard input" for "-", else the path.
std::string input_name(const std::string& path);

// TokenCorpus::read_words / read_chars, standard input included.
lm::TokenCorpus read_words(const std::string& path, lm::TextEncoding encoding);
lm::TokenCorpus read_chars(const std::string& path, lm::TextEncoding encoding);

// Throws UsageError naming the flags when more than one of (flag, path) is "-": standard input holds one file.
void at_most_one_stdin(std::initializer_list<std::pair<const char*, const std::string*>> inputs);

}  // namespace tapegrad::cli
