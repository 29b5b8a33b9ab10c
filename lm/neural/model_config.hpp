// ModelConfig: the one description of a neural language model — which model (the fixed-window LM, or the recurrent
// LM with RNN, LSTM or GRU cells), its sizes and its options. The same object travels from `tapegrad train` (or a
// checkpoint's metadata) through LanguageModel into RNNLM or WindowLM, which each read the fields that concern them;
// nothing is copied field by field on the way. A checkpoint stores it as JSON, so that evaluation and generation
// rebuild the model from the file alone.
//
//   field             read by            meaning
//   kind              all                window | rnn | lstm | gru
//   vocab             all                tokens, including <unk> and </s>
//   emsize, nhid      all                embedding size; hidden units (per layer, or of the window LM's tanh layer)
//   dropout           all                recurrent: on embeddings, between layers, before the decoder; window: hidden
//   init_range        all                parameters from U(±a); window: 0 = PyTorch's defaults
//   nlayers, tied     recurrent          stacked layers; decoder weight = embedding table (needs emsize == nhid)
//   form              recurrent          fused (one tape node per step) or composed (every gate a node)
//   gru_reset_after   GRU                reset gate after the recurrent product (cuDNN / PyTorch)
//   forget_bias       LSTM               initial forget-gate bias (nn::CellOptions::forget_bias)
//   context, direct   window             n − 1 words of history; direct connections embeddings → output
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nn/cell.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/recurrent.hpp"

namespace tapegrad::lm {

enum class ModelKind { Window, RNN, LSTM, GRU };
ModelKind parse_model_kind(const std::string& name);  // window | rnn | lstm | gru; throws UsageError otherwise
const char* model_kind_name(ModelKind kind);

// Upper bounds on the sizes of a model, checked by ModelConfig::validate for flags and checkpoints alike. No real
// model comes near them (the largest in docs/results.md: 2×1500, vocab 33k), and they keep every product of sizes
// the model computes far from overflow: vocab·emsize ≤ 2⁴⁰, context·emsize·nhid ≤ 2⁴².
inline constexpr index_t kMaxModelVocab = index_t{1} << 24;  // 16,777,216 tokens
inline constexpr index_t kMaxModelWidth = index_t{1} << 16;  // emsize, nhid: 65,536
inline constexpr index_t kMaxModelLayers = 64;               // nlayers
inline constexpr index_t kMaxModelContext = 1024;            // context (window model)

struct ModelConfig {
  ModelKind kind = ModelKind::LSTM;
  index_t vocab = 0;
  index_t emsize = 200;
  index_t nhid = 200;
  index_t nlayers = 2;
  float dropout = 0.0f;
  bool tied = false;
  index_t context = 5;
  bool direct = false;
  nn::CellForm form = nn::CellForm::Fused;
  bool gru_reset_after = false;
  float init_range = 0.1f;
  float forget_bias = 0.0f;

  bool recurrent() const { return kind != ModelKind::Window; }
  nn::CellType cell_type() const;  // recurrent models only (UsageError for the window model)
  // The options of the model's Recurrent stack (recurrent models only): what RNNLM builds and parameter_shapes counts.
  nn::RecurrentOptions recurrent_options() const;
  // "lstm 2×200, emb 200, vocab 10000, dropout 0.50, tied" or "window 5→1, emb 60, hidden 100, vocab 16383"
  std::string describe() const;
  // Throws UsageError naming the first fact that does not hold: sizes positive and within the limits above (the
  // message names the field, the value and the limit), dropout in [0, 1), init_range ≥ 0, tied weights with
  // emsize == nhid, a forget-gate bias for the LSTM only — and SizeError (ops/checked_size.hpp) when training the
  // model would need more memory than the machine has (see check_memory).
  void validate() const;

  // The parameters the model has, by name and shape — what a checkpoint of this
  // configuration must hold — computed without building the model (nothing allocated). Call after validate().
  nn::ParameterShapes parameter_shapes() const;
  index_t parameter_count() const;  // the sum of their element counts
  // SizeError when training (values, gradients and two Adam moments: 4 floats per parameter) would need more than
  // the machine's physical memory (nn::check_training_memory; no check when the system does not say).
  void check_memory() const;

  std::string to_json() const;
  // Throws FormatError naming `source` for malformed JSON, missing keys or a configuration validate() refuses. Keys
  // added after the first checkpoints were written (forget_bias) default to the value those checkpoints were
  // trained with.
  static ModelConfig from_json(const std::string& text, const std::string& source);
};

}  // namespace tapegrad::lm
