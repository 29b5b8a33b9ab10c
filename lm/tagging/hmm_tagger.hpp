// HmmTagger ("hmm"): a second-order hidden Markov model tagger in the manner of TnT (Brants 2000).
//
//   best tags = argmax_t  Π_i P(t_i | t_{i−2}, t_{i−1}) P(w_i | t_i) · P(</s> | t_{n−1}, t_n)
//
// - Transitions: TagTransitions (tag_transitions.hpp) — tag trigrams counted with lm/ngram's NgramCounts, smoothed
//   by TnT's deleted interpolation ("tnt", the default) or by interpolated modified Kneser-Ney ("kn").
// - Emissions of a training word: P(w | t) = c(w, t) / c(t), its candidate tags those it carried in training.
// - Emissions of an unknown word: the suffix model (suffix_model.hpp), log P(t | ending, capitalisation) − log P̂(t).
// - Decoding: Viterbi over tag pairs (viterbi.hpp) with TnT's beam: states worse than the best of their position
//   by a factor above `beam` (1000) are dropped; beam 0 decodes exactly.
// The saved file holds the word-tag counts and the tag n-gram counts; everything else is recomputed from them on
// load, so a loaded model tags exactly as the trained one.
#pragma once

#include <memory>
#include <string>

#include "lm/tagging/lexicon.hpp"
#include "lm/tagging/suffix_model.hpp"
#include "lm/tagging/tag_transitions.hpp"
#include "lm/tagging/tagger.hpp"

namespace tapegrad::lm {

struct HmmOptions {
  TransitionSmoothing smoothing = TransitionSmoothing::kDeletedInterpolation;
  SuffixOptions suffix;
  double beam = 1000;  // 0: exact Viterbi
};

class HmmTagger : public Tagger {
 public:
  static constexpr const char* kKind = "hmm";

  static HmmTagger train(const TokenCorpus& train, Tagset tagset, const HmmOptions& options = {});

  std::string kind() const override { return kKind; }
  std::string describe() const override;
  std::vector<TagId> tag(std::span<const std::string_view> words) const override;
  void save(const std::string& path) const override;
  static HmmTagger load(const std::string& path);
  static HmmTagger from_file(const TaggerFile& file);

  // The decoding lattice of a sentence: candidate tags and emission scores per word.
  void lattice(std::span<const std::string_view> words, Lattice& out) const;
  // log P(t, w) of the best sequence, with it.
  ViterbiResult decode(std::span<const std::string_view> words) const;

  const HmmOptions& options() const { return options_; }
  const TagTransitions& transitions() const { return *transitions_; }
  const TagLexicon& lexicon() const { return lexicon_; }
  const SuffixModel& suffixes() const { return suffixes_; }

 private:
  HmmTagger(Tagset tagset, TagVocab tags, HmmOptions options, TagLexicon lexicon, NgramCounts counts);

  HmmOptions options_;
  TagLexicon lexicon_;
  std::shared_ptr<const TagTransitions> transitions_;  // shared: the rows are large and never change
  SuffixModel suffixes_;
  std::vector<float> log_tag_count_;  // log c(t)
};

}  // namespace tapegrad::lm
