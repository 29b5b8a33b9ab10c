// After the first steps, a training step allocates nothing: the tape keeps its node vector and arenas, the model
// and the stepper reuse their buffers, the GEMM its packing buffers. Checked by counting every call of the global
// operator new while steps run (this executable replaces operator new, so it is a test program of its own).
#define BOOST_TEST_MODULE tapegrad_no_alloc
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <new>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/adam.hpp"
#include "nn/sgd.hpp"
#include "ops/aligned.hpp"
#include "ops/parallel.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {

// Runs `warmup` steps, then counts the allocations of `measured` more: calls of operator new, and aligned
// allocations (tensors, arenas, GEMM buffers), which bypass it.
template <class Step>
long allocations_after_warmup(Step&& step, int warmup, int measured) {
  for (int i = 0; i < warmup; ++i) step(i);
  allocations = 0;
  const std::uint64_t aligned_before = aligned_allocation_count();
  counting = true;
  for (int i = warmup; i < warmup + measured; ++i) step(i);
  counting = false;
  return allocations.load() + static_cast<long>(aligned_allocation_count() - aligned_before);
}

std::vector<std::int32_t> random_ids(std::size_t n, std::int32_t vocab) {
  Rng rng(9);
  std::vector<std::int32_t> v(n);
  for (auto& x : v) x = static_cast<std::int32_t>(rng.uniform_int(static_cast<std::uint64_t>(vocab)));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(recurrent_training_step_allocates_nothing) {
  for (int threads : {1, 2})
    for (ModelKind kind : {ModelKind::LSTM, ModelKind::GRU, ModelKind::RNN}) {
      ops::set_num_threads(threads);
      ModelConfig c;
      c.kind = kind, c.vocab = 300, c.emsize = 32, c.nhid = 32, c.nlayers = 2, c.dropout = 0.2f;
      Rng rng(1);
      LanguageModel model(c, rng);
      nn::Adam adam(model.module().parameters(), {.lr = 1e-3f});
      Stepper stepper(model, &adam, 1.0f);
      const auto ids = random_ids(8 * (12 * 10 + 1), 300);
      StreamBatcher batcher(ids, 8, 12);
      StreamWindow w;
      const long n = allocations_after_warmup(
          [&](int i) {
            batcher.get(i % batcher.windows(), w);
            stepper.train(w, rng);
          },
          3, 4);
      BOOST_TEST(n == 0, model_kind_name(kind)
                             << " with " << threads << " thread(s): " << n << " allocations in 4 steps");
    }
}

BOOST_AUTO_TEST_CASE(window_training_step_allocates_nothing) {
  ModelConfig c;
  c.kind = ModelKind::Window, c.vocab = 300, c.context = 4, c.emsize = 16, c.nhid = 24, c.direct = true;
  Rng rng(2);
  LanguageModel model(c, rng);
  nn::SGD sgd(model.module().parameters(), {.lr = 0.1f});
  Stepper stepper(model, &sgd, 0.0f);
  const auto ids = random_ids(2000, 300);
  WindowBatcher batcher(ids, 4, 32, 1);
  batcher.start_epoch(true, 1, 0);
  std::vector<std::int32_t> contexts, targets;
  const long n = allocations_after_warmup(
      [&](int i) {
        batcher.get(i % batcher.batches(), contexts, targets);
        stepper.train(contexts, targets, rng);
      },
      3, 4);
  BOOST_TEST(n == 0, n << " allocations in 4 steps");
}

// The counters work: a vector is seen through operator new, a tensor through the aligned allocations.
BOOST_AUTO_TEST_CASE(the_counter_counts) {
  const long n = allocations_after_warmup(
      [](int) {
        std::vector<float> v(100);
        (void)v;
      },
      0, 1);
  BOOST_TEST(n >= 1);
  const long t = allocations_after_warmup([](int) { Tensor x(Shape{3, 5}); }, 0, 1);
  BOOST_TEST(t >= 1);
}
