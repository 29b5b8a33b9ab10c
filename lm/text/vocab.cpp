// Vocabulary building, lookup (a flat open-addressing table of ids), file I/O and corpus encoding.
#include "lm/text/vocab.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm/text/utf8.hpp"

namespace tapegrad::lm {

namespace {

constexpr WordId kEmpty = ~WordId{0};

std::size_t hash_of(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

Vocab::Vocab() : tokens_{std::string(kUnkToken), std::string(kEosToken)}, counts_{0, 0} { index(); }

void Vocab::index() {
  std::size_t capacity = 16;
  while (capacity < 2 * tokens_.size()) capacity *= 2;  // load factor ≤ 1/2
  slots_.assign(capacity, kEmpty);
  const std::size_t mask = capacity - 1;
  for (WordId id = 0; id < tokens_.size(); ++id) {
    std::size_t i = hash_of(tokens_[id]) & mask;
    while (slots_[i] != kEmpty) {
      if (tokens_[slots_[i]] == tokens_[id]) throw UsageError("Vocab: duplicate token '" + tokens_[id] + "'");
      i = (i + 1) & mask;
    }
    slots_[i] = id;
  }
}

std::optional<WordId> Vocab::find(std::string_view token) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash_of(token) & mask; slots_[i] != kEmpty; i = (i + 1) & mask)
    if (tokens_[slots_[i]] == token) return slots_[i];
  return std::nullopt;
}

Vocab Vocab::build(const TokenCorpus& train, std::uint64_t min_count) {
  if (min_count < 1) throw UsageError("Vocab::build: min_count must be at least 1");
  std::unordered_map<std::string_view, std::uint64_t> counts;
  for (std::size_t s = 0; s < train.num_sentences(); ++s)
    for (std::string_view w : train.sentence(s)) ++counts[w];

  struct Entry {
    std::string_view token;
    std::uint64_t count;
  };
  std::vector<Entry> kept;
  for (const auto& [token, count] : counts) {
    if (const std::size_t bad = find_invalid_utf8(token); bad != std::string::npos)
      throw FormatError(where(train.source()) + "the token '" + escape_token(token) +
                        "' is not valid UTF-8 (at byte " + std::to_string(bad) +
                        "): a vocabulary holds UTF-8 text (decode the corpus first)");
    if (count >= min_count && token != kUnkToken && token != kEosToken) kept.push_back({token, count});
  }
  if (kept.empty())
    throw FormatError(where(train.source()) + "empty vocabulary: no token occurs at least " +
                      std::to_string(min_count) + " time(s) in " + std::to_string(train.num_tokens()) + " tokens");
  std::sort(kept.begin(), kept.end(),
            [](const Entry& a, const Entry& b) { return a.count != b.count ? a.count > b.count : a.token < b.token; });

  Vocab v;
  const auto unk = counts.find(kUnkToken);
  v.counts_ = {unk == counts.end() ? 0 : unk->second, train.num_sentences()};
  for (const Entry& e : kept) {
    v.tokens_.emplace_back(e.token);
    v.counts_.push_back(e.count);
  }
  v.index();
  return v;
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens, std::vector<std::uint64_t> counts,
                         const std::string& source) {
  if (tokens.size() < 2 || tokens[0] != kUnkToken || tokens[1] != kEosToken)
    throw FormatError(where(source) + "a vocabulary must begin with <unk> (id 0) and </s> (id 1)");
  if (!counts.empty() && counts.size() != tokens.size())
    throw UsageError("Vocab::from_tokens: " + std::to_string(counts.size()) + " counts for " +
                     std::to_string(tokens.size()) + " tokens");
  if (tokens.size() == 2) throw FormatError(where(source) + "empty vocabulary: only <unk> and </s>");
  Vocab v;
  v.tokens_ = std::move(tokens);
  v.counts_ = std::move(counts);
  v.index();
  return v;
}

std::string escape_token(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size();) {
    const std::size_t n = utf8_sequence_length(token, i);
    const auto b = static_cast<unsigned char>(token[i]);
    if (n > 1) {  // a multi-byte character stays as it is
      out += token.substr(i, n);
      i += n;
      continue;
    }
    if (b == '\\') {
      out += "\\\\";
    } else if (n == 0 || b <= 0x20 || b == 0x7f) {  // a control byte, a space, or a byte that is not UTF-8
      out += "\\x";
      out += "0123456789abcdef"[b >> 4];
      out += "0123456789abcdef"[b & 15];
    } else {
      out += static_cast<char>(b);
    }
    ++i;
  }
  return out;
}

std::string unescape_token(std::string_view text, const std::string& source, std::size_t line) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (i + 3 < text.size() && text[i + 1] == 'x' && hex(text[i + 2]) >= 0 && hex(text[i + 3]) >= 0) {
      out += static_cast<char>(hex(text[i + 2]) * 16 + hex(text[i + 3]));
      i += 3;
    } else {
      throw FormatError(where(source, line) + "malformed escape in token '" + std::string(text) +
                        "' (expected \\\\ or \\xHH)");
    }
  }
  return out;
}

std::string Vocab::to_text() const {
  std::string out;
  for (const std::string& t : tokens_) out += escape_token(t) + '\n';
  return out;
}

void Vocab::save(const std::string& path) const { write_text_file(path, to_text()); }

Vocab Vocab::load(const std::string& path) { return parse(read_text_file(path, {.utf8 = true}), path); }

Vocab Vocab::parse(const std::string& text, const std::string& path) {
  std::vector<std::string> tokens;
  std::unordered_map<std::string, std::size_t> seen;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (line.empty()) throw FormatError(where(path, number) + "empty line: expected one token per line");
    std::string token = unescape_token(line, path, number);
    if (token == kBosToken) throw FormatError(where(path, number) + "<s> is not a vocabulary token (never predicted)");
    if (const auto [it, fresh] = seen.emplace(token, number); !fresh)
      throw FormatError(where(path, number) + "duplicate token '" + std::string(line) + "' (first on line " +
                        std::to_string(it->second) + ")");
    tokens.push_back(std::move(token));
  });
  return from_tokens(std::move(tokens), {}, path);
}

IdCorpus Vocab::encode(const TokenCorpus& corpus) const {
  IdCorpus out;
  out.source = corpus.source();
  out.ids.reserve(corpus.num_tokens());
  out.begin.reserve(corpus.num_sentences() + 1);
  out.lines.reserve(corpus.num_sentences());
  for (std::size_t s = 0; s < corpus.num_sentences(); ++s) {
    for (std::string_view w : corpus.sentence(s)) {
      const std::optional<WordId> id = find(w);
      out.oov += !id;
      out.ids.push_back(id.value_or(kUnk));
    }
    out.begin.push_back(out.ids.size());
    out.lines.push_back(corpus.line(s));
  }
  return out;
}

}  // namespace tapegrad::lm
