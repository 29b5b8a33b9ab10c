// GradientReducer: data-parallel training's gradient sum. Every rank has run forward and backward on its share of
// the global batch; afterwards each parameter's gradient must be the sum over the ranks (each rank's backward was
// seeded with its share of the tokens, so the sum is the gradient of the global mean loss). The reducer does that
// sum for a packed model (nn/parameter_block.hpp: every gradient in one contiguous buffer) in three ways at once:
//
//   buckets   the dense gradients, cut into contiguous pieces of about ReducerOptions::bucket_bytes at parameter
//             boundaries, from the end of the block (the decoder, whose gradient backward finishes first) to the
//             start. A bucket's sum (a non-blocking all-reduce) starts the moment backward has finished with every
//             parameter in it — the tape reports its progress through autograd::BackwardObserver — so the sums of
//             the upper layers travel while backward still works on the lower ones (the overlap of PyTorch's DDP).
//             Buckets start in the same fixed order on every rank, as MPI requires of collectives.
//   rows      a 2-D parameter that every rank used only through row lookups (an embedding table: Parameter::rows_var)
//             has a gradient that is zero outside the rows of the batch's words. The ranks sum one flag per row (a
//             float each: 4 bytes a row against 4·cols for the row itself), and when the union U of rows is small — |U|·cols < sparse_fraction · rows·cols — only
//             those rows are packed, summed and unpacked; otherwise the whole table is summed. Either way the rows
//             of U are then marked written on every rank, so zeroing, the norm and the update visit the same rows
//             everywhere.
//   dense    a parameter row-sparse on this rank but not on another is summed whole, and marked dense.
//
// Every rank ends with the same bits: an all-reduce leaves identical sums on all ranks. Use, each step:
//
//   optimizer.zero_grad();  reducer.prepare(tape);  tape.backward(loss, share);  reducer.finish();  clip + step
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "autograd/tape.hpp"
#include "nn/distributed/communicator.hpp"
#include "nn/parameter_block.hpp"

namespace tapegrad::nn {

struct ReducerOptions {
  std::size_t bucket_bytes = std::size_t{4} << 20;  // a bucket closes once it holds at least this many bytes
  double sparse_fraction = 0.5;  // sum an embedding's rows alone when they are under this share of the table
};

// What the last step sent, per rank (floats summed, not bytes on the wire: the all-reduce algorithm decides those).
struct ReducerStats {
  std::int64_t dense_floats = 0;     // in buckets and whole tables
  std::int64_t row_floats = 0;       // in packed embedding rows
  std::int64_t buckets = 0;
  std::int64_t buckets_overlapped = 0;  // started before backward had finished
  // When the first bucket started: the share of the tape's nodes whose backward rules were still to run (0 when it
  // started after backward; summed over steps in the Stepper's totals).
  double backward_left_at_first_sum = 0;
};

class GradientReducer final : public autograd::BackwardObserver {
 public:
  // block: the model's current parameter block, the same on every rank (same model, same order).
  GradientReducer(Communicator& comm, ParameterBlock& block, ReducerOptions options = {});
  ~GradientReducer() override;
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // After the forward pass (and zero_grad), before backward: where each parameter's leaf is on `tape`, which
  // parameters are summed as rows (agreed with the other ranks in the first step: a collective), the buckets; then watches the tape's
  // backward pass. Throws UsageError when the block is no longer current (the model was packed again).
  void prepare(autograd::Tape& tape);
  // The tape's progress report: starts every bucket whose parameters are final, in order.
  void finished_from(std::uint32_t i) override;
  // After backward: starts what is left, sums the embedding rows, waits for every sum; stops watching the tape.
  void finish();

  const ReducerStats& last_step() const { return stats_; }

 private:
  struct Bucket {
    index_t first = 0, count = 0;  // floats of the gradient block
    std::uint32_t ready_from = 0;  // ready once finished_from(i) is called with i ≤ ready_from
  };
  void start(const Bucket& bucket, std::uint32_t finished_from);
  void sum_rows(Parameter& p, float* grad);

  Communicator& comm_;
  ParameterBlock& block_;
  ReducerOptions options_;
  autograd::Tape* tape_ = nullptr;  // watched between prepare() and finish()
  std::vector<Bucket> buckets_;     // in start order
  std::size_t next_ = 0;            // the next bucket to start
  int last_handle_ = -1;            // of the latest started sum
  bool pending_ = false;            // started sums not known to be complete
  std::vector<std::size_t> row_params_;    // parameters summed by rows, in block order
  std::vector<std::size_t> made_dense_;    // row-sparse here but summed whole: marked dense after the sum
  std::vector<std::uint32_t> leaf_;        // scratch: each parameter's leaf index (or none)
  std::vector<std::int64_t> dense_votes_;  // scratch: 1 per parameter used densely (or not 2-D) on this rank
  std::vector<float> packed_;              // scratch: an embedding's rows
  std::vector<float> row_flags_;           // scratch: per row, how many ranks wrote it
  std::vector<std::int32_t> rows_;         // scratch: the rows some rank wrote
  ReducerStats stats_;
};

}  // namespace tapegrad::nn
