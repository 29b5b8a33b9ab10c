// `tapegrad classify`: the pieces shared by the command (classify.cpp) and the model kinds it trains (one file per
// kind, e.g. classify_nb.cpp). A model kind is a ClassifierKind: its name for --model, its own flags, how to train
// it on a training part, and how to recognise and load its saved file. Adding a kind: write
// `ClassifierKind <name>_kind()` in apps/classify_<name>.cpp, declare it below, and add it to the list in
// classifier_kinds() (classify.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lm/classify/classifier.hpp"
#include "lm/classify/labelled_corpus.hpp"

namespace tapegrad::cli {

// The options every model kind sees (those of `classify train`).
struct ClassifyOptions {
  std::string model = "nb";
  std::string data;    // a folder holding rt-polarity.{neg,pos}, or a LABEL<TAB>SENTENCE file; "" = the default
  int folds = 0;       // 0: the fixed split; K ≥ 2: K-fold cross-validation
  std::string save;    // fixed split only: write the trained model here
  bool json = false;   // machine-readable output on stdout
  bool quiet = false;  // no progress lines on stderr
};

struct ClassifierKind {
  std::string name;         // the value of --model
  std::string description;  // one line for --help
  // Registers the kind's own flags on the option group `flags` (named after the kind); the kind keeps their values.
  // `classify train` refuses them with another --model.
  std::function<void(CLI::Option_group& flags)> add_flags;
  // Checks the kind's flags before any data is read (throws UsageError); may be empty.
  std::function<void()> check;
  // Trains a model on `train`. `valid` is the fixed split's validation part; in a cross-validation round it is
  // empty, and a kind that selects epochs or settings must carve its validation data out of `train`.
  std::function<std::unique_ptr<lm::Classifier>(const lm::LabelledCorpus& train, const lm::LabelledCorpus& valid,
                                                const ClassifyOptions& options)>
      train;
  // Whether a file is a model this kind saved (cheap: looks at the first bytes), and loading it.
  std::function<bool(const std::string& path)> recognises;
  std::function<std::unique_ptr<lm::Classifier>(const std::string& path)> load;
};

// nb: multinomial naive Bayes on unigram + bigram presence features (classify_nb.cpp).
ClassifierKind naive_bayes_kind();
// bilstm: a (bidirectional) RNN over word embeddings, pooled per sentence (classify_bilstm.cpp).
ClassifierKind bilstm_kind();

}  // namespace tapegrad::cli
