// Tagger: what every part-of-speech tagging model answers, whatever it is — the count-based baselines of this
// folder (MostFrequentTagger "mft", HmmTagger "hmm") and the neural taggers to come. A tagger knows the tag set it
// was trained on and its tag vocabulary, tags one sentence at a time, and saves itself to one file that
// load_tagger reads back.
//
// A new kind of tagger: derive from Tagger, give it a kind() name, write its file with write_tagger_file (the
// common header: kind, tag set, tags), read it back from a TaggerFile, and add one line for that kind to load_tagger
// in tagger.cpp.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lm/tagging/metrics.hpp"
#include "lm/tagging/tag_vocab.hpp"
#include "lm/tagging/tagged_corpus.hpp"
#include "lm/tagging/tagset.hpp"
#include "lm/text/corpus.hpp"

namespace tapegrad::lm {

struct TaggerFile;  // a saved tagger read and parsed (tagger_file.hpp, internal to lm/tagging)

class Tagger {
 public:
  virtual ~Tagger() = default;

  // The model's kind as the CLI's --model names it and its file records ("mft", "hmm").
  virtual std::string kind() const = 0;
  // One line about the trained model ("most frequent tag, 49,815 word forms, default tag nn").
  virtual std::string describe() const = 0;
  // The tag ids (each below tags().size()) of one sentence's words.
  virtual std::vector<TagId> tag(std::span<const std::string_view> words) const = 0;
  // The tags of every unit of a corpus; by default one tag() call per unit (a neural tagger batches them).
  virtual std::vector<std::vector<TagId>> tag_all(const TokenCorpus& units) const;
  // Writes the model to one file, atomically (write_text_file); IoError naming the file on failure.
  virtual void save(const std::string& path) const = 0;

  Tagset tagset() const { return tagset_; }
  const TagVocab& tags() const { return tags_; }

 protected:
  Tagger(Tagset tagset, TagVocab tags) : tagset_(tagset), tags_(std::move(tags)) {}

 private:
  Tagset tagset_;
  TagVocab tags_;
};

// Reads a file written by a tagger's save(), whatever its kind. IoError when it cannot be read, FormatError naming
// the file when it is not a tagger file, is of an unknown kind, or its content is inconsistent.
std::unique_ptr<Tagger> load_tagger(const std::string& path);

// Tags every unit of `split` and scores the result against its gold tags (unknown words: not in `known`).
// `progress`, when given, is called after each unit with (units done, units in all).
TagScore evaluate_tagger(const Tagger& tagger, const TokenCorpus& split, const KnownWords& known,
                         const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace tapegrad::lm
