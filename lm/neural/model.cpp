// LanguageModel construction and the JSON form of its configuration.
#include "lm/neural/model.hpp"

#include <nlohmann/json.hpp>

#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

ModelKind parse_model_kind(const std::string& name) {
  if (name == "window") return ModelKind::Window;
  if (name == "rnn") return ModelKind::RNN;
  if (name == "lstm") return ModelKind::LSTM;
  if (name == "gru") return ModelKind::GRU;
  throw UsageError("unknown model '" + name + "' (expected window, rnn, lstm or gru)");
}

const char* model_kind_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::Window:
      return "window";
    case ModelKind::RNN:
      return "rnn";
    case ModelKind::LSTM:
      return "lstm";
    case ModelKind::GRU:
      return "gru";
  }
  return "?";
}

RNNLMConfig ModelConfig::rnn_config() const {
  RNNLMConfig c;
  c.cell = kind == ModelKind::RNN ? nn::CellType::RNN : kind == ModelKind::GRU ? nn::CellType::GRU : nn::CellType::LSTM;
  c.vocab = vocab, c.emsize = emsize, c.nhid = nhid, c.nlayers = nlayers, c.dropout = dropout, c.tied = tied;
  c.form = form, c.gru_reset_after = gru_reset_after, c.init_range = init_range;
  return c;
}

WindowLMConfig ModelConfig::window_config() const {
  WindowLMConfig c;
  c.vocab = vocab, c.context = context, c.emsize = emsize, c.nhid = nhid, c.direct = direct, c.dropout = dropout;
  c.init_range = init_range;
  return c;
}

std::string ModelConfig::describe() const { return recurrent() ? rnn_config().describe() : window_config().describe(); }

std::string ModelConfig::to_json() const {
  nlohmann::json j = {{"model", model_kind_name(kind)},
                      {"vocab", vocab},
                      {"emsize", emsize},
                      {"nhid", nhid},
                      {"nlayers", nlayers},
                      {"dropout", dropout},
                      {"tied", tied},
                      {"context", context},
                      {"direct", direct},
                      {"form", form == nn::CellForm::Fused ? "fused" : "composed"},
                      {"gru_reset_after", gru_reset_after},
                      {"init_range", init_range}};
  return j.dump();
}

ModelConfig ModelConfig::from_json(const std::string& text, const std::string& source) {
  ModelConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    c.kind = parse_model_kind(j.at("model").get<std::string>());
    c.vocab = j.at("vocab").get<index_t>();
    c.emsize = j.at("emsize").get<index_t>();
    c.nhid = j.at("nhid").get<index_t>();
    c.nlayers = j.at("nlayers").get<index_t>();
    c.dropout = j.at("dropout").get<float>();
    c.tied = j.at("tied").get<bool>();
    c.context = j.at("context").get<index_t>();
    c.direct = j.at("direct").get<bool>();
    const std::string form = j.at("form").get<std::string>();
    if (form != "fused" && form != "composed") throw UsageError("form must be fused or composed, not '" + form + "'");
    c.form = form == "fused" ? nn::CellForm::Fused : nn::CellForm::Composed;
    c.gru_reset_after = j.at("gru_reset_after").get<bool>();
    c.init_range = j.at("init_range").get<float>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": bad model configuration: " + e.what());
  } catch (const UsageError& e) {
    throw FormatError(source + ": bad model configuration: " + e.what());
  }
  if (c.vocab <= 0 || c.emsize <= 0 || c.nhid <= 0 || c.nlayers <= 0 || c.context <= 0 || c.dropout < 0 ||
      c.dropout >= 1)
    throw FormatError(source + ": bad model configuration: a size is not positive or dropout is outside [0, 1)");
  return c;
}

LanguageModel::LanguageModel(const ModelConfig& config, Rng& rng) : config_(config) {
  if (config.recurrent())
    rnn_ = std::make_unique<RNNLM>(config.rnn_config(), rng);
  else
    window_ = std::make_unique<WindowLM>(config.window_config(), rng);
  module().pack_parameters();  // every parameter in one block, every gradient in another (nn/module.hpp)
}

}  // namespace tapegrad::lm
