// ModelConfig: model names, the description line, validation and the JSON form stored in checkpoints.
#include "lm/neural/model_config.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "lm/text/error.hpp"
#include "nn/number_text.hpp"
#include "ops/checked_size.hpp"
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

nn::CellType ModelConfig::cell_type() const {
  switch (kind) {
    case ModelKind::RNN:
      return nn::CellType::RNN;
    case ModelKind::LSTM:
      return nn::CellType::LSTM;
    case ModelKind::GRU:
      return nn::CellType::GRU;
    case ModelKind::Window:
      break;
  }
  throw UsageError("ModelConfig: the window model has no recurrent cells");
}

std::string ModelConfig::describe() const {
  if (!recurrent())
    return "window " + std::to_string(context) + "→1, emb " + std::to_string(emsize) + ", hidden " +
           std::to_string(nhid) + ", vocab " + std::to_string(vocab) + (direct ? ", direct connections" : "");
  std::string s = std::string(model_kind_name(kind)) + " " + std::to_string(nlayers) + "×" + std::to_string(nhid) +
                  ", emb " + std::to_string(emsize) + ", vocab " + std::to_string(vocab);
  if (dropout > 0) s += ", dropout " + std::to_string(dropout).substr(0, 4);
  if (tied) s += ", tied";
  if (form == nn::CellForm::Composed) s += std::string(", ") + nn::cell_form_name(form) + " cells";
  if (forget_bias != 0) {
    char bias[32];
    std::snprintf(bias, sizeof bias, ", forget bias %g", static_cast<double>(forget_bias));
    s += bias;
  }
  return s;
}

void ModelConfig::validate() const {
  if (vocab <= 0) throw UsageError("the vocabulary is empty (vocab = " + std::to_string(vocab) + ")");
  struct Size {
    const char* name;
    index_t value, limit;
  };
  const Size sizes[] = {{"vocab", vocab, kMaxModelVocab},
                        {"emsize", emsize, kMaxModelWidth},
                        {"nhid", nhid, kMaxModelWidth},
                        {"nlayers", nlayers, kMaxModelLayers},
                        {"context", context, kMaxModelContext}};
  for (const auto& [name, value, limit] : sizes) {
    if (value <= 0) throw UsageError(std::string(name) + " must be positive, got " + std::to_string(value));
    if (value > limit)
      throw UsageError(std::string(name) + " = " + std::to_string(value) + " is above the limit of " +
                       std::to_string(limit));
  }
  if (!(dropout >= 0 && dropout < 1)) throw UsageError("dropout must be in [0, 1), got " + std::to_string(dropout));
  if (!(init_range >= 0) || !std::isfinite(init_range))
    throw UsageError("init_range must be finite and ≥ 0, got " + std::to_string(init_range));
  if (recurrent() && tied && emsize != nhid)
    throw UsageError("tied weights need emsize == nhid (got " + std::to_string(emsize) + " and " +
                     std::to_string(nhid) + ")");
  if (!std::isfinite(forget_bias)) throw UsageError("the forget-gate bias must be finite");
  if (forget_bias != 0 && kind != ModelKind::LSTM)
    throw UsageError(std::string("a forget-gate bias applies to LSTM cells only, not to the ") + model_kind_name(kind) +
                     " model");
  check_memory();
}

nn::RecurrentOptions ModelConfig::recurrent_options() const {
  nn::RecurrentOptions o;
  o.type = cell_type();
  o.layers = nlayers;
  o.dropout = dropout;
  o.cell.form = form;
  o.cell.reset_after = gru_reset_after;
  o.cell.forget_bias = forget_bias;  // validate() allows a non-zero value for LSTM cells only
  return o;
}

nn::ParameterShapes ModelConfig::parameter_shapes() const {
  // As RNNLM and WindowLM name their parameters; tests/lm/test_model_limits.cpp checks them against built models.
  nn::ParameterShapes p;
  nn::add_embedding_shapes(p, "embedding.", vocab, emsize);
  if (!recurrent()) {
    nn::add_linear_shapes(p, "hidden.", checked_mul(context, emsize, "the window's input"), nhid);
    nn::add_linear_shapes(p, "output.", nhid, vocab);
    if (direct) nn::add_linear_shapes(p, "direct.", checked_mul(context, emsize, "the window's input"), vocab, false);
    return p;
  }
  nn::add_recurrent_shapes(p, "rnn.", emsize, nhid, recurrent_options());
  if (tied)
    p.emplace_back("decoder_bias", Shape{vocab});
  else
    nn::add_linear_shapes(p, "decoder.", nhid, vocab);
  return p;
}

index_t ModelConfig::parameter_count() const { return nn::parameter_count(parameter_shapes()); }

void ModelConfig::check_memory() const {
  nn::check_training_memory(parameter_shapes(), "the model (" + describe() + ")");
}

std::string ModelConfig::to_json() const {
  const nlohmann::json j = {{"model", model_kind_name(kind)},
                            {"vocab", vocab},
                            {"emsize", emsize},
                            {"nhid", nhid},
                            {"nlayers", nlayers},
                            {"dropout", nn::text::decimal(dropout)},
                            {"tied", tied},
                            {"context", context},
                            {"direct", direct},
                            {"form", nn::cell_form_name(form)},
                            {"gru_reset_after", gru_reset_after},
                            {"init_range", nn::text::decimal(init_range)},
                            {"forget_bias", nn::text::decimal(forget_bias)}};
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
    c.form = nn::parse_cell_form(j.at("form").get<std::string>());
    c.gru_reset_after = j.at("gru_reset_after").get<bool>();
    c.init_range = j.at("init_range").get<float>();
    c.forget_bias = j.value("forget_bias", 0.0f);  // checkpoints before it existed: the cells' default, 0
    c.validate();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": bad model configuration: " + e.what());
  } catch (const UsageError& e) {
    throw FormatError(source + ": bad model configuration: " + e.what());
  } catch (const SizeError& e) {
    throw FormatError(source + ": bad model configuration: " + e.what());
  }
  return c;
}

}  // namespace tapegrad::lm
