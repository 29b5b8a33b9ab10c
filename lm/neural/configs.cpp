// The reference model configurations of the throughput benchmark.
#include "lm/neural/configs.hpp"

#include "ops/error.hpp"

namespace tapegrad::lm {

std::vector<std::string> reference_config_names() { return {"lstm", "gru", "rnn", "mlp", "char256", "char512"}; }

ReferenceConfig reference_config(const std::string& name) {
  ReferenceConfig r;
  r.name = name;
  ModelConfig& m = r.model;
  if (name == "lstm" || name == "gru" || name == "rnn") {
    m.kind = parse_model_kind(name);
    m.vocab = 10000, m.emsize = 200, m.nhid = 200, m.nlayers = 2, m.init_range = 0.1f;
    r.batch = 20, r.bptt = 35, r.lr = 1.0f, r.clip = 5.0f;
  } else if (name == "mlp") {
    m.kind = ModelKind::Window;
    m.vocab = 16383, m.context = 5, m.emsize = 60, m.nhid = 100, m.init_range = 0.0f;
    r.batch = 64, r.bptt = 1, r.lr = 0.1f, r.clip = 0.0f;
  } else if (name == "char256" || name == "char512") {
    m.kind = ModelKind::LSTM;
    m.vocab = 65, m.emsize = 64, m.nhid = name == "char256" ? 256 : 512, m.nlayers = 2, m.init_range = 0.1f;
    r.batch = 64, r.bptt = 100, r.lr = 1.0f, r.clip = 5.0f;
  } else {
    throw UsageError("unknown reference configuration '" + name +
                     "' (expected lstm, gru, rnn, mlp, char256 or char512)");
  }
  return r;
}

}  // namespace tapegrad::lm
