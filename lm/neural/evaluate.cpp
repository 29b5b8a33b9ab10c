// Perplexity of a stream: batched evaluation steps, losses summed in double.
#include "lm/neural/evaluate.hpp"

#include <algorithm>
#include <vector>

#include "lm/neural/batch_forward.hpp"
#include "lm/text/batcher.hpp"
#include "lm/text/vocab.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

Perplexity evaluate(LanguageModel& model, std::span<const std::int32_t> stream, const PerplexityOptions& options) {
  if (stream.empty()) throw UsageError("evaluate: the token stream is empty");
  BatchForward forward(model);
  double total = 0;
  Perplexity r;
  const auto eos = static_cast<std::int32_t>(Vocab::kEos);
  if (model.config().recurrent()) {
    std::vector<std::int32_t> prefixed;
    prefixed.reserve(stream.size() + 1);
    prefixed.push_back(eos);
    prefixed.insert(prefixed.end(), stream.begin(), stream.end());
    const index_t batch =
        std::max<index_t>(1, std::min<index_t>(options.batch, static_cast<index_t>(prefixed.size()) / 2));
    StreamBatcher batcher(prefixed, batch, options.bptt);
    StreamWindow w;
    for (index_t i = 0; i < batcher.windows(); ++i) {
      batcher.get(i, w);
      const StepStats s = forward.evaluate(w);
      total += s.loss * static_cast<double>(s.tokens);
      r.tokens += s.tokens;
      if (options.progress) options.progress(i + 1, batcher.windows());
    }
  } else {
    WindowBatcher batcher(stream, model.config().context, options.batch * options.bptt, eos);
    std::vector<std::int32_t> contexts, targets;
    for (index_t i = 0; i < batcher.batches(); ++i) {
      batcher.get(i, contexts, targets);
      const StepStats s = forward.evaluate(contexts, targets);
      total += s.loss * static_cast<double>(s.tokens);
      r.tokens += s.tokens;
      if (options.progress) options.progress(i + 1, batcher.batches());
    }
  }
  r.loss = total / static_cast<double>(r.tokens);
  return r;
}

}  // namespace tapegrad::lm
