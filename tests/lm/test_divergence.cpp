// Divergence: training that blows up stops with DivergenceError naming the update that did it, and leaves only
// checkpoints with finite values — the language-model trainer (lm/training/trainer.hpp) and the sequence tasks'
// loop (lm/sequence/task_trainer.hpp). Plus the options that would make a run diverge from the start (an infinite
// --init-range, a NaN learning rate) refused up front, and the list of files a run really wrote.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/functions.hpp"
#include "lm/neural/evaluate.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/sequence/task_trainer.hpp"
#include "lm/training/trainer.hpp"
#include "lm/training/training_checkpoint.hpp"
#include "lm_test_util.hpp"
#include "nn/finite_values.hpp"
#include "nn/safetensors.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
using test::check_throws;
using test::TempDir;
using test::write_varied_data;
namespace st = tapegrad::nn::safetensors;

namespace {

ModelConfig small_lstm(const LmDataset& data) {
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 8, cfg.nhid = 8;
  cfg.nlayers = 1, cfg.dropout = 0;
  return cfg;
}

TrainOptions one_batch_per_epoch(const std::string& save, int epochs) {
  TrainOptions o;
  o.progress = false, o.optimizer = "sgd", o.lr = 1, o.clip = 0.25f, o.schedule = "none";
  o.batch = 4, o.bptt = 400, o.epochs = epochs, o.save = save;
  return o;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Rewrites the learning rate a checkpoint's optimizer state records (what a resumed run continues with).
void set_recorded_lr(const std::string& path, const std::string& lr) {
  const st::File f = st::File::read(path);
  std::vector<st::TensorRef> tensors;
  for (const st::TensorInfo& t : f.tensors()) tensors.push_back({t.name, t.dtype, t.shape, f.data(t)});
  st::Metadata meta = f.metadata();
  meta.erase(std::string(st::kChecksumKey));  // the writer adds its own
  meta.at("tapegrad.optim.lr") = lr;
  st::write(path, tensors, meta);
}

// Every F32 value of the file is finite.
bool all_finite(const std::string& path) {
  const st::File f = st::File::read(path);
  for (const st::TensorInfo& t : f.tensors())
    if (t.dtype == st::DType::F32 && nn::first_non_finite_f32_bytes(f.data(t))) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(divergence)

// Issue 13, D8: with one batch per epoch, an update that makes the model blow up is the epoch's last. The old
// trainer validated (loss ∞), saved that state as .last anyway, and reported the divergence one epoch later, at the
// next epoch's first step. Now: the error names the epoch and step of the bad update, the files on disk are the
// last good epoch's, and the best model still evaluates to a finite perplexity.
BOOST_AUTO_TEST_CASE(divergence_at_the_last_step_of_an_epoch_names_it_and_keeps_the_good_files) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  const std::string save = dir.path("m.safetensors"), last = Trainer::last_path(save);
  {  // epoch 1 at a sane learning rate
    Rng init(1);
    LanguageModel model(small_lstm(data), init);
    std::ostringstream log;
    const TrainResult r = Trainer(model, data, one_batch_per_epoch(save, 1), log).run();
    BOOST_REQUIRE(r.epochs_completed == 1);
  }
  // Epoch 2 continues from .last at 3e38: its one update sends the parameters to ~1e37, validation to ∞.
  set_recorded_lr(last, "3e38");
  const std::string best_before = slurp(save), last_before = slurp(last);
  const TrainingCheckpoint c = TrainingCheckpoint::read(last, data);
  Rng init(1);
  LanguageModel model(c.model, init);
  std::ostringstream log;
  Trainer trainer(model, data, c.resume_options(one_batch_per_epoch(save, 3)), log);
  trainer.resume(c);
  check_throws<DivergenceError>([&] { trainer.run(); },
                                {"training diverged", "after the update of epoch 2, step 1 of 1"});

  BOOST_TEST((slurp(save) == best_before));  // nothing was written after the bad update
  BOOST_TEST((slurp(last) == last_before));
  BOOST_TEST(all_finite(save));
  BOOST_TEST(all_finite(last));
  const SavedModel best = SavedModel::load(save);
  PerplexityOptions eo;
  const double loss = evaluate(*best.model, data.test, eo).loss;
  BOOST_TEST(std::isfinite(loss));
  BOOST_TEST(std::exp(loss) < static_cast<double>(data.vocab.size()) * 2);
}

// The same from the first epoch: no checkpoint at all is left (none was ever good), and the message says so.
BOOST_AUTO_TEST_CASE(divergence_in_the_first_epoch_writes_nothing) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  const std::string save = dir.path("m.safetensors");
  Rng init(1);
  LanguageModel model(small_lstm(data), init);
  TrainOptions o = one_batch_per_epoch(save, 3);
  o.lr = 3e38f;
  std::ostringstream log;
  Trainer trainer(model, data, o, log);
  check_throws<DivergenceError>([&] { trainer.run(); },
                                {"the validation loss is", "after the update of epoch 1, step 1 of 1"});
  BOOST_TEST(!std::filesystem::exists(save));
  BOOST_TEST(!std::filesystem::exists(Trainer::last_path(save)));
}

// Issue 13 (minor): --init-range inf was reported as "training diverged … try a lower --lr". Now the trainer refuses
// it up front, naming the option.
BOOST_AUTO_TEST_CASE(an_unusable_initialisation_is_named_as_such) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  ModelConfig cfg = small_lstm(data);
  cfg.init_range = std::numeric_limits<float>::infinity();
  Rng init(1);
  // The configuration refuses it before any weight is drawn (ModelConfig::validate, which checkpoints go through too).
  check_throws<UsageError>([&] { LanguageModel infinite(cfg, init); }, {"init_range", "finite"});
}

BOOST_AUTO_TEST_CASE(non_finite_options_are_refused_naming_the_flag) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  TrainOptions o;
  o.lr = nan;
  check_throws<UsageError>([&] { o.validate(); }, {"--lr"});
  o = TrainOptions{}, o.lr = inf;
  check_throws<UsageError>([&] { o.validate(); }, {"--lr"});
  o = TrainOptions{}, o.clip = inf;
  check_throws<UsageError>([&] { o.validate(); }, {"--clip"});
  o = TrainOptions{}, o.weight_decay = -1;
  check_throws<UsageError>([&] { o.validate(); }, {"--weight-decay"});
  o = TrainOptions{}, o.max_seconds = std::nan("");
  check_throws<UsageError>([&] { o.validate(); }, {"--max-time"});
  o = TrainOptions{}, o.max_seconds = -1;
  check_throws<UsageError>([&] { o.validate(); }, {"--max-time"});
  TrainOptions{}.validate();  // the defaults are fine
}

// Issue 13 (minor): `--epochs 0` printed "wrote m.safetensors" though nothing was written. The run now lists the
// files it wrote, for the caller to report.
BOOST_AUTO_TEST_CASE(the_result_lists_the_files_written) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  const std::string save = dir.path("m.safetensors");
  Rng init(1);
  LanguageModel model(small_lstm(data), init);
  std::ostringstream log;
  const TrainResult none = Trainer(model, data, one_batch_per_epoch(save, 0), log).run();
  BOOST_TEST(none.files_written.empty());
  BOOST_TEST(!std::filesystem::exists(save));

  const TrainResult two = Trainer(model, data, one_batch_per_epoch(save, 2), log).run();
  const std::vector<std::string> expected = {save, Trainer::last_path(save), Trainer::curve_path(save, "csv"),
                                             Trainer::curve_path(save, "svg")};
  BOOST_TEST(two.files_written == expected, boost::test_tools::per_element());
  for (const std::string& f : two.files_written) BOOST_TEST(std::filesystem::exists(f), f);
}

// The sequence tasks' loop: a learning rate multiplied by 1e38 after epoch 1 blows up epoch 2's one update. The old
// loop reported it at epoch 3; now the error names epoch 2's update, and on_best (the caller's checkpoint) only ever
// saw the finite epoch 1.
BOOST_AUTO_TEST_CASE(task_trainer_names_the_bad_update_and_never_keeps_a_non_finite_best) {
  class Scalar : public nn::Module {
   public:
    Scalar() : w(add_parameter("w", Shape{1})) { w.value()[0] = 1.0f; }
    nn::Parameter& w;
  } model;
  const std::vector<std::size_t> lengths = {1, 1, 1, 1};
  const BatchLoss loss_of_batch = [&](autograd::Tape& tape, std::span<const std::size_t>, Rng&) {
    const autograd::Var w = model.w.var(tape);
    return autograd::sum(autograd::mul(w, w));  // w², minimised at 0
  };
  const auto validate = [&] {
    const double w = model.w.value()[0];
    return -static_cast<double>(static_cast<float>(w * w));  // −w² in float: −∞ once |w| > ~1.8e19
  };
  TaskTrainOptions o;
  o.epochs = 3, o.batching.batch_size = 4, o.lr = 1e-3f, o.lr_decay = 1e38f, o.clip = 0, o.progress = false;
  std::vector<std::size_t> best_epochs;
  std::vector<float> best_values;
  std::ostringstream log;
  check_throws<DivergenceError>(
      [&] {
        train_task(model, lengths, loss_of_batch, validate, o, log, [&](const TaskEpoch& e) {
          best_epochs.push_back(e.epoch);
          best_values.push_back(model.w.value()[0]);
        });
      },
      {"training diverged", "after the update of epoch 2, batch 1 of 1"});
  BOOST_TEST(best_epochs == std::vector<std::size_t>{1}, boost::test_tools::per_element());
  BOOST_TEST(std::isfinite(best_values.at(0)));
}

BOOST_AUTO_TEST_SUITE_END()
