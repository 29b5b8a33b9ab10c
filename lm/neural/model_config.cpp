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

std::vector<std::pair<std::string, Shape>> ModelConfig::parameter_shapes() const {
  // The names and shapes RNNLM and WindowLM give their parameters (nn::Embedding "table", nn::Linear "W" and "b",
  // nn::Recurrent's cells "layer<l>.W_ih|W_hh|b" and the GRU's "b_hn"); tests/lm/test_model_limits.cpp checks that
  // they match a built model's.
  std::vector<std::pair<std::string, Shape>> p;
  p.emplace_back("embedding.table", Shape{vocab, emsize});
  if (!recurrent()) {
    p.emplace_back("hidden.W", Shape{context * emsize, nhid});
    p.emplace_back("hidden.b", Shape{nhid});
    p.emplace_back("output.W", Shape{nhid, vocab});
    p.emplace_back("output.b", Shape{vocab});
    if (direct) p.emplace_back("direct.W", Shape{context * emsize, vocab});
    return p;
  }
  const index_t gates = kind == ModelKind::LSTM ? 4 : kind == ModelKind::GRU ? 3 : 1;
  for (index_t l = 0; l < nlayers; ++l) {
    const std::string cell = "rnn.layer" + std::to_string(l) + ".";
    p.emplace_back(cell + "W_ih", Shape{l == 0 ? emsize : nhid, gates * nhid});
    p.emplace_back(cell + "W_hh", Shape{nhid, gates * nhid});
    p.emplace_back(cell + "b", Shape{gates * nhid});
    if (kind == ModelKind::GRU && gru_reset_after) p.emplace_back(cell + "b_hn", Shape{nhid});
  }
  if (tied) {
    p.emplace_back("decoder_bias", Shape{vocab});
  } else {
    p.emplace_back("decoder.W", Shape{nhid, vocab});
    p.emplace_back("decoder.b", Shape{vocab});
  }
  return p;
}

index_t ModelConfig::parameter_count() const {
  index_t n = 0;
  for (const auto& [name, shape] : parameter_shapes()) n = checked_add(n, shape.numel(), "the model's parameters");
  return n;
}

double ModelConfig::training_bytes() const {
  return static_cast<double>(parameter_count()) * 4.0 * static_cast<double>(sizeof(float));
}

void ModelConfig::check_memory() const {
  const std::uint64_t memory = physical_memory_bytes();
  if (memory == 0) return;
  const double needed = training_bytes();
  if (needed > static_cast<double>(memory))
    throw SizeError("the model (" + describe() + ") has " + std::to_string(parameter_count()) +
                    " parameters: training needs " + format_bytes(needed) +
                    " for them alone (values, gradients, Adam state), more than the " +
                    format_bytes(static_cast<double>(memory)) + " of memory this machine has");
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
