// ConditionedConfig: validation, JSON, description (see conditioned_config.hpp).
#include "lm/conditioned/conditioned_config.hpp"

#include <nlohmann/json.hpp>

#include "lm/neural/model_config.hpp"  // the size limits, shared with the language models
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

nn::RecurrentOptions ConditionedConfig::recurrent_options() const {
  nn::RecurrentOptions o;
  o.type = cell;
  o.layers = layers;
  o.dropout = dropout;
  o.cell.form = form;
  if (cell == nn::CellType::LSTM) o.cell.forget_bias = forget_bias;
  return o;
}

void ConditionedConfig::validate() const {
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
  at_most(label_dim, kMaxModelWidth, "the label embedding size");
  positive(hidden, "the hidden size");
  positive(word_dim, "the word embedding size");
  positive(label_dim, "the label embedding size");
  if (!(dropout >= 0.0f && dropout < 1.0f))
    throw UsageError("dropout must be in [0, 1), got " + std::to_string(dropout));
}

std::string ConditionedConfig::to_json() const {
  nlohmann::json j;
  j["cell"] = nn::cell_type_name(cell);
  j["form"] = nn::cell_form_name(form);
  j["layers"] = layers;
  j["hidden"] = hidden;
  j["word_dim"] = word_dim;
  j["label_dim"] = label_dim;
  j["label_state"] = label_state;
  j["dropout"] = dropout;
  j["forget_bias"] = forget_bias;
  return j.dump();
}

ConditionedConfig ConditionedConfig::from_json(const std::string& text, const std::string& source) {
  ConditionedConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    c.cell = nn::parse_cell_type(j.at("cell").get<std::string>());
    c.form = nn::parse_cell_form(j.at("form").get<std::string>());
    c.layers = j.at("layers").get<index_t>();
    c.hidden = j.at("hidden").get<index_t>();
    c.word_dim = j.at("word_dim").get<index_t>();
    c.label_dim = j.at("label_dim").get<index_t>();
    c.label_state = j.at("label_state").get<bool>();
    c.dropout = j.at("dropout").get<float>();
    c.forget_bias = j.at("forget_bias").get<float>();
    c.validate();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": not a conditioned-LM configuration (" + e.what() + ")");
  } catch (const Error& e) {  // UsageError from validate, the parsers of the cell names
    throw FormatError(source + ": conditioned-LM configuration: " + e.what());
  }
  return c;
}

std::string ConditionedConfig::describe() const {
  return std::string(nn::cell_type_name(cell)) + " " + std::to_string(layers) + "×" + std::to_string(hidden) +
         ", words " + std::to_string(word_dim) + " ⊕ label " + std::to_string(label_dim) +
         (label_state ? ", label sets h_0" : "");
}

}  // namespace tapegrad::lm
