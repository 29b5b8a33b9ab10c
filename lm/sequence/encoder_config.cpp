// EncoderConfig: validation, JSON, description (see encoder_config.hpp).
#include "lm/sequence/encoder_config.hpp"

#include <nlohmann/json.hpp>

#include "lm/neural/model_config.hpp"  // the size limits, shared with the language models
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

nn::RecurrentOptions EncoderConfig::recurrent_options() const {
  nn::RecurrentOptions o;
  o.type = cell;
  o.layers = layers;
  o.bidirectional = bidirectional;
  o.dropout = dropout;
  o.cell.form = form;
  if (cell == nn::CellType::LSTM) o.cell.forget_bias = forget_bias;
  return o;
}

void EncoderConfig::validate() const {
  const auto positive = [](index_t v, const char* name) {
    if (v < 1) throw UsageError(std::string(name) + " must be at least 1, got " + std::to_string(v));
  };
  // Upper bounds (lm/neural/model_config.hpp) keep a configuration read from a checkpoint from asking for more
  // memory than exists, or for sizes whose products overflow.
  const auto at_most = [](index_t v, index_t limit, const char* name) {
    if (v > limit)
      throw UsageError(std::string(name) + " = " + std::to_string(v) + " is above the limit of " +
                       std::to_string(limit));
  };
  positive(layers, "the number of layers");
  at_most(layers, kMaxModelLayers, "the number of layers");
  at_most(hidden, kMaxModelWidth, "the hidden size");
  at_most(word_dim, kMaxModelWidth, "the word embedding size");
  at_most(char_dim, kMaxModelWidth, "the character embedding size");
  at_most(char_hidden, kMaxModelWidth, "the character hidden size");
  positive(hidden, "the hidden size");
  positive(word_dim, "the word embedding size");
  if (char_dim < 0) throw UsageError("the character embedding size must be ≥ 0 (0: no characters)");
  if (char_dim > 0) positive(char_hidden, "the character hidden size");
  if (!(dropout >= 0.0f && dropout < 1.0f))
    throw UsageError("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (!(word_dropout >= 0.0f)) throw UsageError("word dropout must be ≥ 0, got " + std::to_string(word_dropout));
}

std::string EncoderConfig::to_json() const {
  nlohmann::json j;
  j["cell"] = nn::cell_type_name(cell);
  j["form"] = nn::cell_form_name(form);
  j["layers"] = layers;
  j["hidden"] = hidden;
  j["bidirectional"] = bidirectional;
  j["word_dim"] = word_dim;
  j["lowercase_words"] = lowercase_words;
  j["char_dim"] = char_dim;
  j["char_hidden"] = char_hidden;
  j["dropout"] = dropout;
  j["word_dropout"] = word_dropout;
  j["forget_bias"] = forget_bias;
  return j.dump();
}

EncoderConfig EncoderConfig::from_json(const std::string& text, const std::string& source) {
  EncoderConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    c.cell = nn::parse_cell_type(j.at("cell").get<std::string>());
    c.form = nn::parse_cell_form(j.at("form").get<std::string>());
    c.layers = j.at("layers").get<index_t>();
    c.hidden = j.at("hidden").get<index_t>();
    c.bidirectional = j.at("bidirectional").get<bool>();
    c.word_dim = j.at("word_dim").get<index_t>();
    c.lowercase_words = j.at("lowercase_words").get<bool>();
    c.char_dim = j.at("char_dim").get<index_t>();
    c.char_hidden = j.at("char_hidden").get<index_t>();
    c.dropout = j.at("dropout").get<float>();
    c.word_dropout = j.at("word_dropout").get<float>();
    c.forget_bias = j.at("forget_bias").get<float>();
    c.validate();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": not an encoder configuration (" + e.what() + ")");
  } catch (const Error& e) {  // UsageError from validate, the parsers of the cell names
    throw FormatError(source + ": encoder configuration: " + e.what());
  }
  return c;
}

std::string EncoderConfig::describe() const {
  std::string s = std::string(bidirectional ? "Bi" : "") + nn::cell_type_name(cell) + " " + std::to_string(layers) +
                  "×" + std::to_string(hidden) + ", words " + std::to_string(word_dim);
  if (char_dim > 0) s += " + chars 2×" + std::to_string(char_hidden);
  return s;
}

}  // namespace tapegrad::lm
