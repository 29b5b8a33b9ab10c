// ConditionedLM: a language model conditioned on a class label — one-to-many: a label in, a sentence out. Trained
// on labelled sentences (MR movie-review snippets, label negative / positive), it writes sentences of a given label.
//
//   ℓ: the label; w_0 = </s>, w_1 … w_n the words, w_{n+1} = </s>
//   x_t = [E_w[w_{t−1}] ⊕ E_ℓ[ℓ]]                      (word_dim + label_dim), dropout       t = 1 … n+1
//   h_0 = tanh(S[ℓ]_l) per layer l  (label_state; else 0),  c_0 = 0 (LSTM)
//   h_t = cell(x_t, h_{t−1})                           (hidden), stacked layers, dropout between them
//   p(w_t | w_<t, ℓ) = softmax(dropout(h_t)·U + b)     (vocab: training words of count ≥ min_count, <unk>, </s>)
//   J = mean over every real step of a batch of −log p(w_t | w_<t, ℓ)
//
// A batch holds sentences of different lengths, padded (lm/sequence/padded_batch.hpp): inputs are T × B, time-major
// (row t·B + b = step t of sentence b), nn::Recurrent keeps padded steps inert, and only the real rows of the
// outputs are gathered (batch.real_rows) before the output layer, so padding costs no softmax and no loss.
//
// Checkpoints are safetensors files; the metadata hold "task" = "conditioned_lm", the configuration, the vocabulary
// and the label names, so the model rebuilds from its file alone.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lm/classify/labelled_corpus.hpp"
#include "lm/conditioned/conditioned_config.hpp"
#include "lm/neural/evaluate.hpp"
#include "lm/sequence/padded_batch.hpp"
#include "lm/text/vocab.hpp"
#include "nn/checkpoint.hpp"
#include "nn/dropout.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

// Labelled sentences as the model reads them: tokens[i] = </s> w_1 … w_n </s> (vocabulary ids), so the inputs of
// sentence i are tokens[i][0 … n] and its targets tokens[i][1 … n+1].
struct ConditionedSentences {
  std::string source;
  std::vector<std::vector<std::int32_t>> tokens;
  std::vector<std::int32_t> labels;  // the model's label ids
  std::uint64_t oov = 0;             // words not in the vocabulary (read as <unk>)

  std::size_t size() const { return tokens.size(); }
  std::span<const std::int32_t> inputs(std::size_t i) const { return {tokens[i].data(), tokens[i].size() - 1}; }
  std::span<const std::int32_t> targets(std::size_t i) const { return {tokens[i].data() + 1, tokens[i].size() - 1}; }
  std::vector<std::size_t> lengths() const;  // n + 1 per sentence: the steps (and predictions) of each
  std::size_t predictions() const;           // Σ (n + 1)
};

class ConditionedLM : public nn::Module {
 public:
  static constexpr const char* kTask = "conditioned_lm";  // the checkpoint's "task" metadata

  // labels: the label names in id order (at least one, distinct).
  ConditionedLM(const ConditionedConfig& config, Vocab vocab, std::vector<std::string> labels, Rng& rng);

  const ConditionedConfig& config() const { return config_; }
  const Vocab& vocab() const { return vocab_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // The id of a label name; UsageError "unknown label 'x' (the labels are: negative, positive)".
  std::int32_t label_id(std::string_view name) const;
  std::string label_list() const;  // "negative, positive"

  // The corpus's sentences with the model's vocabulary and label ids. A label of the corpus that the model does not
  // know is a UsageError naming the corpus and the label.
  ConditionedSentences encode(const LabelledCorpus& corpus) const;
  // Words → ids (unknown words → <unk>; `unknown` counts them) and ids → words joined by spaces (</s> ends).
  std::vector<std::int32_t> encode_words(std::span<const std::string> words, std::size_t* unknown = nullptr) const;
  std::string decode(std::span<const std::int32_t> ids) const;

  // The mean cross-entropy over every real step of the sentences `items` of data (one padded batch).
  autograd::Var loss(autograd::Tape& tape, const ConditionedSentences& data, std::span<const std::size_t> items,
                     Rng& rng);
  // Perplexity of data (evaluation mode, no gradient, length-bucketed batches): exp of the mean −log p over all
  // Σ (n + 1) predictions.
  Perplexity perplexity(const ConditionedSentences& data, std::size_t batch_size = 64);

  // One step of generation with batch 1 on `tape` (record under a NoGradGuard, evaluation mode): reads `input`
  // after `state` (empty: the label's initial state), replaces `state` with the new one, returns the log-probabilities
  // of the next word (1 × vocab).
  autograd::Var step(autograd::Tape& tape, std::int32_t label, std::int32_t input,
                     std::vector<nn::CellStateValue>& state);

  // Checkpoints: the parameters, and in the metadata everything needed to rebuild the model (plus `extra`).
  nn::Metadata metadata() const;
  void save(const std::string& path, const nn::Metadata& extra = {});
  // FormatError / CheckpointError naming the file when it is not a conditioned-LM checkpoint. `metadata`
  // (optional) receives all of the file's metadata.
  // The file's tensors are checked against the configuration it stores (parameter_shapes) before the model is built.
  static std::unique_ptr<ConditionedLM> load(const std::string& path, nn::Metadata* metadata = nullptr);
  // The model's parameters for this configuration, vocabulary size and label count, without building it.
  static nn::ParameterShapes parameter_shapes(const ConditionedConfig& config, index_t vocab, index_t labels);
  // Whether checkpoint metadata belong to a conditioned LM.
  static bool is_conditioned(const nn::Metadata& metadata);

 private:
  // x (T·B × (word_dim + label_dim)) for word ids (T·B) and each row's label id (T·B).
  autograd::Var inputs(autograd::Tape& tape, std::span<const std::int32_t> word_ids,
                       std::span<const std::int32_t> row_labels);
  // The initial state of every layer for a batch of these labels: empty (zeros) unless label_state.
  void initial_states(autograd::Tape& tape, std::span<const std::int32_t> batch_labels,
                      std::vector<nn::CellState>& out);

  ConditionedConfig config_;
  Vocab vocab_;
  std::vector<std::string> labels_;
  nn::Embedding* words_;
  nn::Embedding* label_embedding_;
  nn::Embedding* label_state_ = nullptr;  // S: labels × (layers·hidden), when config_.label_state
  nn::Recurrent* rnn_;
  nn::Linear* output_;
  nn::Dropout dropout_;
  // scratch, reused between batches
  PaddedBatch batch_;
  std::vector<std::int32_t> row_labels_, batch_labels_, targets_;
  std::vector<nn::CellState> initial_;
};

}  // namespace tapegrad::lm
