// TokenCorpus: a text as sentences of tokens (words, or single characters for a character model), optionally with
// one tag per token, and where each sentence came from (file and line). The readers for plain text live here; both
// decode the file as UTF-8 (invalid UTF-8 is an error naming file, line, column and byte offset) or as Latin-1 (see
// encoding.hpp), so every token is valid UTF-8:
//   read_words: one sentence per line, words separated by white space; blank lines carry no sentence; `<s>` and
//               `</s>` are reserved (a line end *is* the end of a sentence) and rejected.
//   read_chars: one sentence per line, each Unicode code point of the line a token ("Straße" is S t r a ß e: six
//               tokens, ß being two bytes); the line end is the sentence end; blank lines are empty sentences, since
//               a character model must reproduce them.
// The end-of-sentence token `</s>` is implicit: every sentence is followed by one.
// Tokens are string_views into buffers the corpus shares ownership of, so copies are cheap and stay valid.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lm/text/encoding.hpp"

namespace tapegrad::lm {

class TokenCorpus {
 public:
  TokenCorpus() = default;
  explicit TokenCorpus(std::string source) : source_(std::move(source)) {}

  static TokenCorpus read_words(const std::string& path, TextEncoding encoding = TextEncoding::Utf8);
  static TokenCorpus read_chars(const std::string& path, TextEncoding encoding = TextEncoding::Utf8);
  // The same readers on text already in memory; `source` names it in error messages.
  static TokenCorpus parse_words(std::string text, const std::string& source,
                                 TextEncoding encoding = TextEncoding::Utf8);
  static TokenCorpus parse_chars(std::string text, const std::string& source,
                                 TextEncoding encoding = TextEncoding::Utf8);
  // A corpus from literal sentences (tests, small examples).
  static TokenCorpus from_sentences(const std::vector<std::vector<std::string>>& sentences);

  // Building: the views must point into a buffer given to keep_alive (or into static storage).
  void keep_alive(std::shared_ptr<const std::string> buffer) { buffers_.push_back(std::move(buffer)); }
  // The buffers the tokens point into (to build another corpus from views of this one).
  const std::vector<std::shared_ptr<const std::string>>& buffers() const { return buffers_; }
  // Appends a sentence; `tags` is empty, or as long as `tokens` (then every sentence must be tagged).
  void add_sentence(std::span<const std::string_view> tokens, std::span<const std::string_view> tags = {},
                    std::size_t line = 0);

  std::size_t num_sentences() const { return begin_.size() - 1; }
  std::size_t num_tokens() const { return tokens_.size(); }  // without the implicit </s>
  std::span<const std::string_view> sentence(std::size_t i) const {
    return {tokens_.data() + begin_[i], begin_[i + 1] - begin_[i]};
  }
  bool tagged() const { return !tags_.empty(); }
  std::span<const std::string_view> tags(std::size_t i) const {
    if (tags_.empty()) return {};
    return {tags_.data() + begin_[i], begin_[i + 1] - begin_[i]};
  }
  std::size_t line(std::size_t i) const { return lines_[i]; }  // 1-based source line, 0 when unknown
  const std::string& source() const { return source_; }

  // One sentence per line, tokens separated by one space (tags instead of tokens when `tags` is true).
  std::string to_text(bool tags = false) const;

 private:
  std::string source_;
  std::vector<std::shared_ptr<const std::string>> buffers_;
  std::vector<std::string_view> tokens_, tags_;
  std::vector<std::size_t> begin_{0};  // sentence i is tokens_[begin_[i], begin_[i+1])
  std::vector<std::size_t> lines_;
};

}  // namespace tapegrad::lm
