// The neural sentence classifier (many-to-one): a sentence encoder (lm/sequence/sentence_encoder.hpp), pooled over
// each sentence's own tokens (lm/sequence/pooling.hpp: last states, mean or max), dropout, and a linear layer to
// class scores.
//
//   y = encoder(sentence) (T × B × D);  v = pool(y) (B × D);  s = dropout(v) W + b (classes);
//   J = mean over sentences of −log softmax(s)[label]
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lm/sequence/pooling.hpp"
#include "lm/sequence/sentence_encoder.hpp"
#include "nn/checkpoint.hpp"
#include "nn/linear.hpp"

namespace tapegrad::lm {

class NeuralClassifier : public nn::Module {
 public:
  // labels: the class names (ids 0 … n−1).
  NeuralClassifier(const EncoderConfig& config, Pool pool, EncoderVocab vocab, std::vector<std::string> labels,
                   Rng& rng);

  // Mean cross-entropy over the sentences `items` of data; gold[item] is a class id.
  autograd::Var loss(autograd::Tape& tape, const EncodedSentences& data, std::span<const std::int32_t> gold,
                     std::span<const std::size_t> items, Rng& rng);
  // P(class | sentence) for every sentence (evaluation mode), sentences × classes, batched by length.
  std::vector<std::vector<float>> probabilities(const EncodedSentences& data, std::size_t batch_size = 64);
  // The scores of one padded batch (for inspection: the encoder's runs stay readable through encoder().sequence()).
  autograd::Var scores(autograd::Tape& tape, const PaddedBatch& batch, const EncodedSentences& data, Rng& rng);

  const EncoderVocab& vocab() const { return vocab_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const EncoderConfig& config() const { return encoder_->config(); }
  Pool pool() const { return pool_; }
  SentenceEncoder& encoder() { return *encoder_; }

  static constexpr const char* kKind = "classifier";
  void save(const std::string& path, const nn::Metadata& extra = {});
  // Checks the file's tensors against the configuration it stores (parameter_shapes) before building the model.
  static std::unique_ptr<NeuralClassifier> load(const std::string& path, nn::Metadata* metadata = nullptr);
  // The classifier's parameters for this configuration and these table sizes, without building it.
  static nn::ParameterShapes parameter_shapes(const EncoderConfig& config, index_t words, index_t chars,
                                              index_t labels);

 private:
  EncoderVocab vocab_;
  std::vector<std::string> labels_;
  Pool pool_;
  SentenceEncoder* encoder_;
  nn::Dropout dropout_;
  nn::Linear* output_;
  std::vector<float> unk_probability_;
  PaddedBatch batch_;
  std::vector<std::int32_t> targets_;
};

}  // namespace tapegrad::lm
