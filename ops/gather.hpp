// Embedding lookup as a row gather, and its backward as a row scatter-add (repeated ids accumulate).
#pragma once

#include <cstdint>

#include "ops/shape.hpp"

namespace tapegrad::ops {

// table (vocab×cols), ids (n_ids, each in [0, vocab)), out (n_ids×cols):  out[i,:] = table[ids[i],:]
void gather_rows(index_t n_ids, index_t cols, const float* table, const std::int32_t* ids, float* out);
// g_out (n_ids×cols), g_table (vocab×cols):  g_table[ids[i],:] += g_out[i,:]   (in order of i: deterministic)
void scatter_add_rows(index_t n_ids, index_t cols, const float* g_out, const std::int32_t* ids, float* g_table);

}  // namespace tapegrad::ops
