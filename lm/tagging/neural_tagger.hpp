// The neural tagger (many-to-many): a sentence encoder (lm/sequence/sentence_encoder.hpp: word embeddings, optional
// character BiLSTM per word, bidirectional RNN) and a linear layer to tag scores for every real token.
//
//   y = encoder(sentence)  (T × B × D);   s_t = y_t W + b  (n_tags);   J = mean over real tokens of −log softmax(s_t)[tag_t]
//
// Only the real tokens are scored: their rows of y are gathered (padded_batch.real_rows) before the output layer, so
// padding costs no output work, contributes no loss and receives no gradient.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lm/sequence/sentence_encoder.hpp"
#include "nn/checkpoint.hpp"
#include "nn/linear.hpp"

namespace tapegrad::lm {

class NeuralTagger : public nn::Module {
 public:
  // tags: the output table (no reserved ids), built from the training tags.
  NeuralTagger(const EncoderConfig& config, EncoderVocab vocab, SymbolTable tags, Rng& rng);

  // Mean cross-entropy over the real tokens of the sentences `items` of data; gold[item][t] is a tag id (≥ 0).
  autograd::Var loss(autograd::Tape& tape, const EncodedSentences& data,
                     const std::vector<std::vector<std::int32_t>>& gold, std::span<const std::size_t> items, Rng& rng);
  // The best tag id of every token (evaluation mode, no gradient), batched by length.
  std::vector<std::vector<std::int32_t>> predict(const EncodedSentences& data, std::size_t batch_size = 64);

  const EncoderVocab& vocab() const { return vocab_; }
  const SymbolTable& tags() const { return tags_; }
  const EncoderConfig& config() const { return encoder_->config(); }
  SentenceEncoder& encoder() { return *encoder_; }

  // Checkpoints: the parameters and, in the metadata, everything needed to rebuild the tagger (plus `extra`).
  static constexpr const char* kKind = "tagger";
  nn::Metadata metadata() const;
  void save(const std::string& path, const nn::Metadata& extra = {});
  // Checks the file's tensors against the configuration it stores (parameter_shapes) before building the tagger.
  static std::unique_ptr<NeuralTagger> load(const std::string& path, nn::Metadata* metadata = nullptr);
  // The tagger's parameters for this configuration and these table sizes, without building it.
  static nn::ParameterShapes parameter_shapes(const EncoderConfig& config, index_t words, index_t chars, index_t tags);

 private:
  EncoderVocab vocab_;
  SymbolTable tags_;
  SentenceEncoder* encoder_;
  nn::Linear* output_;
  std::vector<float> unk_probability_;   // word dropout, by word id
  PaddedBatch batch_;                    // scratch
  std::vector<std::int32_t> targets_;    // scratch
};

}  // namespace tapegrad::lm
