// SentenceEncoder and its vocabularies (see sentence_encoder.hpp).
#include "lm/sequence/sentence_encoder.hpp"

#include <unordered_map>

#include "autograd/functions.hpp"
#include "lm/sequence/characters.hpp"
#include "lm/sequence/task_trainer.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

std::string lowercase_ascii(std::string_view word) {
  std::string s(word);
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

namespace {

std::string word_key(const std::string& word, const EncoderConfig& config) {
  return config.lowercase_words ? lowercase_ascii(word) : word;
}

// (symbol, count) in first-seen order.
class Counter {
 public:
  void add(const std::string& s) {
    auto [it, inserted] = index_.emplace(s, counts_.size());
    if (inserted) counts_.emplace_back(s, 0);
    ++counts_[it->second].second;
  }
  const std::vector<std::pair<std::string, std::uint64_t>>& counts() const { return counts_; }

 private:
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::pair<std::string, std::uint64_t>> counts_;
};

}  // namespace

EncoderVocab EncoderVocab::build(std::span<const std::vector<std::string>> sentences, const EncoderConfig& config,
                                 std::uint64_t min_count) {
  Counter words, chars;
  for (const auto& sentence : sentences)
    for (const std::string& w : sentence) {
      words.add(word_key(w, config));
      if (config.char_dim > 0)
        for (const std::string& ch : utf8_characters(w)) chars.add(ch);
    }
  EncoderVocab v{SymbolTable::from_counts(words.counts(), min_count, true),
                 SymbolTable::from_counts(chars.counts(), 1, true),
                 {}};
  v.word_counts.assign(v.words.size(), 0);
  for (const auto& [w, count] : words.counts())
    if (const std::int32_t id = v.words.id(w); id != SymbolTable::kUnk) v.word_counts[static_cast<std::size_t>(id)] = count;
  return v;
}

EncodedSentences EncoderVocab::encode(std::span<const std::vector<std::string>> sentences,
                                      const EncoderConfig& config) const {
  EncodedSentences out;
  std::unordered_map<std::string, std::int32_t> spelling_ids;
  for (const auto& sentence : sentences) {
    std::vector<std::int32_t> ids, spellings;
    for (const std::string& w : sentence) {
      ids.push_back(words.id(word_key(w, config)));
      auto [it, inserted] = spelling_ids.emplace(w, static_cast<std::int32_t>(out.characters.size()));
      if (inserted) {
        std::vector<std::int32_t> cs;
        for (const std::string& ch : utf8_characters(w)) cs.push_back(chars.id(ch));
        if (cs.empty()) cs.push_back(SymbolTable::kUnk);  // an empty token (never from white-space splitting)
        out.characters.push_back(std::move(cs));
      }
      spellings.push_back(it->second);
    }
    out.words.push_back(std::move(ids));
    out.spellings.push_back(std::move(spellings));
  }
  return out;
}

std::vector<float> EncoderVocab::word_dropout_probabilities(float alpha) const {
  if (alpha <= 0.0f) return {};
  std::vector<float> p(word_counts.size(), 0.0f);
  for (std::size_t id = 2; id < p.size(); ++id) p[id] = alpha / (alpha + static_cast<float>(word_counts[id]));
  return p;
}

void for_each_eval_batch(nn::Module& model, const EncodedSentences& data, std::size_t batch_size, PaddedBatch& batch,
                         const std::function<void(const PaddedBatch&, ag::Tape&, Rng&)>& f) {
  struct RestoreMode {
    nn::Module& m;
    bool training;
    ~RestoreMode() { m.train(training); }
  } restore{model, model.is_training()};
  model.eval();
  std::vector<std::size_t> lengths(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) lengths[i] = data.words[i].size();
  ag::Tape tape;
  ag::NoGradGuard no_grad(tape);
  Rng rng(0);  // unused in evaluation mode (no dropout), but the encoder takes one
  for_each_bucket(lengths, batch_size, [&](std::span<const std::size_t> items) {
    tape.clear();
    pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(data.words[i]); }, SymbolTable::kPad,
              batch);
    f(batch, tape, rng);
  });
}

SentenceEncoder::SentenceEncoder(const EncoderConfig& config, index_t word_vocab, index_t char_vocab, Rng& rng)
    : config_(config), dropout_(config.dropout) {
  config.validate();
  words_ = &add_module("words", std::make_unique<nn::Embedding>(word_vocab, config.word_dim, rng));
  if (config.char_dim > 0)
    chars_ = &add_module("chars", std::make_unique<CharWordEncoder>(char_vocab, config.char_dim, config.char_hidden,
                                                                    nn::CellType::LSTM, rng));
  rnn_ = &add_module("rnn", std::make_unique<nn::Recurrent>(config.token_size(), config.hidden, rng,
                                                            config.recurrent_options()));
  register_module("dropout", dropout_);
}

void SentenceEncoder::add_parameter_shapes(nn::ParameterShapes& shapes, const std::string& prefix,
                                           const EncoderConfig& config, index_t word_vocab, index_t char_vocab) {
  nn::add_embedding_shapes(shapes, prefix + "words.", word_vocab, config.word_dim);
  if (config.char_dim > 0)
    CharWordEncoder::add_parameter_shapes(shapes, prefix + "chars.", char_vocab, config.char_dim, config.char_hidden,
                                          nn::CellType::LSTM);
  nn::add_recurrent_shapes(shapes, prefix + "rnn.", config.token_size(), config.hidden, config.recurrent_options());
}

ag::Var SentenceEncoder::forward(ag::Tape& tape, const PaddedBatch& batch, const EncodedSentences& data, Rng& rng,
                                 std::span<const float> unk_probability) {
  ids_ = batch.ids;
  if (is_training() && !unk_probability.empty())
    for (std::int32_t& id : ids_)
      if (id > SymbolTable::kUnk && rng.uniform() < unk_probability[static_cast<std::size_t>(id)])
        id = SymbolTable::kUnk;
  ag::Var x;
  {
    ag::ScopeGuard scope(tape, "tokens");
    x = words_->forward(tape, ids_);  // (T·B × word_dim)
    if (chars_) {
      // Each distinct spelling of the batch once through the character encoder, then one row per step.
      local_of_spelling_.assign(data.characters.size(), -1);
      batch_spellings_.clear();
      spelling_rows_.assign(static_cast<std::size_t>(batch.rows()), 0);
      for (index_t b = 0; b < batch.size; ++b) {
        const auto& spellings = data.spellings[batch.items[static_cast<std::size_t>(b)]];
        for (index_t t = 0; t < static_cast<index_t>(spellings.size()); ++t) {
          const auto s = static_cast<std::size_t>(spellings[static_cast<std::size_t>(t)]);
          if (local_of_spelling_[s] < 0) {
            local_of_spelling_[s] = static_cast<std::int32_t>(batch_spellings_.size());
            batch_spellings_.push_back(data.characters[s]);
          }
          spelling_rows_[static_cast<std::size_t>(t * batch.size + b)] = local_of_spelling_[s];
        }
      }
      const ag::Var per_spelling = chars_->forward(tape, batch_spellings_, rng);  // (spellings × 2·char_hidden)
      x = ag::concat({x, ag::embedding(per_spelling, spelling_rows_)});
    }
    x = ag::reshape(x, Shape{batch.steps, batch.size, config_.token_size()});
    if (is_training() && config_.dropout > 0.0f) x = dropout_.forward(x, rng);
  }
  rnn_inputs_ = x;
  const nn::SequenceOutput& seq = rnn_->forward(x, {}, rng, batch.lengths);
  sequence_ = &seq;
  ag::Var y = seq.outputs;
  if (is_training() && config_.dropout > 0.0f) {
    ag::ScopeGuard scope(tape, "output_dropout");
    y = dropout_.forward(y, rng);
  }
  return y;
}

}  // namespace tapegrad::lm
