// Vocab: the token <-> id map of a language model, and IdCorpus, a corpus encoded with it.
//
// Id rule (stable, so a vocabulary file and every model built on it agree):
//   0 = <unk>, 1 = </s>, then the other tokens by descending training count, ties in byte-wise lexicographic order.
// `<s>` is not in the vocabulary: it is never predicted, only a context (n-gram models give it the id size()).
// A token is kept when its training count is at least min_count; every other token encodes as <unk>.
// Tokens are UTF-8 text: build rejects a token that is not (the corpus readers decode every file to UTF-8), so a
// character vocabulary holds one token per Unicode code point.
// File format: one token per line in id order, UTF-8; a backslash, space or control byte inside a token is escaped
// as \\ or \xHH (so character vocabularies, whose tokens include " " and "\t", save too), and so is any byte that
// is not part of a valid UTF-8 sequence, so the text is always valid UTF-8 (a checkpoint's JSON metadata needs it).
// Files written before tokens were code points (ASCII tokens, the same escapes) read unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lm/text/corpus.hpp"

namespace tapegrad::lm {

using WordId = std::uint32_t;

// Sentences as ids (no </s>: it is implicit after each sentence), with the source line of each sentence.
struct IdCorpus {
  std::string source;
  std::vector<WordId> ids;
  std::vector<std::size_t> begin{0};  // sentence i is ids[begin[i], begin[i+1])
  std::vector<std::size_t> lines;
  std::uint64_t oov = 0;  // tokens that were not in the vocabulary (encoded as <unk>)

  std::size_t num_sentences() const { return begin.size() - 1; }
  std::size_t num_words() const { return ids.size(); }
  std::span<const WordId> sentence(std::size_t i) const { return {ids.data() + begin[i], begin[i + 1] - begin[i]}; }
};

class Vocab {
 public:
  static constexpr WordId kUnk = 0, kEos = 1;
  static constexpr std::string_view kUnkToken = "<unk>", kEosToken = "</s>", kBosToken = "<s>";

  Vocab();  // only <unk> and </s>

  // Counts the tokens of `train` (</s> once per sentence) and keeps those seen at least min_count times (≥ 1).
  // Throws FormatError when no token besides the specials survives (an empty vocabulary) or a token is not UTF-8.
  static Vocab build(const TokenCorpus& train, std::uint64_t min_count = 1);
  // From tokens in id order: the first two must be <unk> and </s>; `counts` is empty or parallel to `tokens`.
  static Vocab from_tokens(std::vector<std::string> tokens, std::vector<std::uint64_t> counts = {},
                           const std::string& source = "<memory>");
  static Vocab load(const std::string& path);
  // The same from the text of a vocabulary file (e.g. stored in a checkpoint); `source` names it in errors.
  static Vocab parse(const std::string& text, const std::string& source);
  void save(const std::string& path) const;
  std::string to_text() const;

  std::size_t size() const { return tokens_.size(); }
  const std::string& token(WordId id) const { return tokens_.at(id); }
  std::optional<WordId> find(std::string_view token) const;
  WordId id(std::string_view token) const { return find(token).value_or(kUnk); }
  bool contains(std::string_view token) const { return find(token).has_value(); }
  // Training count of a token (0 for a vocabulary loaded from a file or an ARPA model).
  std::uint64_t count(WordId id) const { return counts_.empty() ? 0 : counts_.at(id); }

  IdCorpus encode(const TokenCorpus& corpus) const;

 private:
  void index();  // (re)builds the hash table over tokens_

  std::vector<std::string> tokens_;
  std::vector<std::uint64_t> counts_;
  std::vector<WordId> slots_;  // open addressing, linear probing; kEmpty marks a free slot
};

// Escaping of the vocabulary file (exposed for tests and for writers of other token lists).
std::string escape_token(std::string_view token);
// Throws FormatError (naming source and line) on a malformed escape.
std::string unescape_token(std::string_view text, const std::string& source, std::size_t line);

}  // namespace tapegrad::lm
