// Data-parallel training (lm::Trainer with a Communicator of several ranks) against one process with the same
// global batch, and against itself.
//
// Equivalence: every rank also trains the single-process reference itself (the same model, data and seed through
// SoloCommunicator), so both runs are in the same process and compared directly. With eval_interval = 1 the learning
// curve has one point per step whose training loss is that step's global-batch loss, which must agree to 1e-5
// relative over more than 50 steps. The parameters can differ only through the order of float sums: the rank's
// backward sums its share of the tokens, then the ranks' sums are added. Each step's gradient may then differ by a few
// units in the last place of its terms (ε = 2⁻²⁴ relative, times the number of terms, B·T ≤ 60 here); after S steps of
// learning rate lr, and with training's own amplification of small differences, the bound used is
//     |Δθ| ≤ S · lr · 60 ε · max|g| ≈ 60 · 1 · 60 · 6·10⁻⁸ · 0.25 ≈ 5·10⁻⁵   (clip 0.25 bounds the gradient norm)
// and 10⁻⁴ is checked.
//
// Determinism: the same seed and rank count give the same bits, run after run, and every rank holds the same bits.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "distributed/world.hpp"
#include "lm/lm_test_util.hpp"
#include "lm/neural/model.hpp"
#include "lm/text/dataset.hpp"
#include "lm/training/trainer.hpp"
#include "nn/parameter_block.hpp"

namespace tapegrad::test {

namespace {

struct Run {
  std::vector<double> step_losses;  // the training loss of every step (eval_interval 1)
  std::vector<float> parameters;    // at the end
  nn::ReducerStats sums;            // what the gradient sums sent
};

lm::TrainOptions options_for(index_t batch) {
  lm::TrainOptions o;
  o.batch = batch;
  o.bptt = 5;
  o.epochs = 2;
  o.lr = 1.0f;
  o.clip = 0.25f;
  o.schedule = "none";
  o.eval_interval = 1;  // a curve point after every step: its training loss is that step's
  o.max_valid_tokens = 40;
  o.progress = false;
  o.seed = 77;
  return o;
}

Run train(const lm::LmDataset& data, lm::ModelConfig config, const lm::TrainOptions& options, nn::Communicator& comm,
          nn::ReducerOptions reducer = {}) {
  config.vocab = static_cast<index_t>(data.vocab.size());
  Rng init(options.seed);
  lm::LanguageModel model(config, init);
  std::ostringstream log;
  lm::Trainer trainer(model, data, options, log, comm, reducer);
  const lm::TrainResult result = trainer.run();
  Run run;
  for (const lm::CurvePoint& p : result.curve) run.step_losses.push_back(p.train_loss);
  run.sums = result.communication;
  const auto values = model.module().parameter_block()->values();
  run.parameters.assign(values.begin(), values.end());
  return run;
}

void check_equivalent(const Run& ranks, const Run& single) {
  BOOST_TEST_REQUIRE(ranks.step_losses.size() == single.step_losses.size());
  BOOST_TEST(ranks.step_losses.size() >= 50u);
  for (std::size_t i = 0; i < ranks.step_losses.size(); ++i)
    BOOST_TEST(std::abs(ranks.step_losses[i] - single.step_losses[i]) <= 1e-5 * std::abs(single.step_losses[i]),
               "step " << i << ": " << ranks.step_losses[i] << " on the ranks, " << single.step_losses[i] << " alone");
  BOOST_TEST_REQUIRE(ranks.parameters.size() == single.parameters.size());
  double worst = 0;
  for (std::size_t i = 0; i < ranks.parameters.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(ranks.parameters[i] - single.parameters[i])));
  BOOST_TEST(worst <= 1e-4, "largest parameter difference " << worst);
  BOOST_TEST(ranks.parameters != single.parameters);  // not trivially equal: the sums did run in another order
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Every rank's parameters are rank 0's, bit for bit.
void check_same_on_every_rank(nn::Communicator& comm, const std::vector<float>& mine) {
  std::vector<float> root = mine;
  comm.broadcast(std::span<float>(root), 0);
  BOOST_TEST(same_bits(mine, root), "rank " << comm.rank() << " holds other parameters than rank 0");
}

lm::ModelConfig lstm() {
  lm::ModelConfig c;
  c.kind = lm::ModelKind::LSTM;
  c.emsize = 8;
  c.nhid = 12;
  c.nlayers = 2;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(data_parallel)

// The recurrent model: each rank its streams of the batch; 6 streams split 3/3 or 2/2/2.
BOOST_AUTO_TEST_CASE(lstm_ranks_train_the_model_one_process_trains) {
  lm::test::TempDir dir;
  const lm::LmDataset data = lm::LmDataset::load(lm::test::write_varied_data(dir));
  const lm::TrainOptions o = options_for(6);
  const Run ranks = train(data, lstm(), o, world());
  const Run single = train(data, lstm(), o, nn::solo_communicator());
  check_equivalent(ranks, single);
  check_same_on_every_rank(world(), ranks.parameters);
}

// Uneven shares (7 streams: 4/3 or 3/2/2), each rank's gradient weighted by its share; small buckets (many sums
// started during backward) and the embedding summed by rows: a vocabulary of 400 words, of which a step's 35 tokens
// touch few.
BOOST_AUTO_TEST_CASE(uneven_shares_and_small_buckets) {
  lm::test::TempDir dir;
  Rng words(5);
  const auto lines = [&](int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      for (int w = 0; w < 8; ++w) {  // word k with a probability falling with k
        const auto k = static_cast<int>(words.uniform_int(20) * words.uniform_int(20));
        text += "w" + std::to_string(k) + (w < 7 ? " " : "\n");
      }
    }
    return text;
  };
  dir.write("train.txt", lines(120));
  dir.write("valid.txt", lines(10));
  dir.write("test.txt", lines(10));
  const lm::LmDataset data = lm::LmDataset::load(dir.path(""));
  lm::TrainOptions o = options_for(7);
  o.epochs = 3;  // 22 windows an epoch
  lm::ModelConfig gru = lstm();
  gru.kind = lm::ModelKind::GRU;
  nn::ReducerOptions small;
  small.bucket_bytes = 256;
  const Run ranks = train(data, gru, o, world(), small);
  const Run single = train(data, gru, o, nn::solo_communicator());
  check_equivalent(ranks, single);
  BOOST_TEST(ranks.sums.buckets_overlapped > 0);  // sums started while backward ran
  BOOST_TEST(ranks.sums.backward_left_at_first_sum > 0.1 * static_cast<double>(ranks.step_losses.size()));
  BOOST_TEST(ranks.sums.row_floats > 0);          // the embedding, by rows: 35 tokens a step, 400 words
  BOOST_TEST(single.sums.buckets == 0);
  check_same_on_every_rank(world(), ranks.parameters);
}

// The window model: each rank its share of each batch's examples. The batch size is chosen so that the epoch's
// last batch has fewer examples than there are ranks: some rank then has none, and must still take part.
BOOST_AUTO_TEST_CASE(window_model_with_a_rank_left_without_examples) {
  lm::test::TempDir dir;
  const lm::LmDataset data = lm::LmDataset::load(lm::test::write_varied_data(dir));
  const auto examples = static_cast<index_t>(data.train.size());
  index_t batch = 20;
  while (examples % batch == 0 || examples % batch >= world().size()) ++batch;  // a last batch of 1 … N−1 examples
  lm::TrainOptions o = options_for(batch);
  o.epochs = 2 + 50 / ((examples + batch - 1) / batch);  // at least 50 steps
  lm::ModelConfig window;
  window.kind = lm::ModelKind::Window;
  window.emsize = 6;
  window.nhid = 10;
  window.context = 3;
  const Run ranks = train(data, window, o, world());
  const Run single = train(data, window, o, nn::solo_communicator());
  check_equivalent(ranks, single);
  check_same_on_every_rank(world(), ranks.parameters);
}

BOOST_AUTO_TEST_CASE(same_seed_and_ranks_give_the_same_bits) {
  lm::test::TempDir dir;
  const lm::LmDataset data = lm::LmDataset::load(lm::test::write_varied_data(dir));
  lm::TrainOptions o = options_for(6);
  lm::ModelConfig c = lstm();
  c.dropout = 0.3f;  // each rank draws its own masks: still reproducible
  const Run first = train(data, c, o, world());
  const Run second = train(data, c, o, world());
  BOOST_TEST(first.step_losses == second.step_losses);
  BOOST_TEST(same_bits(first.parameters, second.parameters));
  check_same_on_every_rank(world(), first.parameters);
}

BOOST_AUTO_TEST_CASE(a_batch_smaller_than_the_ranks_is_refused) {
  lm::test::TempDir dir;
  const lm::LmDataset data = lm::LmDataset::load(lm::test::write_varied_data(dir));
  const lm::TrainOptions o = options_for(1);
  lm::ModelConfig c = lstm();
  c.vocab = static_cast<index_t>(data.vocab.size());
  Rng init(o.seed);
  lm::LanguageModel model(c, init);
  std::ostringstream log;
  lm::Trainer trainer(model, data, o, log, world());
  lm::test::check_throws<UsageError>([&] { trainer.run(); }, {"--batch-size 1", "ranks"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace tapegrad::test
