// `tapegrad classify --model nb`: multinomial naive Bayes on n-gram presence features (lm/classify/naive_bayes.hpp).
// Its flags: --alpha (add-α smoothing) and --ngram (longest n-gram used as a feature).
#include <memory>

#include "apps/classify.hpp"
#include "apps/flag_checks.hpp"
#include "lm/classify/naive_bayes.hpp"

namespace tapegrad::cli {

ClassifierKind naive_bayes_kind() {
  auto nb = std::make_shared<lm::NaiveBayesOptions>();
  ClassifierKind k;
  k.name = "nb";
  k.description = "multinomial naive Bayes on n-gram presence features, add-alpha smoothing";
  k.add_flags = [nb](CLI::Option_group& flags) {
    flags.add_option("--alpha", nb->alpha, "nb: add-alpha smoothing of the feature counts (1 = Laplace)")
        ->capture_default_str()
        ->check(flag::real_above(0));
    flags.add_option("--ngram", nb->max_n, "nb: features are the n-grams of 1 to this many tokens (2 = + bigrams)")
        ->capture_default_str()
        ->check(flag::whole(1, 9));
  };
  k.check = [nb] { nb->validate(); };
  k.train = [nb](const lm::LabelledCorpus& train, const lm::LabelledCorpus&, const ClassifyOptions&) {
    return std::make_unique<lm::NaiveBayes>(lm::NaiveBayes::train(train, *nb));
  };
  k.recognises = [](const std::string& path) { return lm::NaiveBayes::is_saved_model(path); };
  k.load = [](const std::string& path) { return std::make_unique<lm::NaiveBayes>(lm::NaiveBayes::load(path)); };
  return k;
}

}  // namespace tapegrad::cli
