// GradientReducer: buckets started during backward, embedding rows summed alone, the rest summed whole.
#include "nn/distributed/gradient_reducer.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "ops/error.hpp"

namespace tapegrad::nn {

namespace {
constexpr std::uint32_t kNoLeaf = std::numeric_limits<std::uint32_t>::max();
}  // namespace

GradientReducer::GradientReducer(Communicator& comm, ParameterBlock& block, ReducerOptions options)
    : comm_(comm), block_(block), options_(options) {
  if (options_.bucket_bytes < sizeof(float))
    throw UsageError("GradientReducer: a bucket of " + std::to_string(options_.bucket_bytes) + " bytes holds no float");
}

GradientReducer::~GradientReducer() {
  if (tape_ != nullptr) tape_->set_backward_observer(nullptr);
}

void GradientReducer::prepare(autograd::Tape& tape) {
  if (!block_.current())
    throw UsageError("GradientReducer: the model's parameters were packed into another block since it was made");
  const std::vector<Parameter*>& params = block_.parameters();
  const std::size_t n = params.size();
  const float* grads = block_.gradients().data();
  const float* grads_end = grads + block_.size();

  // Each parameter's leaf: the lowest index of a Parameter node adding into its gradient.
  leaf_.assign(n, kNoLeaf);
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const autograd::Node& node = tape.node(i);
    if (node.op != autograd::OpCode::Parameter || node.param_grad < grads || node.param_grad >= grads_end) continue;
    const index_t offset = node.param_grad - grads;
    std::size_t p = 0;  // the parameter whose range holds offset (few parameters: a linear search is enough)
    while (p + 1 < n && block_.offset(p + 1) <= offset) ++p;
    leaf_[p] = std::min(leaf_[p], static_cast<std::uint32_t>(i));
  }

  // Summed by rows: 2-D parameters no rank used densely in the first step (a small collective, once: a model uses
  // its parameters the same way every step; should one be used densely later, sum_rows sums it whole).
  if (dense_votes_.size() != n) {
    dense_votes_.assign(n, 0);
    for (std::size_t p = 0; p < n; ++p)
      dense_votes_[p] = (params[p]->shape().rank() != 2 || params[p]->gradient_is_dense()) ? 1 : 0;
    comm_.allreduce_sum(std::span<std::int64_t>(dense_votes_));
    row_params_.clear();
    for (std::size_t p = 0; p < n; ++p)
      if (dense_votes_[p] == 0) row_params_.push_back(p);
  }
  made_dense_.clear();
  for (std::size_t p = 0; p < n; ++p)
    if (dense_votes_[p] != 0 && !params[p]->gradient_is_dense()) made_dense_.push_back(p);

  // Buckets, from the end of the block: contiguous dense parameters, closed at bucket_bytes or at a row parameter.
  buckets_.clear();
  const auto bucket_floats = static_cast<index_t>(options_.bucket_bytes / sizeof(float));
  Bucket open;
  bool is_open = false;
  const auto close = [&] {
    if (is_open) buckets_.push_back(open);
    is_open = false;
  };
  for (std::size_t p = n; p-- > 0;) {
    if (dense_votes_[p] == 0) {
      close();
      continue;
    }
    const std::uint32_t ready = leaf_[p];
    if (!is_open) {
      open = {block_.offset(p), params[p]->numel(), ready};
      is_open = true;
    } else {
      open.first = block_.offset(p);
      open.count += params[p]->numel();
      open.ready_from = std::min(open.ready_from, ready);
    }
    if (open.count >= bucket_floats) close();
  }
  close();

  stats_ = {};
  next_ = 0;
  last_handle_ = -1;
  pending_ = false;
  tape_ = &tape;
  tape.set_backward_observer(this);
}

void GradientReducer::start(const Bucket& bucket, std::uint32_t finished_from) {
  if (stats_.buckets == 0 && tape_ != nullptr && tape_->size() > 0)
    stats_.backward_left_at_first_sum = static_cast<double>(finished_from) / static_cast<double>(tape_->size());
  last_handle_ =
      comm_.start_allreduce_sum(block_.gradients().subspan(static_cast<std::size_t>(bucket.first),
                                                            static_cast<std::size_t>(bucket.count)));
  pending_ = true;
  stats_.dense_floats += bucket.count;
  ++stats_.buckets;
  if (finished_from > 0) ++stats_.buckets_overlapped;
}

// A parameter's gradient is final once every node above its leaf has run: finished_from(i) with i ≤ leaf + 1.
void GradientReducer::finished_from(std::uint32_t i) {
  while (next_ < buckets_.size() &&
         (buckets_[next_].ready_from == kNoLeaf || i <= buckets_[next_].ready_from + 1)) {
    start(buckets_[next_], i);
    ++next_;
  }
  if (pending_) pending_ = !comm_.test(last_handle_);  // MPI moves data only inside its calls
}

void GradientReducer::sum_rows(Parameter& p, float* grad) {
  const index_t cols = p.shape()[1];
  // The union of every rank's rows: one flag per row, summed. The rows come from the gradient's ranges (whole rows;
  // one range over the table when a rank used it densely).
  row_flags_.assign(static_cast<std::size_t>(p.shape()[0]), 0.0f);
  p.for_each_gradient_range([&](index_t first, index_t count) {
    std::fill(row_flags_.begin() + first / cols, row_flags_.begin() + (first + count) / cols, 1.0f);
  });
  comm_.allreduce_sum(std::span<float>(row_flags_));
  rows_.clear();
  for (std::size_t r = 0; r < row_flags_.size(); ++r)
    if (row_flags_[r] > 0) rows_.push_back(static_cast<std::int32_t>(r));
  const std::vector<std::int32_t>& rows = rows_;

  const auto row_floats = static_cast<index_t>(rows.size()) * cols;
  if (static_cast<double>(row_floats) < options_.sparse_fraction * static_cast<double>(p.numel())) {
    packed_.resize(static_cast<std::size_t>(row_floats));
    for (std::size_t k = 0; k < rows.size(); ++k)
      std::memcpy(packed_.data() + k * cols, grad + rows[k] * cols, static_cast<std::size_t>(cols) * sizeof(float));
    comm_.allreduce_sum(std::span<float>(packed_));
    for (std::size_t k = 0; k < rows.size(); ++k)
      std::memcpy(grad + rows[k] * cols, packed_.data() + k * cols, static_cast<std::size_t>(cols) * sizeof(float));
    stats_.row_floats += row_floats;
  } else {
    comm_.allreduce_sum(std::span<float>(grad, static_cast<std::size_t>(p.numel())));
    stats_.dense_floats += p.numel();
  }
  if (rows.size() == row_flags_.size())
    p.grad();  // every row: dense (mutable access marks it so)
  else
    p.mark_rows_written(rows);
}

void GradientReducer::finish() {
  if (tape_ == nullptr) throw UsageError("GradientReducer::finish without prepare");
  tape_->set_backward_observer(nullptr);
  tape_ = nullptr;
  while (next_ < buckets_.size()) start(buckets_[next_++], 0);  // a backward pass that stopped short
  float* grads = block_.gradients().data();
  const std::vector<Parameter*>& params = block_.parameters();
  for (std::size_t p : row_params_) sum_rows(*params[p], grads + block_.offset(p));
  comm_.wait_all();
  for (std::size_t p : made_dense_) params[p]->grad();  // mutable access: the whole gradient may be non-zero now
}

}  // namespace tapegrad::nn
