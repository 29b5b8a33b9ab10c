// ConditionedLM: inputs, loss, perplexity, one generation step and checkpoints (see conditioned_lm.hpp).
#include "lm/conditioned/conditioned_lm.hpp"

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "autograd/functions.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/sequence/task_trainer.hpp"
#include "lm/text/error.hpp"
#include "nn/checkpoint.hpp"
#include "nn/parameter_shapes.hpp"
#include "nn/safetensors.hpp"
#include "ops/checked_size.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

std::vector<std::size_t> ConditionedSentences::lengths() const {
  std::vector<std::size_t> out(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) out[i] = tokens[i].size() - 1;
  return out;
}

std::size_t ConditionedSentences::predictions() const {
  std::size_t n = 0;
  for (const auto& t : tokens) n += t.size() - 1;
  return n;
}

ConditionedLM::ConditionedLM(const ConditionedConfig& config, Vocab vocab, std::vector<std::string> labels, Rng& rng)
    : config_(config), vocab_(std::move(vocab)), labels_(std::move(labels)), dropout_(config.dropout) {
  config_.validate();
  if (labels_.empty()) throw UsageError("ConditionedLM: no labels");
  std::unordered_set<std::string> seen;
  for (const std::string& l : labels_)
    if (!seen.insert(l).second) throw UsageError("ConditionedLM: the label '" + l + "' is given twice");
  const auto V = static_cast<index_t>(vocab_.size());
  const auto L = static_cast<index_t>(labels_.size());
  words_ = &add_module("words", std::make_unique<nn::Embedding>(V, config_.word_dim, rng));
  label_embedding_ = &add_module("label", std::make_unique<nn::Embedding>(L, config_.label_dim, rng));
  if (config_.label_state)
    label_state_ =
        &add_module("label_state", std::make_unique<nn::Embedding>(L, config_.layers * config_.hidden, rng));
  rnn_ = &add_module("rnn", std::make_unique<nn::Recurrent>(config_.input_size(), config_.hidden, rng,
                                                            config_.recurrent_options()));
  output_ = &add_module("output", std::make_unique<nn::Linear>(config_.hidden, V, rng));
  register_module("dropout", dropout_);
  pack_parameters();
}

std::string ConditionedLM::label_list() const {
  std::string s;
  for (const std::string& l : labels_) s += (s.empty() ? "" : ", ") + l;
  return s;
}

std::int32_t ConditionedLM::label_id(std::string_view name) const {
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (labels_[i] == name) return static_cast<std::int32_t>(i);
  throw UsageError("unknown label '" + std::string(name) + "' (the labels are: " + label_list() + ")");
}

std::vector<std::int32_t> ConditionedLM::encode_words(std::span<const std::string> words, std::size_t* unknown) const {
  std::vector<std::int32_t> ids;
  std::size_t unk = 0;
  for (const std::string& w : words) {
    const auto id = vocab_.find(w);
    unk += !id;
    ids.push_back(static_cast<std::int32_t>(id.value_or(Vocab::kUnk)));
  }
  if (unknown) *unknown = unk;
  return ids;
}

std::string ConditionedLM::decode(std::span<const std::int32_t> ids) const {
  std::string s;
  for (std::int32_t id : ids) {
    if (id == static_cast<std::int32_t>(Vocab::kEos)) break;
    s += (s.empty() ? "" : " ") + vocab_.token(static_cast<WordId>(id));
  }
  return s;
}

ConditionedSentences ConditionedLM::encode(const LabelledCorpus& corpus) const {
  std::vector<std::int32_t> label_of(corpus.label_names.size(), -1);  // corpus label → model label
  for (std::size_t c = 0; c < corpus.label_names.size(); ++c)
    for (std::size_t m = 0; m < labels_.size(); ++m)
      if (labels_[m] == corpus.label_names[c]) label_of[c] = static_cast<std::int32_t>(m);
  ConditionedSentences out;
  out.source = corpus.source;
  const auto eos = static_cast<std::int32_t>(Vocab::kEos);
  for (const LabelledSentence& s : corpus.sentences) {
    const std::int32_t label = label_of.at(static_cast<std::size_t>(s.label));
    if (label < 0)
      throw UsageError(where(corpus.source, s.line) + "the label '" +
                       corpus.label_names[static_cast<std::size_t>(s.label)] +
                       "' is not one of the model's (the labels are: " + label_list() + ")");
    std::size_t unknown = 0;
    std::vector<std::int32_t> t{eos};
    const std::vector<std::int32_t> words = encode_words(s.tokens, &unknown);
    t.insert(t.end(), words.begin(), words.end());
    t.push_back(eos);
    out.tokens.push_back(std::move(t));
    out.labels.push_back(label);
    out.oov += unknown;
  }
  return out;
}

ag::Var ConditionedLM::inputs(ag::Tape& tape, std::span<const std::int32_t> word_ids,
                              std::span<const std::int32_t> row_labels) {
  ag::ScopeGuard scope(tape, "inputs");
  // [E_w[w] ⊕ E_ℓ[ℓ]] row by row: (rows × word_dim) ⊕ (rows × label_dim)
  return ag::concat({words_->forward(tape, word_ids), label_embedding_->forward(tape, row_labels)});
}

void ConditionedLM::initial_states(ag::Tape& tape, std::span<const std::int32_t> batch_labels,
                                   std::vector<nn::CellState>& out) {
  out.clear();
  if (!label_state_) return;  // Recurrent starts from zeros
  ag::ScopeGuard scope(tape, "initial_state");
  const auto B = static_cast<index_t>(batch_labels.size());
  const index_t H = config_.hidden;
  // h_0 of layer l = tanh(S[ℓ])[:, l·H : (l+1)·H]   (B × H);  c_0 = 0
  const ag::Var s = ag::tanh(label_state_->forward(tape, batch_labels));  // B × layers·H
  for (index_t l = 0; l < config_.layers; ++l) {
    nn::CellState state;
    state.h = config_.layers == 1 ? s : ag::slice(s, l * H, H);
    if (config_.cell == nn::CellType::LSTM) state.c = tape.full(Shape{B, H}, 0.0f);
    out.push_back(state);
  }
}

ag::Var ConditionedLM::loss(ag::Tape& tape, const ConditionedSentences& data, std::span<const std::size_t> items,
                            Rng& rng) {
  pad_batch(items, [&](std::size_t i) { return data.inputs(i); }, static_cast<std::int32_t>(Vocab::kEos), batch_);
  const index_t T = batch_.steps, B = batch_.size;
  // Each row's label (T·B) and each sentence's (B); the targets in real_rows order (sentence by sentence).
  batch_labels_.clear();
  targets_.clear();
  for (std::size_t item : items) {
    batch_labels_.push_back(data.labels[item]);
    const auto t = data.targets(item);
    targets_.insert(targets_.end(), t.begin(), t.end());
  }
  row_labels_.resize(static_cast<std::size_t>(T * B));
  for (index_t t = 0; t < T; ++t)
    for (index_t b = 0; b < B; ++b) row_labels_[static_cast<std::size_t>(t * B + b)] = batch_labels_[b];

  ag::Var x = ag::reshape(inputs(tape, batch_.ids, row_labels_), Shape{T, B, config_.input_size()});
  if (is_training() && config_.dropout > 0.0f) x = dropout_.forward(x, rng);
  initial_states(tape, batch_labels_, initial_);
  const nn::SequenceOutput& seq = rnn_->forward(x, initial_, rng, batch_.lengths);
  ag::ScopeGuard scope(tape, "output");
  // The real steps only: (Σ lengths × H), in real_rows order; then logits (Σ lengths × vocab).
  ag::Var y = ag::embedding(ag::reshape(seq.outputs, Shape{T * B, config_.hidden}), batch_.real_rows);
  if (is_training() && config_.dropout > 0.0f) y = dropout_.forward(y, rng);
  return ag::cross_entropy(output_->forward(y), targets_);
}

Perplexity ConditionedLM::perplexity(const ConditionedSentences& data, std::size_t batch_size) {
  const bool was_training = is_training();
  eval();
  ag::Tape tape;
  ag::NoGradGuard no_grad(tape);
  Rng unused(0);
  double total = 0;  // Σ −log p, nats
  index_t count = 0;
  const std::vector<std::size_t> lengths = data.lengths();
  for_each_bucket(lengths, batch_size, [&](std::span<const std::size_t> items) {
    tape.clear();
    index_t n = 0;
    for (std::size_t i : items) n += static_cast<index_t>(lengths[i]);
    total += static_cast<double>(loss(tape, data, items, unused).value()[0]) * static_cast<double>(n);
    count += n;
  });
  train(was_training);
  Perplexity p;
  p.tokens = count;
  p.loss = count > 0 ? total / static_cast<double>(count) : 0.0;
  return p;
}

ag::Var ConditionedLM::step(ag::Tape& tape, std::int32_t label, std::int32_t input,
                            std::vector<nn::CellStateValue>& state) {
  if (label < 0 || label >= static_cast<std::int32_t>(labels_.size()))
    throw UsageError("ConditionedLM::step: label id " + std::to_string(label) + " outside [0, " +
                     std::to_string(labels_.size()) + ")");
  const std::int32_t ids[1] = {input}, row_labels[1] = {label};
  const ag::Var x = ag::reshape(inputs(tape, ids, row_labels), Shape{1, 1, config_.input_size()});
  if (state.empty()) {
    initial_states(tape, row_labels, initial_);
  } else {
    initial_.clear();
    for (const nn::CellStateValue& v : state) initial_.push_back(nn::to_state(tape, v));
  }
  Rng unused(0);
  const nn::SequenceOutput& seq = rnn_->forward(x, initial_, unused);
  state.clear();
  for (const nn::CellState& s : seq.final_states) state.push_back(nn::to_value(s));
  return ag::log_softmax(output_->forward(ag::reshape(seq.outputs, Shape{1, config_.hidden})));
}

nn::Metadata ConditionedLM::metadata() const {
  return {{"task", kTask},
          {"conditioned_config", config_.to_json()},
          {"vocab", vocab_.to_text()},
          {"labels", nlohmann::json(labels_).dump()}};
}

void ConditionedLM::save(const std::string& path, const nn::Metadata& extra) {
  nn::Metadata m = metadata();
  for (const auto& [k, v] : extra) m[k] = v;
  nn::save_checkpoint(path, {.model = this}, m);
}

bool ConditionedLM::is_conditioned(const nn::Metadata& metadata) {
  const auto it = metadata.find("task");
  return it != metadata.end() && it->second == kTask;
}

nn::ParameterShapes ConditionedLM::parameter_shapes(const ConditionedConfig& config, index_t vocab, index_t labels) {
  nn::ParameterShapes shapes;
  nn::add_embedding_shapes(shapes, "words.", vocab, config.word_dim);
  nn::add_embedding_shapes(shapes, "label.", labels, config.label_dim);
  if (config.label_state)
    nn::add_embedding_shapes(shapes, "label_state.", labels,
                             checked_mul(config.layers, config.hidden, "the label's initial states"));
  nn::add_recurrent_shapes(shapes, "rnn.", config.input_size(), config.hidden, config.recurrent_options());
  nn::add_linear_shapes(shapes, "output.", config.hidden, vocab);
  return shapes;
}

std::unique_ptr<ConditionedLM> ConditionedLM::load(const std::string& path, nn::Metadata* metadata) {
  const nn::safetensors::File file = nn::safetensors::File::read(path);
  const nn::Metadata m = nn::read_checkpoint_metadata(file);
  const char* what = "conditioned-LM";
  const std::string& task = required_metadata(m, "task", path, what);
  if (task != kTask) throw FormatError(path + ": a " + task + " checkpoint, not a " + kTask);
  const ConditionedConfig config =
      ConditionedConfig::from_json(required_metadata(m, "conditioned_config", path, what), path);
  Vocab vocab = Vocab::parse(required_metadata(m, "vocab", path, what), path + " (vocabulary)");
  std::vector<std::string> labels;
  try {
    labels = nlohmann::json::parse(required_metadata(m, "labels", path, what)).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path + ": bad labels (" + e.what() + ")");
  }
  if (labels.empty()) throw FormatError(path + ": the checkpoint names no labels");
  const nn::ParameterShapes shapes =
      parameter_shapes(config, static_cast<index_t>(vocab.size()), static_cast<index_t>(labels.size()));
  check_checkpoint_model(file, shapes, "conditioned-LM configuration (" + config.describe() + ")");  // before building
  Rng rng(0);
  std::unique_ptr<ConditionedLM> model;
  try {
    model = std::make_unique<ConditionedLM>(config, std::move(vocab), std::move(labels), rng);
  } catch (const UsageError& e) {
    throw FormatError(path + ": " + e.what());
  }
  nn::load_checkpoint(file, {.model = model.get()});
  model->eval();
  if (metadata) *metadata = m;
  return model;
}

}  // namespace tapegrad::lm
