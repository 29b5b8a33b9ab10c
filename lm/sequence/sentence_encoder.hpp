// SentenceEncoder: sentences of words → one vector per token that has seen the whole sentence — the shared body of
// the tagger (many-to-many: a label per token) and the classifier (many-to-one: pooled to one vector per sentence).
//
//   token t:  x_t = [E_word[w_t] ⊕ charBiLSTM(w_t)]            (token_size; the characters only when configured)
//   RNN:      h→_t = cell(dropout(x_t), h→_{t−1}),  h←_t = cell(dropout(x_t), h←_{t+1})   (each layer)
//   output:   y_t = dropout([h→_t ⊕ h←_t])                       (T × B × output_size)
//
// A batch is padded (lm/sequence/padded_batch.hpp): the RNN keeps every padded step inert, so y_t of a real step
// equals what the sentence gets alone, and the backward direction starts at each sentence's own last token.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "lm/sequence/char_encoder.hpp"
#include "lm/sequence/encoder_config.hpp"
#include "lm/sequence/padded_batch.hpp"
#include "lm/sequence/symbol_table.hpp"
#include "nn/dropout.hpp"

namespace tapegrad::lm {

// Sentences as the encoder reads them: word ids, and the id of each token's spelling, whose characters are listed
// once per distinct spelling (a batch runs the character encoder once per distinct word).
struct EncodedSentences {
  std::vector<std::vector<std::int32_t>> words;       // per sentence: word-table ids
  std::vector<std::vector<std::int32_t>> spellings;   // per sentence: ids into `characters`
  std::vector<std::vector<std::int32_t>> characters;  // per distinct spelling: character-table ids (≥ 1)
  std::size_t size() const { return words.size(); }
};

// The vocabularies an encoder embeds, built from training sentences: words (lower-cased when the config says so)
// seen at least min_count times, every character seen; and each word id's training count (for word dropout).
struct EncoderVocab {
  SymbolTable words;
  SymbolTable chars;
  std::vector<std::uint64_t> word_counts;  // by word id (0 for <pad>, <unk>)

  static EncoderVocab build(std::span<const std::vector<std::string>> sentences, const EncoderConfig& config,
                            std::uint64_t min_count = 1);
  EncodedSentences encode(std::span<const std::vector<std::string>> sentences, const EncoderConfig& config) const;
  // α / (α + count) per word id (the probability that word dropout replaces it by <unk>), empty when α = 0.
  std::vector<float> word_dropout_probabilities(float alpha) const;
};

std::string lowercase_ascii(std::string_view word);  // A–Z → a–z, every other byte kept

// Runs f(batch, tape, rng) over every sentence of `data` in length-bucketed padded batches (batch.items says which),
// with `model` in evaluation mode and no gradient recorded — what prediction does. The tape is cleared before each
// batch; the model's mode is restored afterwards (also when f throws).
void for_each_eval_batch(nn::Module& model, const EncodedSentences& data, std::size_t batch_size, PaddedBatch& batch,
                         const std::function<void(const PaddedBatch&, autograd::Tape&, Rng&)>& f);

class SentenceEncoder : public nn::Module {
 public:
  SentenceEncoder(const EncoderConfig& config, index_t word_vocab, index_t char_vocab, Rng& rng);
  // The parameters such an encoder has, named under `prefix`, without building it (nn/parameter_shapes.hpp).
  static void add_parameter_shapes(nn::ParameterShapes& shapes, const std::string& prefix,
                                   const EncoderConfig& config, index_t word_vocab, index_t char_vocab);

  // The sentences batch.items of `data`, padded as `batch` says → y (T × B × output_size). In training mode, words
  // become <unk> with the probabilities given (by word id; empty: none) and dropout is active. The result's
  // recurrent runs stay readable through sequence() until the next call.
  autograd::Var forward(autograd::Tape& tape, const PaddedBatch& batch, const EncodedSentences& data, Rng& rng,
                        std::span<const float> unk_probability = {});
  const nn::SequenceOutput& sequence() const { return *sequence_; }
  // The token vectors the RNN read in the last call, x_t (T × B × token_size, after dropout in training mode): with
  // sequence() what an inspection needs to recompute the first layer's gates (lm/classify/inspect.hpp).
  autograd::Var rnn_inputs() const { return rnn_inputs_; }
  const EncoderConfig& config() const { return config_; }
  nn::Recurrent& rnn() { return *rnn_; }
  nn::Embedding& words() { return *words_; }

 private:
  EncoderConfig config_;
  nn::Embedding* words_;
  CharWordEncoder* chars_ = nullptr;
  nn::Recurrent* rnn_;
  nn::Dropout dropout_;
  const nn::SequenceOutput* sequence_ = nullptr;
  autograd::Var rnn_inputs_;
  // scratch, kept for its capacity
  std::vector<std::int32_t> ids_;
  std::vector<std::int32_t> spelling_rows_;
  std::vector<std::int32_t> local_of_spelling_;
  std::vector<std::vector<std::int32_t>> batch_spellings_;
};

}  // namespace tapegrad::lm
