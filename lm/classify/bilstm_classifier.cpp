// BiLstmClassifier: the neural classifier behind the Classifier interface (see bilstm_classifier.hpp).
#include "lm/classify/bilstm_classifier.hpp"

#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

ClassSentences class_sentences(const std::vector<LabelledSentence>& s) {
  ClassSentences out;
  for (const LabelledSentence& x : s) out.tokens.push_back(x.tokens), out.labels.push_back(x.label);
  return out;
}

}  // namespace

BiLstmClassifier BiLstmClassifier::train(const LabelledCorpus& train, const LabelledCorpus& valid,
                                         ClassifierTrainSpec spec, std::ostream& log) {
  spec.labels = train.label_names;
  ClassSentences t, v;
  if (valid.empty()) {
    for (std::size_t i = 0; i < train.size(); ++i) {
      ClassSentences& to = i % 10 == 9 ? v : t;
      to.tokens.push_back(train.sentences[i].tokens);
      to.labels.push_back(train.sentences[i].label);
    }
  } else {
    t = class_sentences(train.sentences);
    v = class_sentences(valid.sentences);
  }
  ClassifierTrainResult r = train_classifier(t, v, spec, log);
  log << "best epoch " << r.training.best_epoch << ": valid " << 100.0 * r.training.best_score << "% after "
      << r.training.train_seconds << " s of training\n";
  return BiLstmClassifier(std::move(r.classifier));
}

bool BiLstmClassifier::is_checkpoint_path(const std::string& path) {
  const std::string ext = ".safetensors";
  return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

std::string BiLstmClassifier::describe() const {
  return "neural classifier: " + model_->config().describe() + ", " + pool_name(model_->pool()) + " pooling, " +
         std::to_string(model_->parameter_count()) + " parameters";
}

std::vector<double> BiLstmClassifier::probabilities(const std::vector<std::string>& tokens) const {
  if (tokens.empty()) return std::vector<double>(labels().size(), 1.0 / static_cast<double>(labels().size()));
  const std::vector<std::vector<std::string>> one = {tokens};
  const auto p = model_->probabilities(model_->vocab().encode(one, model_->config()));
  return {p[0].begin(), p[0].end()};
}

std::vector<int> BiLstmClassifier::predict_all(const std::vector<LabelledSentence>& sentences) const {
  std::vector<std::vector<std::string>> nonempty;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < sentences.size(); ++i)
    if (!sentences[i].tokens.empty()) nonempty.push_back(sentences[i].tokens), where.push_back(i);
  std::vector<int> out(sentences.size(), 0);
  const auto predicted = classify_sentences(*model_, nonempty);
  for (std::size_t k = 0; k < where.size(); ++k) out[where[k]] = predicted[k];
  return out;
}

void BiLstmClassifier::save(const std::string& path) const {
  if (!is_checkpoint_path(path))
    throw UsageError("a bilstm classifier is saved as a safetensors checkpoint: name the file *.safetensors (got " +
                     path + ")");
  model_->save(path);
}

}  // namespace tapegrad::lm
