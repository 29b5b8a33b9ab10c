// RunSettings: the flags of `tapegrad train` that define a run, with their values as text.
#include "lm/training/run_settings.hpp"

#include "nn/cell.hpp"
#include "nn/number_text.hpp"

namespace tapegrad::lm {

namespace {
std::string text(float v) { return nn::text::format(v); }
std::string text(bool v) { return v ? "true" : "false"; }
template <class Int>
std::string text(Int v) {
  return std::to_string(v);
}
}  // namespace

std::vector<RunSetting> run_settings(const DatasetOptions& d, const ModelConfig& m, const TrainOptions& o) {
  return {
      // how the data is read
      {"--level", level_name(d.level)},
      {"--split", d.split()},
      {"--min-count", text(d.min_count)},
      {"--encoding", encoding_name(d.encoding)},
      // the model
      {"--model", model_kind_name(m.kind)},
      {"--emsize", text(m.emsize)},
      {"--nhid", text(m.nhid)},
      {"--nlayers", text(m.nlayers)},
      {"--dropout", text(m.dropout)},
      {"--tied", text(m.tied)},
      {"--context", text(m.context)},
      {"--direct", text(m.direct)},
      {"--form", nn::cell_form_name(m.form)},
      {"--gru-reset-after", text(m.gru_reset_after)},
      {"--forget-bias", text(m.forget_bias)},
      {"--init-range", text(m.init_range)},
      // the optimisation
      {"--optimizer", o.optimizer},
      {"--lr", text(o.lr)},
      {"--momentum", text(o.momentum)},
      {"--weight-decay", text(o.weight_decay)},
      {"--clip", text(o.clip)},
      {"--schedule", o.schedule},
      {"--decay", text(o.decay)},
      {"--decay-start", text(o.decay_start)},
      {"--patience", text(o.patience)},
      {"--batch-size", text(o.batch)},
      {"--bptt", text(o.bptt)},
      {"--eval-batch-size", text(o.eval_batch)},
      {"--eval-interval", text(o.eval_interval)},
      {"--max-valid-tokens", text(o.max_valid_tokens)},
      {"--seed", text(o.seed)},
  };
}

}  // namespace tapegrad::lm
