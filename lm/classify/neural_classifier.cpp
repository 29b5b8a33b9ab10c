// NeuralClassifier: encoder, pooling, output layer; loss, probabilities and checkpoints (see neural_classifier.hpp).
#include "lm/classify/neural_classifier.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "autograd/functions.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/sequence/encoder_checkpoint.hpp"
#include "lm/sequence/task_trainer.hpp"
#include "lm/text/error.hpp"
#include "nn/checkpoint.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/safetensors.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

NeuralClassifier::NeuralClassifier(const EncoderConfig& config, Pool pool, EncoderVocab vocab,
                                   std::vector<std::string> labels, Rng& rng)
    : vocab_(std::move(vocab)),
      labels_(std::move(labels)),
      pool_(pool),
      dropout_(config.dropout),
      unk_probability_(vocab_.word_dropout_probabilities(config.word_dropout)) {
  if (labels_.size() < 2) throw UsageError("a classifier needs at least two classes");
  encoder_ = &add_module("encoder", std::make_unique<SentenceEncoder>(config, static_cast<index_t>(vocab_.words.size()),
                                                                     static_cast<index_t>(vocab_.chars.size()), rng));
  register_module("dropout", dropout_);
  output_ = &add_module("output", std::make_unique<nn::Linear>(config.output_size(),
                                                               static_cast<index_t>(labels_.size()), rng));
  pack_parameters();
}

ag::Var NeuralClassifier::scores(ag::Tape& tape, const PaddedBatch& batch, const EncodedSentences& data, Rng& rng) {
  const ag::Var y = encoder_->forward(tape, batch, data, rng, unk_probability_);
  ag::ScopeGuard scope(tape, "classifier");
  const ag::Var v = pool_sequence(pool_, y, encoder_->sequence(), batch.lengths, config().bidirectional);
  return output_->forward(dropout_.forward(v, rng));
}

ag::Var NeuralClassifier::loss(ag::Tape& tape, const EncodedSentences& data, std::span<const std::int32_t> gold,
                               std::span<const std::size_t> items, Rng& rng) {
  pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(data.words[i]); }, SymbolTable::kPad,
            batch_);
  targets_.clear();
  for (std::size_t item : items) targets_.push_back(gold[item]);
  return ag::cross_entropy(scores(tape, batch_, data, rng), targets_);
}

std::vector<std::vector<float>> NeuralClassifier::probabilities(const EncodedSentences& data, std::size_t batch_size) {
  std::vector<std::vector<float>> out(data.size());
  for_each_eval_batch(*this, data, batch_size, batch_, [&](const PaddedBatch& batch, ag::Tape& tape, Rng& rng) {
    const Tensor p = ag::softmax(scores(tape, batch, data, rng)).to_tensor();
    const index_t n = p.shape()[1];
    for (std::size_t b = 0; b < batch.items.size(); ++b)
      out[batch.items[b]].assign(p.data() + static_cast<index_t>(b) * n, p.data() + static_cast<index_t>(b + 1) * n);
  });
  return out;
}

void NeuralClassifier::save(const std::string& path, const nn::Metadata& extra) {
  nn::Metadata m = encoder_metadata(kKind, config(), vocab_);
  m["labels"] = nlohmann::json(labels_).dump();
  m["pool"] = pool_name(pool_);
  for (const auto& [k, v] : extra) m[k] = v;
  nn::save_checkpoint(path, {.model = this}, m);
}

nn::ParameterShapes NeuralClassifier::parameter_shapes(const EncoderConfig& config, index_t words, index_t chars,
                                                      index_t labels) {
  nn::ParameterShapes shapes;
  SentenceEncoder::add_parameter_shapes(shapes, "encoder.", config, words, chars);
  nn::add_linear_shapes(shapes, "output.", config.output_size(), labels);
  return shapes;
}

std::unique_ptr<NeuralClassifier> NeuralClassifier::load(const std::string& path, nn::Metadata* metadata) {
  const nn::safetensors::File file = nn::safetensors::File::read(path);
  const nn::Metadata m = nn::read_checkpoint_metadata(file);
  auto [config, vocab] = read_encoder_metadata(m, kKind, path);
  std::vector<std::string> labels;
  try {
    labels = nlohmann::json::parse(required_metadata(m, "labels", path, kKind)).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path + ": bad labels (" + e.what() + ")");
  }
  Pool pool;
  try {
    pool = parse_pool(required_metadata(m, "pool", path, kKind));
  } catch (const UsageError& e) {
    throw FormatError(path + ": " + e.what());
  }
  const nn::ParameterShapes shapes =
      parameter_shapes(config, static_cast<index_t>(vocab.words.size()), static_cast<index_t>(vocab.chars.size()),
                       static_cast<index_t>(labels.size()));
  check_checkpoint_model(file, shapes, "classifier configuration (" + config.describe() + ")");  // before building
  Rng rng(0);
  auto model = std::make_unique<NeuralClassifier>(config, pool, std::move(vocab), std::move(labels), rng);
  nn::load_checkpoint(file, {.model = model.get()});
  model->eval();
  if (metadata) *metadata = m;
  return model;
}

}  // namespace tapegrad::lm
