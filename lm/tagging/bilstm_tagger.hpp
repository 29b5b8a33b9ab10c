// BiLstmTagger: the neural tagger (neural_tagger.hpp) as a Tagger of this folder — kind "bilstm" — so the `tapegrad
// tag` commands train, save, load, score and apply it like the count-based baselines. Its file is a safetensors
// checkpoint (parameters, encoder configuration, vocabularies, tag set); tag_all tags a whole split in
// length-bucketed batches.
#pragma once

#include <iosfwd>
#include <memory>

#include "lm/tagging/tagger.hpp"
#include "lm/tagging/train_tagger.hpp"

namespace tapegrad::lm {

class BiLstmTagger : public Tagger {
 public:
  static constexpr const char* kKind = "bilstm";

  BiLstmTagger(std::unique_ptr<NeuralTagger> model, Tagset tagset);

  // Trains on splits.train, choosing the epoch on splits.valid (TaggerTrainSpec: encoder, loop, vocabulary).
  static BiLstmTagger train(const TaggedSplits& splits, const TaggerTrainSpec& spec, std::ostream& log);
  static BiLstmTagger load(const std::string& path);
  // True when `path` names a file this kind reads (a .safetensors checkpoint).
  static bool is_checkpoint_path(const std::string& path);

  std::string kind() const override { return kKind; }
  std::string describe() const override;
  std::vector<TagId> tag(std::span<const std::string_view> words) const override;
  std::vector<std::vector<TagId>> tag_all(const TokenCorpus& units) const override;
  void save(const std::string& path) const override;

  NeuralTagger& model() const { return *model_; }

 private:
  std::unique_ptr<NeuralTagger> model_;  // predicting reuses its scratch buffers: not const
};

// A tagged corpus as the neural tagger's sentences.
TagSentences tag_sentences_of(const TokenCorpus& units);

}  // namespace tapegrad::lm
