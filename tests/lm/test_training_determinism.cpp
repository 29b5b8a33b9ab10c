// Determinism of whole training runs: the same seed and thread count give bit-identical parameters and losses run to
// run — for each model kind, with dropout, clipping and Adam, with 1 and 2 threads. The kernels are also written so
// that the thread count does not change any sum (fixed blocks combined in a fixed order, tests/ops/test_determinism),
// so 1 and 2 threads must agree bit for bit as well.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/text/batcher.hpp"
#include "lm/training/stepper.hpp"
#include "nn/adam.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;

namespace {

struct RunResult {
  std::vector<float> losses;
  std::vector<float> parameters;  // every parameter, concatenated in registration order
};

// Trains a small model of `kind` for 6 steps from seed 5 (weights, dropout masks and data alike).
RunResult train_run(ModelKind kind, int threads) {
  ops::set_num_threads(threads);
  ModelConfig c;
  c.kind = kind, c.vocab = 211, c.emsize = 24, c.nhid = 40, c.nlayers = 2, c.dropout = 0.3f, c.context = 3;
  Rng rng(5);
  LanguageModel model(c, rng);
  nn::Adam adam(model.module().parameters(), {.lr = 3e-3f});
  Stepper stepper(model, &adam, 0.5f);
  std::vector<std::int32_t> ids(3000);
  Rng data(6);
  for (auto& x : ids) x = static_cast<std::int32_t>(data.uniform_int(211));
  RunResult r;
  if (c.recurrent()) {
    StreamBatcher batcher(ids, 6, 10);
    StreamWindow w;
    for (int i = 0; i < 6; ++i) {
      batcher.get(index_t{i}, w);
      r.losses.push_back(stepper.train(w, rng).loss);
    }
  } else {
    WindowBatcher batcher(ids, 3, 64, 0);
    batcher.start_epoch(true, 7, 0);
    std::vector<std::int32_t> contexts, targets;
    for (int i = 0; i < 6; ++i) {
      batcher.get(index_t{i}, contexts, targets);
      r.losses.push_back(stepper.train(contexts, targets, rng).loss);
    }
  }
  for (nn::Parameter* p : model.module().parameters())
    r.parameters.insert(r.parameters.end(), p->value().data(), p->value().data() + p->numel());
  return r;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(training_determinism)

BOOST_AUTO_TEST_CASE(same_seed_and_threads_give_identical_runs) {
  for (ModelKind kind : {ModelKind::LSTM, ModelKind::GRU, ModelKind::RNN, ModelKind::Window})
    for (int threads : {1, 2}) {
      const RunResult a = train_run(kind, threads), b = train_run(kind, threads);
      BOOST_TEST(bit_identical(a.losses, b.losses), model_kind_name(kind) << ", " << threads << " thread(s): losses");
      BOOST_TEST(bit_identical(a.parameters, b.parameters), model_kind_name(kind)
                                                                << ", " << threads << " thread(s): parameters");
    }
}

BOOST_AUTO_TEST_CASE(one_and_two_threads_agree_bit_for_bit) {
  for (ModelKind kind : {ModelKind::LSTM, ModelKind::GRU, ModelKind::RNN, ModelKind::Window}) {
    const RunResult one = train_run(kind, 1), two = train_run(kind, 2);
    BOOST_TEST(bit_identical(one.parameters, two.parameters), model_kind_name(kind));
  }
}

// The comparison can fail: one parameter one ulp away is seen.
BOOST_AUTO_TEST_CASE(the_comparison_sees_a_difference) {
  RunResult a = train_run(ModelKind::LSTM, 1);
  a.parameters[a.parameters.size() / 2] = std::nextafter(a.parameters[a.parameters.size() / 2], 1.0f);
  BOOST_TEST(!bit_identical(a.parameters, train_run(ModelKind::LSTM, 1).parameters));
}

BOOST_AUTO_TEST_SUITE_END()
