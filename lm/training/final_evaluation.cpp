// FinalEvaluation: the closing perplexities of `tapegrad train`, cut to the time left.
#include "lm/training/final_evaluation.hpp"

#include <algorithm>
#include <chrono>

namespace tapegrad::lm {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

SplitEvaluation evaluate_prefix(LanguageModel& model, const std::vector<std::int32_t>& split, index_t tokens,
                                const PerplexityOptions& eo) {
  SplitEvaluation s;
  s.total = static_cast<index_t>(split.size());
  s.used = std::min(tokens, s.total);
  if (s.used > 0) s.result = evaluate(model, std::span<const std::int32_t>(split).first(static_cast<std::size_t>(s.used)), eo);
  return s;
}
}  // namespace

FinalEvaluation evaluate_final(LanguageModel& model, const LmDataset& data, const FinalEvaluationOptions& o) {
  FinalEvaluation f;
  const auto nv = static_cast<index_t>(data.valid.size()), nt = static_cast<index_t>(data.test.size());
  f.valid.total = nv, f.test.total = nt;
  index_t valid_cap = nv, test_cap = nt;
  if (o.limited) {
    const index_t window = o.eval.batch * o.eval.bptt;  // the least worth evaluating: one window per stream
    double left = o.seconds_left, per_token = o.seconds_per_token;
    if (per_token <= 0 && left > 0 && nv > 0) {  // unknown: measure it on the first windows of the validation split
      const index_t probe = std::min(nv, window);
      const auto start = Clock::now();
      evaluate(model, std::span<const std::int32_t>(data.valid).first(static_cast<std::size_t>(probe)), o.eval);
      per_token = since(start) / static_cast<double>(probe);
      left -= since(start);
    }
    const double fit = per_token > 0 ? 0.9 * std::max(left, 0.0) / per_token : 0;
    if (fit < static_cast<double>(nv + nt)) {
      if (fit < static_cast<double>(std::min(nv, window))) {
        f.skipped = true;
        return f;
      }
      // in proportion to the sizes of the splits
      valid_cap = static_cast<index_t>(fit * static_cast<double>(nv) / static_cast<double>(nv + nt));
      test_cap = static_cast<index_t>(fit) - valid_cap;
      valid_cap = std::max(valid_cap, std::min(nv, window));
      if (test_cap < std::min(nt, window)) test_cap = 0;  // too few for a test perplexity
    }
  }
  f.valid = evaluate_prefix(model, data.valid, valid_cap, o.eval);
  f.test = evaluate_prefix(model, data.test, test_cap, o.eval);
  return f;
}

}  // namespace tapegrad::lm
