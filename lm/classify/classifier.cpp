// The shared parts of every classifier: the argmax of its probabilities, and evaluation over a corpus.
#include "lm/classify/classifier.hpp"

#include "ops/error.hpp"

namespace tapegrad::lm {

int Classifier::predict(const std::vector<std::string>& tokens) const {
  const std::vector<double> p = probabilities(tokens);
  int best = 0;
  for (std::size_t c = 1; c < p.size(); ++c)
    if (p[c] > p[static_cast<std::size_t>(best)]) best = static_cast<int>(c);
  return best;
}

std::vector<int> Classifier::predict_all(const std::vector<LabelledSentence>& sentences) const {
  std::vector<int> out;
  out.reserve(sentences.size());
  for (const LabelledSentence& s : sentences) out.push_back(predict(s.tokens));
  return out;
}

ConfusionMatrix evaluate(const Classifier& model, const LabelledCorpus& data) {
  if (data.label_names != model.labels()) {
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    throw UsageError(data.source + ": its labels (" + list(data.label_names) + ") are not the model's (" +
                     list(model.labels()) + ")");
  }
  ConfusionMatrix m(model.labels().size());
  const std::vector<int> predicted = model.predict_all(data.sentences);
  for (std::size_t i = 0; i < data.sentences.size(); ++i) m.add(data.sentences[i].label, predicted[i]);
  return m;
}

}  // namespace tapegrad::lm
