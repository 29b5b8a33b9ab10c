// pool_sequence: last / mean / max over each sentence's real steps (see pooling.hpp).
#include "lm/sequence/pooling.hpp"

#include "autograd/functions.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace ag = autograd;

Pool parse_pool(const std::string& name) {
  if (name == "last") return Pool::Last;
  if (name == "mean") return Pool::Mean;
  if (name == "max") return Pool::Max;
  throw UsageError("unknown pooling '" + name + "' (expected last, mean or max)");
}

const char* pool_name(Pool pool) {
  switch (pool) {
    case Pool::Last: return "last";
    case Pool::Mean: return "mean";
    case Pool::Max: return "max";
  }
  return "?";
}

ag::Var pool_sequence(Pool pool, ag::Var outputs, const nn::SequenceOutput& sequence,
                      std::span<const std::int32_t> lengths, bool bidirectional) {
  switch (pool) {
    case Pool::Mean: return ag::time_mean(outputs, lengths);
    case Pool::Max: return ag::time_max(outputs, lengths);
    case Pool::Last: {
      // The last layer's states: index layer · directions + direction.
      const std::size_t directions = bidirectional ? 2 : 1;
      const std::size_t first = sequence.final_states.size() - directions;
      if (!bidirectional) return sequence.final_states[first].h;
      return ag::concat({sequence.final_states[first].h, sequence.final_states[first + 1].h});
    }
  }
  throw UsageError("pool_sequence: unknown pooling");
}

}  // namespace tapegrad::lm
