// BiLstmTagger: the neural tagger behind the Tagger interface (see bilstm_tagger.hpp).
#include "lm/tagging/bilstm_tagger.hpp"

#include <ostream>

#include "lm/text/error.hpp"

namespace tapegrad::lm {

namespace {

TagVocab tag_vocab_of(const NeuralTagger& model) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < model.tags().size(); ++i) names.push_back(model.tags().symbol(static_cast<std::int32_t>(i)));
  return TagVocab::from_tags(std::move(names));
}

std::vector<std::vector<std::string>> words_of(const TokenCorpus& units) {
  std::vector<std::vector<std::string>> words(units.num_sentences());
  for (std::size_t s = 0; s < units.num_sentences(); ++s)
    for (std::string_view w : units.sentence(s)) words[s].emplace_back(w);
  return words;
}

}  // namespace

TagSentences tag_sentences_of(const TokenCorpus& units) {
  TagSentences out;
  out.words = words_of(units);
  out.tags.resize(units.num_sentences());
  for (std::size_t s = 0; s < units.num_sentences(); ++s)
    for (std::string_view t : units.tags(s)) out.tags[s].emplace_back(t);
  return out;
}

BiLstmTagger::BiLstmTagger(std::unique_ptr<NeuralTagger> model, Tagset tagset)
    : Tagger(tagset, tag_vocab_of(*model)), model_(std::move(model)) {}

BiLstmTagger BiLstmTagger::train(const TaggedSplits& splits, const TaggerTrainSpec& spec, std::ostream& log) {
  TaggerTrainSpec s = spec;
  s.extra["tagset"] = std::string(tagset_name(splits.tagset));
  TaggerTrainResult r = train_tagger(tag_sentences_of(splits.train), tag_sentences_of(splits.valid), s, log);
  log << "best epoch " << r.training.best_epoch << ": valid " << 100.0 * r.training.best_score << "% after "
      << r.training.train_seconds << " s of training (" << r.training.train_cpu_seconds << " s processor time)\n";
  return BiLstmTagger(std::move(r.tagger), splits.tagset);
}

BiLstmTagger BiLstmTagger::load(const std::string& path) {
  nn::Metadata m;
  std::unique_ptr<NeuralTagger> model = NeuralTagger::load(path, &m);
  const auto it = m.find("tagset");
  if (it == m.end()) throw FormatError(path + ": a tagger checkpoint without its tag set");
  return BiLstmTagger(std::move(model), parse_tagset(it->second));
}

bool BiLstmTagger::is_checkpoint_path(const std::string& path) {
  const std::string ext = ".safetensors";
  return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

std::string BiLstmTagger::describe() const {
  return "neural tagger: " + model_->config().describe() + ", " + std::to_string(model_->vocab().words.size()) +
         " words, " + std::to_string(model_->parameter_count()) + " parameters";
}

std::vector<TagId> BiLstmTagger::tag(std::span<const std::string_view> words) const {
  if (words.empty()) return {};
  std::vector<std::vector<std::string>> one(1);
  for (std::string_view w : words) one[0].emplace_back(w);
  const auto ids = model_->predict(model_->vocab().encode(one, model_->config()));
  return {ids[0].begin(), ids[0].end()};
}

std::vector<std::vector<TagId>> BiLstmTagger::tag_all(const TokenCorpus& units) const {
  const auto words = words_of(units);
  std::vector<std::size_t> nonempty;
  std::vector<std::vector<std::string>> batchable;
  for (std::size_t s = 0; s < words.size(); ++s)
    if (!words[s].empty()) nonempty.push_back(s), batchable.push_back(words[s]);
  const auto ids = model_->predict(model_->vocab().encode(batchable, model_->config()));
  std::vector<std::vector<TagId>> out(words.size());
  for (std::size_t k = 0; k < nonempty.size(); ++k) out[nonempty[k]].assign(ids[k].begin(), ids[k].end());
  return out;
}

void BiLstmTagger::save(const std::string& path) const {
  if (!is_checkpoint_path(path))
    throw UsageError("a bilstm tagger is saved as a safetensors checkpoint: name the file *.safetensors (got " + path +
                     ")");
  model_->save(path, {{"tagset", std::string(tagset_name(tagset()))}});
}

}  // namespace tapegrad::lm
