// LmDataset: reading the splits, building or loading the vocabulary, flattening to token streams.
#include "lm/text/dataset.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace fs = std::filesystem;

TokenLevel parse_level(const std::string& name) {
  if (name == "word") return TokenLevel::Word;
  if (name == "char") return TokenLevel::Char;
  throw UsageError("unknown token level '" + name + "' (expected word or char)");
}

const char* level_name(TokenLevel level) { return level == TokenLevel::Word ? "word" : "char"; }

std::string DatasetOptions::split() const {
  return std::to_string(100 - valid_percent - test_percent) + "/" + std::to_string(valid_percent) + "/" +
         std::to_string(test_percent);
}

std::string DatasetOptions::to_json() const {
  const nlohmann::json j = {
      {"level", level_name(level)}, {"min_count", min_count}, {"encoding", encoding_name(encoding)}, {"split", split()}};
  return j.dump();
}

DatasetOptions DatasetOptions::from_json(const std::string& text, const std::string& source) {
  DatasetOptions o;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    o.level = parse_level(j.at("level").get<std::string>());
    o.min_count = j.at("min_count").get<std::uint64_t>();
    o.encoding = parse_encoding(j.at("encoding").get<std::string>());
    const std::string split = j.at("split").get<std::string>();
    int train = 0, valid = 0, test = 0;
    char tail = 0;
    if (std::sscanf(split.c_str(), "%d/%d/%d%c", &train, &valid, &test, &tail) != 3 || train < 0 || valid < 1 ||
        test < 0 || train + valid + test != 100)
      throw FormatError(source + ": bad data options: split '" + split + "'");
    o.valid_percent = valid, o.test_percent = test;
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": bad data options: " + e.what());
  } catch (const UsageError& e) {
    throw FormatError(source + ": bad data options: " + e.what());
  }
  return o;
}

std::vector<std::int32_t> to_stream(const IdCorpus& corpus) {
  std::vector<std::int32_t> out;
  out.reserve(corpus.num_words() + corpus.num_sentences());
  for (std::size_t s = 0; s < corpus.num_sentences(); ++s) {
    for (WordId id : corpus.sentence(s)) out.push_back(static_cast<std::int32_t>(id));
    out.push_back(static_cast<std::int32_t>(Vocab::kEos));
  }
  return out;
}

namespace {

TokenCorpus read(const std::string& path, const DatasetOptions& options) {
  return options.level == TokenLevel::Word ? TokenCorpus::read_words(path, options.encoding)
                                           : TokenCorpus::read_chars(path, options.encoding);
}

// Sentences [first, last) of a corpus as a corpus of their own (sharing its buffers).
TokenCorpus sentences(const TokenCorpus& all, std::size_t first, std::size_t last, const std::string& name) {
  TokenCorpus part(all.source() + " (" + name + ")");
  for (const auto& buffer : all.buffers()) part.keep_alive(buffer);
  for (std::size_t s = first; s < last; ++s) part.add_sentence(all.sentence(s), {}, all.line(s));
  return part;
}

}  // namespace

LmDataset LmDataset::load(const std::string& path, const DatasetOptions& options) {
  LmDataset d;
  d.level = options.level;
  d.source = path;
  d.options = options;
  TokenCorpus train, valid, test;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    for (const char* name : {"train.txt", "valid.txt", "test.txt"})
      if (!fs::exists(dir / name))
        throw IoError(path + ": a data folder must hold train.txt, valid.txt and test.txt (" + name + " is missing)");
    train = read((dir / "train.txt").string(), options);
    valid = read((dir / "valid.txt").string(), options);
    test = read((dir / "test.txt").string(), options);
    if (fs::exists(dir / "vocab.txt")) d.vocab = Vocab::load((dir / "vocab.txt").string());
  } else {
    const int vp = options.valid_percent, tp = options.test_percent;
    if (vp < 1 || tp < 0 || vp + tp >= 100)
      throw UsageError("split " + std::to_string(100 - vp - tp) + "/" + std::to_string(vp) + "/" + std::to_string(tp) +
                       ": valid needs at least 1%, test 0% or more, and train the rest");
    const TokenCorpus all = read(path, options);
    const std::size_t n = all.num_sentences(), parts = tp > 0 ? 3 : 2;
    if (n < parts)
      throw FormatError(path + ": " + std::to_string(n) + " lines cannot be split into train, valid" +
                        (tp > 0 ? " and test" : ""));
    // Split by token position: the first (100 − vp − tp)% of the tokens (rounded to whole lines) train, the next
    // vp% valid, the rest test.
    std::size_t total = 0;
    for (std::size_t s = 0; s < n; ++s) total += all.sentence(s).size() + 1;
    const std::size_t valid_at = total * static_cast<std::size_t>(100 - vp - tp) / 100,
                      test_at = total * static_cast<std::size_t>(100 - tp) / 100;
    std::size_t seen = 0, valid_begin = 0, test_begin = n;
    for (std::size_t s = 0; s < n; ++s) {
      if (valid_begin == 0 && seen >= valid_at) valid_begin = s;
      if (tp > 0 && test_begin == n && seen >= test_at) test_begin = s;
      seen += all.sentence(s).size() + 1;
    }
    // every split gets at least one line
    valid_begin = std::clamp<std::size_t>(valid_begin, 1, n - (parts - 1));
    if (tp > 0) test_begin = std::clamp<std::size_t>(test_begin, valid_begin + 1, n - 1);
    train = sentences(all, 0, valid_begin, "train");
    valid = sentences(all, valid_begin, test_begin, "valid");
    test = sentences(all, test_begin, n, "test");
  }
  if (d.vocab.size() <= 2) d.vocab = Vocab::build(train, options.min_count);
  const IdCorpus tr = d.vocab.encode(train), va = d.vocab.encode(valid), te = d.vocab.encode(test);
  d.train = to_stream(tr);
  d.valid = to_stream(va);
  d.test = to_stream(te);
  d.oov_train = tr.oov, d.oov_valid = va.oov, d.oov_test = te.oov;
  if (d.train.size() < 2) throw FormatError(path + ": the training split is too small to train on");
  return d;
}

}  // namespace tapegrad::lm
