// NeuralTagger: encoder + per-token linear layer, its loss, prediction and checkpoints (see neural_tagger.hpp).
#include "lm/tagging/neural_tagger.hpp"

#include <algorithm>

#include "autograd/functions.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/sequence/encoder_checkpoint.hpp"
#include "lm/sequence/task_trainer.hpp"
#include "lm/text/error.hpp"
#include "nn/checkpoint.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/safetensors.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

namespace {

std::span<const std::int32_t> words_of(const EncodedSentences& data, std::size_t i) { return data.words[i]; }

// Rows of y (T × B × D) at the batch's real steps → (N × D), in real_rows order.
ag::Var real_steps(ag::Var y, const PaddedBatch& batch) {
  const index_t D = y.shape()[2];
  return ag::embedding(ag::reshape(y, Shape{batch.rows(), D}), batch.real_rows);
}

}  // namespace

NeuralTagger::NeuralTagger(const EncoderConfig& config, EncoderVocab vocab, SymbolTable tags, Rng& rng)
    : vocab_(std::move(vocab)), tags_(std::move(tags)), unk_probability_(vocab_.word_dropout_probabilities(config.word_dropout)) {
  encoder_ = &add_module("encoder", std::make_unique<SentenceEncoder>(config, static_cast<index_t>(vocab_.words.size()),
                                                                     static_cast<index_t>(vocab_.chars.size()), rng));
  output_ = &add_module("output", std::make_unique<nn::Linear>(config.output_size(),
                                                               static_cast<index_t>(tags_.size()), rng));
  pack_parameters();
}

ag::Var NeuralTagger::loss(ag::Tape& tape, const EncodedSentences& data,
                           const std::vector<std::vector<std::int32_t>>& gold, std::span<const std::size_t> items,
                           Rng& rng) {
  pad_batch(items, [&](std::size_t i) { return words_of(data, i); }, SymbolTable::kPad, batch_);
  targets_.clear();
  for (std::size_t item : items) targets_.insert(targets_.end(), gold[item].begin(), gold[item].end());
  const ag::Var y = encoder_->forward(tape, batch_, data, rng, unk_probability_);
  ag::ScopeGuard scope(tape, "output");
  return ag::cross_entropy(output_->forward(real_steps(y, batch_)), targets_);
}

std::vector<std::vector<std::int32_t>> NeuralTagger::predict(const EncodedSentences& data, std::size_t batch_size) {
  std::vector<std::vector<std::int32_t>> out(data.size());
  for_each_eval_batch(*this, data, batch_size, batch_, [&](const PaddedBatch& batch, ag::Tape& tape, Rng& rng) {
    const Tensor s = output_->forward(real_steps(encoder_->forward(tape, batch, data, rng), batch)).to_tensor();
    const index_t n_tags = s.shape()[1];
    const float* row = s.data();  // real_rows order: sentence by sentence, in time order
    for (std::size_t item : batch.items) {
      auto& tags = out[item];
      tags.resize(data.words[item].size());
      for (auto& tag : tags) {
        tag = static_cast<std::int32_t>(std::max_element(row, row + n_tags) - row);  // the first best on a tie
        row += n_tags;
      }
    }
  });
  return out;
}

nn::Metadata NeuralTagger::metadata() const {
  nn::Metadata m = encoder_metadata(kKind, config(), vocab_);
  m["tags"] = tags_.to_json();
  return m;
}

void NeuralTagger::save(const std::string& path, const nn::Metadata& extra) {
  nn::Metadata m = metadata();
  for (const auto& [k, v] : extra) m[k] = v;
  nn::save_checkpoint(path, {.model = this}, m);
}

nn::ParameterShapes NeuralTagger::parameter_shapes(const EncoderConfig& config, index_t words, index_t chars,
                                                  index_t tags) {
  nn::ParameterShapes shapes;
  SentenceEncoder::add_parameter_shapes(shapes, "encoder.", config, words, chars);
  nn::add_linear_shapes(shapes, "output.", config.output_size(), tags);
  return shapes;
}

std::unique_ptr<NeuralTagger> NeuralTagger::load(const std::string& path, nn::Metadata* metadata) {
  const nn::safetensors::File file = nn::safetensors::File::read(path);
  const nn::Metadata m = nn::read_checkpoint_metadata(file);
  auto [config, vocab] = read_encoder_metadata(m, kKind, path);
  SymbolTable tags = SymbolTable::from_json(required_metadata(m, "tags", path, "tagger"), false, path);
  const nn::ParameterShapes shapes =
      parameter_shapes(config, static_cast<index_t>(vocab.words.size()), static_cast<index_t>(vocab.chars.size()),
                       static_cast<index_t>(tags.size()));
  check_checkpoint_model(file, shapes, "tagger configuration (" + config.describe() + ")");  // before building
  Rng rng(0);
  auto tagger = std::make_unique<NeuralTagger>(config, std::move(vocab), std::move(tags), rng);
  nn::load_checkpoint(file, {.model = tagger.get()});
  tagger->eval();
  if (metadata) *metadata = m;
  return tagger;
}

}  // namespace tapegrad::lm
