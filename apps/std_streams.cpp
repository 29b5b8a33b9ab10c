// Reading standard input for "-" (std_streams.hpp).
#include "apps/std_streams.hpp"

#include <iostream>
#include <iterator>
#include <sstream>

#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

namespace {
bool stdin_read = false;
}

std::string input_name(const std::string& path) { return is_std_stream(path) ? "standard input" : path; }

std::string read_input(const std::string& path) {
  if (!is_std_stream(path)) return lm::read_file(path);
  if (stdin_read) throw UsageError("standard input ('-') can be read only once in a run");
  stdin_read = true;
  std::ostringstream bytes;
  bytes << std::cin.rdbuf();
  return std::move(bytes).str();
}

lm::TokenCorpus read_words(const std::string& path, lm::TextEncoding encoding) {
  if (!is_std_stream(path)) return lm::TokenCorpus::read_words(path, encoding);
  return lm::TokenCorpus::parse_words(read_input(path), input_name(path), encoding);
}

lm::TokenCorpus read_chars(const std::string& path, lm::TextEncoding encoding) {
  if (!is_std_stream(path)) return lm::TokenCorpus::read_chars(path, encoding);
  return lm::TokenCorpus::parse_chars(read_input(path), input_name(path), encoding);
}

void at_most_one_stdin(std::initializer_list<std::pair<const char*, const std::string*>> inputs) {
  std::string flags;
  int count = 0;
  for (const auto& [flag, path] : inputs)
    if (is_std_stream(*path)) flags += (count++ == 0 ? "" : " and ") + std::string(flag);
  if (count > 1) throw UsageError(flags + " both read standard input ('-'): give a file to all but one");
}

}  // namespace tapegrad::cli
