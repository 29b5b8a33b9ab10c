// Brown corpus reading and the protocol split (see brown.hpp and docs/data.md).
#include "lm/text/brown.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <unordered_set>

#include "lm/text/error.hpp"
#include "lm/text/tar_gz.hpp"
#include "lm/text/text_file.hpp"

namespace tapegrad::lm {

namespace fs = std::filesystem;

bool is_brown_file_name(const std::string& name) {
  return name.size() == 4 && name[0] == 'c' && name[1] >= 'a' && name[1] <= 'r' && name[2] >= '0' && name[2] <= '9' &&
         name[3] >= '0' && name[3] <= '9';
}

void BrownCorpus::add_file(const std::string& name, std::string text, const std::string& source) {
  check_text(text, source, {.utf8 = true, .allow_empty = true});
  auto buffer = std::make_shared<const std::string>(std::move(text));
  sentences_.keep_alive(buffer);
  const std::size_t file = files_.size();
  files_.push_back(name);
  std::vector<std::string_view> words, tags;
  for_each_line(*buffer, [&](std::size_t number, std::string_view line) {
    words.clear();
    tags.clear();
    for_each_field(line, [&](std::string_view item) {
      const std::size_t slash = item.rfind('/');
      if (slash == std::string_view::npos || slash == 0 || slash + 1 == item.size())
        throw FormatError(where(source, number) + "item '" + std::string(item) + "' is not word/tag");
      words.push_back(item.substr(0, slash));
      tags.push_back(item.substr(slash + 1));
    });
    if (words.empty()) return;  // blank line
    sentences_.add_sentence(words, tags, number);
    file_of_sentence_.push_back(file);
  });
}

BrownCorpus BrownCorpus::read(const std::string& path) {
  BrownCorpus corpus;
  corpus.sentences_ = TokenCorpus(path);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    fs::path dir = path;
    if (fs::is_directory(dir / "package", ec)) dir /= "package";
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && is_brown_file_name(e.path().filename().string()))
        names.push_back(e.path().filename().string());
    if (ec) throw IoError(where(path) + "cannot list the folder: " + ec.message());
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string file = (dir / name).string();
      corpus.add_file(name, read_file(file), file);  // add_file checks the text
    }
  } else if (fs::exists(path, ec)) {
    std::vector<ArchiveMember> members = read_tar_gz(path);
    std::vector<ArchiveMember*> brown;
    for (ArchiveMember& m : members) {
      const std::string_view p = m.path;
      const std::string name(p.starts_with("package/") ? p.substr(8) : p);
      if (is_brown_file_name(name)) {
        m.path = name;
        brown.push_back(&m);
      }
    }
    std::sort(brown.begin(), brown.end(),
              [](const ArchiveMember* a, const ArchiveMember* b) { return a->path < b->path; });
    for (std::size_t i = 1; i < brown.size(); ++i)
      if (brown[i]->path == brown[i - 1]->path)
        throw FormatError(where(path) + "the archive holds " + brown[i]->path + " twice");
    for (ArchiveMember* m : brown) corpus.add_file(m->path, std::move(m->data), path + "(" + m->path + ")");
  } else {
    throw IoError(where(path) + "no such file or folder");
  }
  if (corpus.files_.empty()) throw FormatError(where(path) + "no Brown corpus files (named ca01 … cr09) found");
  return corpus;
}

BrownSplits BrownCorpus::split(const BrownOptions& options) const {
  if (options.train_end > options.valid_end)
    throw UsageError("BrownCorpus::split: the train end must not come after the validation end");

  // Walks the token stream (each sentence's words, then </s>) and gives every token to the split its position
  // falls in. `visit(split, word, tag)` gets the words; `close(split)` ends a line: at a </s>, or where a split
  // boundary cuts a sentence.
  auto walk = [&](auto&& visit, auto&& eos, auto&& close) {
    std::uint64_t pos = 0;
    int previous = 0;
    auto split_of = [&](std::uint64_t p) { return p < options.train_end ? 0 : p < options.valid_end ? 1 : 2; };
    auto enter = [&](int s) {
      if (s != previous) close(previous, /*cut=*/true);
      previous = s;
    };
    for (std::size_t i = 0; i < sentences_.num_sentences(); ++i) {
      const auto words = sentences_.sentence(i);
      const auto tags = sentences_.tags(i);
      for (std::size_t j = 0; j < words.size(); ++j) {
        enter(split_of(pos++));
        visit(previous, words[j], tags[j]);
      }
      enter(split_of(pos++));
      eos(previous);
      close(previous, /*cut=*/false);
    }
  };

  // Pass 1: the train words, for the vocabulary (the line structure does not matter here).
  TokenCorpus train_raw("brown train");
  {
    std::vector<std::string_view> line;
    walk(
        [&](int s, std::string_view w, std::string_view) {
          if (s == 0) line.push_back(w);
        },
        [&](int) {},
        [&](int s, bool) {
          if (s == 0 && !line.empty()) train_raw.add_sentence(line);
          line.clear();
        });
  }
  BrownSplits out;
  out.vocab = Vocab::build(train_raw, options.min_count);
  {
    std::unordered_set<std::string_view> types;
    for (std::size_t i = 0; i < train_raw.num_sentences(); ++i)
      for (std::string_view w : train_raw.sentence(i)) types.insert(w);
    out.train_types = types.size();
  }

  // Pass 2: the three splits, out-of-vocabulary words as <unk>.
  BrownSplit* splits[3] = {&out.train, &out.valid, &out.test};
  const char* names[3] = {"brown train", "brown valid", "brown test"};
  for (int s = 0; s < 3; ++s) splits[s]->lines = TokenCorpus(names[s]);
  for (const auto& b : sentences_.buffers())
    for (BrownSplit* sp : splits) sp->lines.keep_alive(b);
  std::vector<std::string_view> words[3], tags[3];
  bool open[3] = {false, false, false};
  walk(
      [&](int s, std::string_view w, std::string_view t) {
        BrownSplit& sp = *splits[s];
        ++sp.words;
        if (!out.vocab.contains(w)) {
          ++sp.unk;
          w = Vocab::kUnkToken;
        }
        words[s].push_back(w);
        tags[s].push_back(t);
        open[s] = true;
      },
      [&](int s) {
        ++splits[s]->eos;
        open[s] = true;
      },
      [&](int s, bool) {
        if (!open[s]) return;
        TokenCorpus& lines = splits[s]->lines;
        lines.add_sentence(words[s], tags[s], lines.num_sentences() + 1);  // its line in the written file
        words[s].clear();
        tags[s].clear();
        open[s] = false;
      });
  if (out.train.eos > 0) ++out.train_types;  // </s> is a train token type too
  return out;
}

}  // namespace tapegrad::lm
