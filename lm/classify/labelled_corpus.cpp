// The readers and splits of labelled_corpus.hpp: MR by its protocol, LABEL<TAB>SENTENCE files, plain sentences,
// cross-validation folds and the fixed split.
#include "lm/classify/labelled_corpus.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

constexpr const char* kMrNeg = "rt-polarity.neg";
constexpr const char* kMrPos = "rt-polarity.pos";

// Appends the sentences of one MR file (its raw bytes) with the given label.
void add_mr_file(std::string_view bytes, const std::string& name, int label, LabelledCorpus& out) {
  if (bytes.empty()) throw FormatError(where(name) + "the file is empty");
  if (const std::size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + nul, '\n'));
    throw FormatError(where(name, line) + "binary data (a NUL byte): expected the Latin-1 text of MR");
  }
  // Lines end at 0x0A and nowhere else; a text ending in 0x0A has no empty line after it.
  std::size_t number = 0, pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    ++number;
    LabelledSentence s;
    s.tokens = split_on_space(latin1_to_utf8(bytes.substr(pos, end - pos)));
    if (s.tokens.empty()) throw FormatError(where(name, number) + "a line without tokens");
    s.label = label;
    s.line = number;
    s.fold = fold_of_line(number);
    out.sentences.push_back(std::move(s));
    pos = end + 1;
  }
}

LabelledCorpus subset(const LabelledCorpus& data, const std::string& what, auto&& keep) {
  LabelledCorpus part;
  part.source = data.source + " (" + what + ")";
  part.label_names = data.label_names;
  for (const LabelledSentence& s : data.sentences)
    if (keep(s)) part.sentences.push_back(s);
  return part;
}

}  // namespace

std::size_t LabelledCorpus::num_tokens() const {
  std::size_t n = 0;
  for (const LabelledSentence& s : sentences) n += s.tokens.size();
  return n;
}

std::vector<std::size_t> LabelledCorpus::label_counts() const {
  std::vector<std::size_t> counts(label_names.size(), 0);
  for (const LabelledSentence& s : sentences) ++counts.at(static_cast<std::size_t>(s.label));
  return counts;
}

TokenCorpus LabelledCorpus::token_corpus() const {
  std::vector<std::vector<std::string>> all;
  all.reserve(sentences.size());
  for (const LabelledSentence& s : sentences) all.push_back(s.tokens);
  return TokenCorpus::from_sentences(all);
}

std::vector<std::string> split_on_space(std::string_view line) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    const std::size_t j = std::min(line.find(' ', i), line.size());
    if (j > i) tokens.emplace_back(line.substr(i, j - i));
    i = j + 1;
  }
  return tokens;
}

int fold_of_line(std::size_t line, int num_folds) {
  if (line == 0 || num_folds < 1) throw UsageError("fold_of_line: needs a 1-based line and at least one fold");
  return static_cast<int>((line - 1) % static_cast<std::size_t>(num_folds));
}

LabelledCorpus parse_mr(std::string_view neg_bytes, std::string_view pos_bytes, const std::string& neg_name,
                        const std::string& pos_name) {
  LabelledCorpus c;
  c.source = neg_name + " + " + pos_name;
  c.label_names = {"negative", "positive"};
  add_mr_file(neg_bytes, neg_name, 0, c);
  add_mr_file(pos_bytes, pos_name, 1, c);
  return c;
}

bool is_mr_folder(const std::string& folder) {
  std::error_code ec;
  const std::filesystem::path f(folder);
  return std::filesystem::is_regular_file(f / kMrNeg, ec) && std::filesystem::is_regular_file(f / kMrPos, ec);
}

LabelledCorpus read_mr(const std::string& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw IoError(where(folder) + "no such folder (expected one holding " + kMrNeg + " and " + kMrPos + ")");
  const std::string neg = (std::filesystem::path(folder) / kMrNeg).string();
  const std::string pos = (std::filesystem::path(folder) / kMrPos).string();
  LabelledCorpus c = parse_mr(read_file(neg), read_file(pos), neg, pos);
  c.source = folder;
  return c;
}

LabelledCorpus parse_labelled(const std::string& text, const std::string& source,
                              const std::vector<std::string>& labels) {
  check_text(text, source);
  struct Row {
    std::string label;
    std::vector<std::string> tokens;
    std::size_t line;
  };
  std::vector<Row> rows;
  for_each_line(text, [&](std::size_t number, std::string_view line) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos)
      throw FormatError(where(source, number) + "expected LABEL<TAB>SENTENCE, found no tab");
    if (tab == 0) throw FormatError(where(source, number) + "empty label before the tab");
    Row r{std::string(line.substr(0, tab)), split_on_space(line.substr(tab + 1)), number};
    if (r.tokens.empty()) throw FormatError(where(source, number) + "the sentence after the tab has no tokens");
    rows.push_back(std::move(r));
  });
  if (rows.empty()) throw FormatError(where(source) + "no labelled sentence in the file");

  LabelledCorpus c;
  c.source = source;
  if (labels.empty()) {
    std::set<std::string> distinct;
    for (const Row& r : rows) distinct.insert(r.label);
    c.label_names.assign(distinct.begin(), distinct.end());
  } else {
    c.label_names = labels;
  }
  for (Row& r : rows) {
    const auto it = std::find(c.label_names.begin(), c.label_names.end(), r.label);
    if (it == c.label_names.end()) {
      std::string known;
      for (const std::string& l : c.label_names) known += (known.empty() ? "" : ", ") + l;
      throw FormatError(where(source, r.line) + "unknown label '" + r.label + "' (the labels are: " + known + ")");
    }
    c.sentences.push_back(
        {std::move(r.tokens), static_cast<int>(it - c.label_names.begin()), r.line, fold_of_line(r.line)});
  }
  return c;
}

LabelledCorpus read_labelled(const std::string& path, const std::vector<std::string>& labels) {
  return parse_labelled(read_file(path), path, labels);
}

std::vector<std::vector<std::string>> parse_sentences(const std::string& text, const std::string& source) {
  check_text(text, source);
  std::vector<std::vector<std::string>> out;
  for_each_line(text, [&](std::size_t, std::string_view line) { out.push_back(split_on_space(line)); });
  return out;
}

std::vector<std::vector<std::string>> read_sentences(const std::string& path) {
  return parse_sentences(read_file(path), path);
}

CvSplit cv_fold(const LabelledCorpus& data, int k, int num_folds) {
  if (num_folds < 2) throw UsageError("cross-validation needs at least 2 folds, got " + std::to_string(num_folds));
  if (k < 0 || k >= num_folds)
    throw UsageError("fold " + std::to_string(k) + " is outside 0.." + std::to_string(num_folds - 1));
  const std::string name = "fold " + std::to_string(k) + " of " + std::to_string(num_folds);
  // The protocol's folds are stored; other fold counts follow from the line (the same rule).
  auto in_test = [&](const LabelledSentence& s) {
    return (num_folds == kMrFolds ? s.fold : fold_of_line(s.line, num_folds)) == k;
  };
  return {subset(data, "all but " + name, [&](const LabelledSentence& s) { return !in_test(s); }),
          subset(data, name, in_test)};
}

FixedSplit fixed_split(const LabelledCorpus& data) {
  return {subset(data, "train: folds 2-9", [](const LabelledSentence& s) { return s.fold >= 2; }),
          subset(data, "valid: fold 1", [](const LabelledSentence& s) { return s.fold == 1; }),
          subset(data, "test: fold 0", [](const LabelledSentence& s) { return s.fold == 0; })};
}

}  // namespace tapegrad::lm
