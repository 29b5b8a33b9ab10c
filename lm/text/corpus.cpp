// The plain-text readers (words, characters: decoded to UTF-8, then split) and the TokenCorpus builder.
#include "lm/text/corpus.hpp"

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm/text/utf8.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

void TokenCorpus::add_sentence(std::span<const std::string_view> tokens, std::span<const std::string_view> tags,
                               std::size_t line) {
  if (!tags.empty() && tags.size() != tokens.size())
    throw UsageError("TokenCorpus::add_sentence: " + std::to_string(tokens.size()) + " tokens but " +
                     std::to_string(tags.size()) + " tags");
  if (!tokens.empty() && tags.empty() != tags_.empty() && !tokens_.empty())
    throw UsageError("TokenCorpus::add_sentence: tagged and untagged sentences mixed");
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
  tags_.insert(tags_.end(), tags.begin(), tags.end());
  begin_.push_back(tokens_.size());
  lines_.push_back(line);
}

namespace {

// The checks every plain-text corpus passes (not empty, no NUL byte), then the text decoded to UTF-8.
std::shared_ptr<const std::string> decoded(std::string bytes, const std::string& source, TextEncoding encoding) {
  check_text(bytes, source, {.utf8 = false});
  return std::make_shared<const std::string>(decode_text(std::move(bytes), encoding, source));
}

}  // namespace

TokenCorpus TokenCorpus::read_words(const std::string& path, TextEncoding encoding) {
  return parse_words(read_file(path), path, encoding);  // parse_words checks the text
}

TokenCorpus TokenCorpus::read_chars(const std::string& path, TextEncoding encoding) {
  return parse_chars(read_file(path), path, encoding);  // parse_chars checks the text
}

TokenCorpus TokenCorpus::parse_words(std::string text, const std::string& source, TextEncoding encoding) {
  const auto buffer = decoded(std::move(text), source, encoding);
  TokenCorpus corpus(source);
  corpus.keep_alive(buffer);
  std::vector<std::string_view> words;
  for_each_line(*buffer, [&](std::size_t number, std::string_view line) {
    words.clear();
    for_each_field(line, [&](std::string_view w) {
      if (w == "<s>" || w == "</s>")
        throw FormatError(where(source, number) + "'" + std::string(w) +
                          "' is reserved: a line end marks the end of a sentence");
      words.push_back(w);
    });
    if (!words.empty()) corpus.add_sentence(words, {}, number);
  });
  if (corpus.num_sentences() == 0) throw FormatError(where(source) + "no sentence (only blank lines)");
  return corpus;
}

TokenCorpus TokenCorpus::parse_chars(std::string text, const std::string& source, TextEncoding encoding) {
  const auto buffer = decoded(std::move(text), source, encoding);
  TokenCorpus corpus(source);
  corpus.keep_alive(buffer);
  std::vector<std::string_view> chars;
  std::size_t pos = 0, number = 0;
  const std::string_view all = *buffer;
  while (pos < all.size()) {  // lines split on '\n' only: every other code point (\r included) is a character
    std::size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    chars = split_code_points(all.substr(pos, end - pos));
    corpus.add_sentence(chars, {}, ++number);
    pos = end + 1;
  }
  return corpus;
}

TokenCorpus TokenCorpus::from_sentences(const std::vector<std::vector<std::string>>& sentences) {
  std::string all;
  for (const auto& s : sentences)
    for (const auto& w : s) all += w;
  auto buffer = std::make_shared<const std::string>(std::move(all));
  TokenCorpus corpus("<memory>");
  corpus.keep_alive(buffer);
  std::size_t pos = 0, number = 0;
  std::vector<std::string_view> words;
  for (const auto& s : sentences) {
    words.clear();
    for (const auto& w : s) {
      words.push_back(std::string_view(*buffer).substr(pos, w.size()));
      pos += w.size();
    }
    corpus.add_sentence(words, {}, ++number);
  }
  return corpus;
}

std::string TokenCorpus::to_text(bool tags) const {
  if (tags && !tagged() && num_tokens() > 0)
    throw UsageError("TokenCorpus::to_text: the corpus " + source_ + " has no tags");
  const std::vector<std::string_view>& items = tags ? tags_ : tokens_;
  std::string out;
  for (std::size_t s = 0; s < num_sentences(); ++s) {
    for (std::size_t i = begin_[s]; i < begin_[s + 1]; ++i) {
      if (i > begin_[s]) out += ' ';
      out += items[i];
    }
    out += '\n';
  }
  return out;
}

}  // namespace tapegrad::lm
