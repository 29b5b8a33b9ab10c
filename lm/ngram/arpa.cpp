// ARPA export and import (format in arpa.hpp).
#include "lm/ngram/arpa.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <span>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "lm/text/error.hpp"
#include "nn/atomic_file.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

void append_float(std::string& out, float value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);  // shortest form that round-trips
  out.append(buf, end);
}

bool writable(const std::string& token) {
  return !token.empty() && std::none_of(token.begin(), token.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

}  // namespace

void write_arpa(const BackoffModel& model, std::ostream& out) {
  const NgramTrie& trie = model.trie();
  const Vocab& vocab = model.vocab();
  const int N = model.order();
  for (WordId w = 0; w < vocab.size(); ++w)
    if (!writable(vocab.token(w)))
      throw UsageError("ARPA separates words by white space: the token '" + escape_token(vocab.token(w)) + "' (id " +
                       std::to_string(w) + ") cannot be written");

  // Unigrams in id order with <s> after </s>. <unk> with probability 0 is the one entry left out: it is how a model
  // read from a file without <unk> stores its absence, and reading the output gives it back. Any other number must
  // be finite, as the reader requires: a model that would not read back is refused here, not written.
  std::vector<WordId> unigrams;
  for (WordId w = 0; w < vocab.size(); ++w) {
    const float p = model.log10_prob(1, w);
    if (w == Vocab::kUnk && p == -HUGE_VALF) continue;
    if (!std::isfinite(p))
      throw UsageError("write_arpa: the 1-gram '" + escape_token(vocab.token(w)) + "' has log10 probability " +
                       std::to_string(p) + ", which ARPA readers refuse");
    unigrams.push_back(w);
    if (w == Vocab::kEos) unigrams.push_back(model.bos());
  }
  auto token = [&](WordId w) -> const std::string& {
    static const std::string bos(Vocab::kBosToken);
    return w == model.bos() ? bos : vocab.token(w);
  };

  std::string buf = "\\data\\\n";
  buf += "ngram 1=" + std::to_string(unigrams.size()) + "\n";
  for (int n = 2; n <= N; ++n) buf += "ngram " + std::to_string(n) + "=" + std::to_string(trie.size(n)) + "\n";

  auto flush = [&](bool force) {
    if (force || buf.size() > (1u << 20)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
  };
  auto check_finite = [&](float value, int n, const char* what) {
    if (!std::isfinite(value))
      throw UsageError("write_arpa: a " + std::to_string(n) + "-gram has " + what + " " + std::to_string(value) +
                       ", which ARPA readers refuse");
  };
  auto finish_line = [&](int n, std::uint32_t e) {
    if (n < N) check_finite(model.log10_backoff(n, e), n, "log10 backoff");
    if (n < N && (trie.has_children(n, e) || model.log10_backoff(n, e) != 0.0f)) {
      buf += '\t';
      append_float(buf, model.log10_backoff(n, e));
    }
    buf += '\n';
  };

  buf += "\n\\1-grams:\n";
  for (WordId w : unigrams) {
    append_float(buf, model.log10_prob(1, w));
    buf += '\t';
    buf += token(w);
    finish_line(1, w);
    flush(false);
  }
  // Level n: walk the entries in order, keeping for each shorter level the entry on the path to the current one
  // (path[l] never moves backwards, so one level costs one pass).
  for (int n = 2; n <= N; ++n) {
    buf += "\n\\" + std::to_string(n) + "-grams:\n";
    std::vector<std::uint32_t> path(static_cast<std::size_t>(n) + 1, 0);
    for (std::uint32_t e = 0; e < trie.size(n); ++e) {
      path[static_cast<std::size_t>(n)] = e;
      for (int l = n - 1; l >= 1; --l) {
        std::uint32_t& p = path[static_cast<std::size_t>(l)];
        while (trie.children_end(l, p) <= path[static_cast<std::size_t>(l) + 1]) ++p;
      }
      check_finite(model.log10_prob(n, e), n, "log10 probability");
      append_float(buf, model.log10_prob(n, e));
      buf += '\t';
      for (int l = 1; l <= n; ++l) {
        if (l > 1) buf += ' ';
        buf += token(trie.word(l, path[static_cast<std::size_t>(l)]));
      }
      finish_line(n, e);
      flush(false);
    }
  }
  buf += "\n\\end\\\n";
  flush(true);
}

// Written whole into a temporary file beside `path`, then renamed over it (nn/atomic_file.hpp): a run that is killed
// or fails half-way leaves the previous file, never a truncated model.
void save_arpa(const BackoffModel& model, const std::string& path) {
  std::ostringstream text;
  write_arpa(model, text);
  const std::string bytes = std::move(text).str();
  try {
    nn::AtomicFile out(path);
    out.write(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
    out.commit();
  } catch (const Error& e) {  // the checkpoint writer's error, as the ARPA reader's kind
    throw IoError(where(path) + "cannot write: " + e.what());
  }
}

BackoffModel load_arpa(const std::string& path) { return parse_arpa(read_text_file(path, {.utf8 = false}), path); }

namespace {

// Reads the lines of an ARPA text one at a time, with their numbers, skipping blank lines where allowed.
class Lines {
 public:
  Lines(const std::string& text, const std::string& source) : text_(text), source_(source) {}

  // The next line (trimmed of the trailing '\r'); false at the end of the text.
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string::npos) end = text_.size();
    line = std::string_view(text_).substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  bool next_nonblank(std::string_view& line) {
    while (next(line))
      if (line.find_first_not_of(" \t\v\f") != std::string_view::npos) return true;
    return false;
  }
  [[noreturn]] void fail(const std::string& message) const { throw FormatError(where(source_, number_) + message); }
  std::size_t number() const { return number_; }

 private:
  const std::string& text_;
  const std::string& source_;
  std::size_t pos_ = 0, number_ = 0;
};

std::string_view trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\v\f");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\v\f") - b + 1);
}

// A log10 probability or backoff as the float the model stores. The value is checked after the conversion to float:
// a number beyond the float range (1e39, −1e39) would become ±∞ there, so it is refused like "inf" and "nan" are;
// one too small for a float (1e-50) becomes 0 or a subnormal, as close as a float gets.
float parse_number(std::string_view field, Lines& lines, const char* what) {
  double value = 0;
  const char* begin = field.data();
  const char* end = field.data() + field.size();
  if (!field.empty() && field.front() == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || std::isnan(value))
    lines.fail("bad " + std::string(what) + " '" + std::string(field) + "': expected a number");
  float single = 0;
  const auto [fptr, fec] = std::from_chars(begin, end, single);  // the float nearest the text: no double rounding
  if (fec == std::errc::result_out_of_range && std::fabs(value) < 1) single = static_cast<float>(value);  // underflow
  if (!std::isfinite(value) || (fec != std::errc() && std::fabs(value) >= 1) || !std::isfinite(single))
    lines.fail(std::string(what) + " " + std::string(field) + " is not a finite float (|x| ≤ 3.4e38)");
  return single;
}

std::uint64_t parse_count(std::string_view field, Lines& lines) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || ptr != field.data() + field.size() || field.empty())
    lines.fail("bad n-gram count '" + std::string(field) + "': expected a non-negative integer");
  return value;
}

struct Entry {
  std::uint32_t parent;
  WordId word;
  float prob, backoff;
  std::size_t line;
};

}  // namespace

BackoffModel parse_arpa(const std::string& text, const std::string& source) {
  Lines lines(text, source);
  std::string_view line;

  // \data\ and the declared counts.
  bool found = false;
  while (lines.next(line))
    if (trim(line) == "\\data\\") {
      found = true;
      break;
    }
  if (!found) lines.fail("no \\data\\ line: not an ARPA file");
  std::vector<std::uint64_t> declared;
  while (true) {
    if (!lines.next_nonblank(line)) lines.fail("truncated: the file ends in the \\data\\ section");
    line = trim(line);
    if (line.front() == '\\') break;
    if (!line.starts_with("ngram"))
      lines.fail("expected 'ngram N=count' in the \\data\\ section, got '" + std::string(line) + "'");
    std::string spec;
    for (char c : line.substr(5))
      if (c != ' ' && c != '\t') spec += c;
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos) lines.fail("expected 'ngram N=count', got '" + std::string(line) + "'");
    const std::uint64_t n = parse_count(std::string_view(spec).substr(0, eq), lines);
    if (n > static_cast<std::uint64_t>(kMaxNgramOrder))
      lines.fail("order " + std::to_string(n) + " is above the highest n-gram order tapegrad reads, " +
                 std::to_string(kMaxNgramOrder));
    if (n != declared.size() + 1)
      lines.fail("ngram orders must be declared in order 1, 2, …: expected " + std::to_string(declared.size() + 1) +
                 ", got " + std::to_string(n));
    declared.push_back(parse_count(std::string_view(spec).substr(eq + 1), lines));
  }
  if (declared.empty()) lines.fail("the \\data\\ section declares no n-grams");
  if (declared[0] == 0) lines.fail("the \\data\\ section declares 0 1-grams");
  const int N = static_cast<int>(declared.size());

  std::vector<std::vector<float>> log_prob(static_cast<std::size_t>(N)), log_backoff(static_cast<std::size_t>(N - 1));
  Vocab vocab;
  bool has_unk = false, has_bos = false;
  // A token of an n-gram line to its id, from the 1-grams.
  auto lookup = [&](std::string_view t) -> std::uint32_t {
    if (t == Vocab::kBosToken) return has_bos ? static_cast<WordId>(vocab.size()) : kNoEntry;
    if (t == Vocab::kUnkToken && !has_unk) return kNoEntry;
    return vocab.find(t).value_or(kNoEntry);
  };
  NgramTrie trie;
  std::vector<std::string_view> fields;

  for (int n = 1; n <= N; ++n) {
    const std::string header = "\\" + std::to_string(n) + "-grams:";
    if (trim(line) != header) lines.fail("expected '" + header + "', got '" + std::string(trim(line)) + "'");
    // The entries of this order, until the next line that starts with a backslash.
    std::vector<Entry> entries;
    std::vector<std::string> unigram_tokens;
    std::vector<std::size_t> unigram_lines;
    bool more = false;
    while ((more = lines.next_nonblank(line))) {
      if (trim(line).front() == '\\') break;
      if (entries.size() == declared[static_cast<std::size_t>(n - 1)])
        lines.fail("more " + std::to_string(n) + "-grams than the " + std::to_string(entries.size()) +
                   " declared in \\data\\");
      fields.clear();
      for_each_field(line, [&](std::string_view f) { fields.push_back(f); });
      const std::size_t nf = fields.size();
      if (nf != static_cast<std::size_t>(n) + 1 && nf != static_cast<std::size_t>(n) + 2)
        lines.fail("a " + std::to_string(n) + "-gram line needs a log10 probability, " + std::to_string(n) +
                   " word(s) and an optional backoff; got " + std::to_string(nf) + " fields");
      if (nf == static_cast<std::size_t>(n) + 2 && n == N)
        lines.fail("a backoff weight on a " + std::to_string(n) + "-gram, the highest order");
      Entry entry{};
      entry.line = lines.number();
      entry.prob = parse_number(fields[0], lines, "log10 probability");
      if (entry.prob > 0)
        lines.fail("log10 probability " + std::string(fields[0]) + " is above 0 (a probability above 1)");
      if (nf == static_cast<std::size_t>(n) + 2) entry.backoff = parse_number(fields[nf - 1], lines, "log10 backoff");
      if (n == 1) {
        unigram_tokens.emplace_back(fields[1]);
        unigram_lines.push_back(entry.line);
      } else {
        // The prefix w1 … wn−1 must be listed; its entry is the parent.
        std::uint32_t e = kNoEntry;
        for (int i = 1; i <= n; ++i) {
          const std::uint32_t w = lookup(fields[static_cast<std::size_t>(i)]);
          if (w == kNoEntry)
            lines.fail("the word '" + std::string(fields[static_cast<std::size_t>(i)]) + "' is not among the 1-grams");
          if (i == n) {
            entry.word = w;
          } else {
            e = i == 1 ? w : trie.child(i - 1, e, w);
            if (e == kNoEntry) {
              std::string prefix;
              for (int j = 1; j < n; ++j)
                prefix += (j > 1 ? " " : "") + std::string(fields[static_cast<std::size_t>(j)]);
              lines.fail("the prefix '" + prefix + "' of this " + std::to_string(n) + "-gram is not listed");
            }
          }
        }
        entry.parent = e;
      }
      entries.push_back(entry);
    }
    if (entries.size() != declared[static_cast<std::size_t>(n - 1)]) {
      if (!more)
        lines.fail("truncated: the file ends after " + std::to_string(entries.size()) + " of the " +
                   std::to_string(declared[static_cast<std::size_t>(n - 1)]) + " " + std::to_string(n) +
                   "-grams declared");
      lines.fail("the \\" + std::to_string(n) + "-grams: section has " + std::to_string(entries.size()) +
                 " entries but \\data\\ declares " + std::to_string(declared[static_cast<std::size_t>(n - 1)]));
    }
    if (!more) {
      if (n < N) lines.fail("truncated: no \\" + std::to_string(n + 1) + "-grams: section");
      lines.fail("truncated: no \\end\\ line");
    }

    if (n == 1) {
      // Ids: <unk> 0, </s> 1, then the file's order; <s> becomes the context-only id vocab.size().
      std::vector<std::string> tokens{std::string(Vocab::kUnkToken), std::string(Vocab::kEosToken)};
      std::unordered_map<std::string, std::size_t> first_line;
      bool has_eos = false;
      for (std::size_t i = 0; i < unigram_tokens.size(); ++i) {
        const std::string& t = unigram_tokens[i];
        if (const auto [it, fresh] = first_line.emplace(t, unigram_lines[i]); !fresh)
          throw FormatError(where(source, unigram_lines[i]) + "duplicate 1-gram '" + t + "' (first on line " +
                            std::to_string(it->second) + ")");
        has_eos |= t == Vocab::kEosToken;
        has_bos |= t == Vocab::kBosToken;
        has_unk |= t == Vocab::kUnkToken;
        if (t != Vocab::kUnkToken && t != Vocab::kEosToken && t != Vocab::kBosToken) tokens.push_back(t);
      }
      if (!has_eos) throw FormatError(where(source) + "the 1-grams do not include </s>");
      if (tokens.size() == 2) throw FormatError(where(source) + "empty vocabulary: no 1-gram besides the specials");
      vocab = Vocab::from_tokens(tokens, {}, source);
      const auto bos = static_cast<WordId>(vocab.size());
      trie = NgramTrie(bos + 1);
      log_prob[0].assign(bos + 1, -HUGE_VALF);  // a word not listed (only <unk> can be) has probability 0
      log_prob[0][bos] = kBosLog10Prob;
      if (N > 1) log_backoff[0].assign(bos + 1, 0.0f);
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const WordId w = lookup(unigram_tokens[i]);
        log_prob[0][w] = entries[i].prob;
        if (N > 1) log_backoff[0][w] = entries[i].backoff;
      }
    } else {
      std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.parent != b.parent ? a.parent < b.parent : a.word < b.word;
      });
      const std::size_t parents = trie.size(n - 1);
      std::vector<std::uint32_t> first_child(parents + 1, 0);
      std::vector<WordId> words(entries.size());
      std::vector<float>& prob = log_prob[static_cast<std::size_t>(n - 1)];
      prob.resize(entries.size());
      if (n < N) log_backoff[static_cast<std::size_t>(n - 1)].resize(entries.size());
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const Entry& en = entries[i];
        if (i > 0 && en.parent == entries[i - 1].parent && en.word == entries[i - 1].word)
          throw FormatError(where(source, std::max(en.line, entries[i - 1].line)) + "duplicate " + std::to_string(n) +
                            "-gram (also on line " + std::to_string(std::min(en.line, entries[i - 1].line)) + ")");
        ++first_child[en.parent + 1];
        words[i] = en.word;
        prob[i] = en.prob;
        if (n < N) log_backoff[static_cast<std::size_t>(n - 1)][i] = en.backoff;
      }
      for (std::size_t p = 0; p < parents; ++p) first_child[p + 1] += first_child[p];
      trie.add_level(std::move(first_child), std::move(words));
    }
  }
  if (trim(line) != "\\end\\") lines.fail("expected \\end\\, got '" + std::string(trim(line)) + "'");
  return BackoffModel(std::move(vocab), std::move(trie), std::move(log_prob), std::move(log_backoff),
                      "backoff model from ARPA (" + source + ")");
}

}  // namespace tapegrad::lm
