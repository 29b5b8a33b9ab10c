// The trainer and the use of trained models, on tiny data written to a temporary folder:
//   - training learns: on a text that repeats one sentence, validation perplexity falls close to 1 and greedy
//     generation continues the pattern (backpropagation through time works end to end);
//   - a run interrupted after epoch 1 and resumed from its .last checkpoint reproduces the uninterrupted run bit for
//     bit (losses of every epoch and final parameters), with dropout, Adam and the plateau schedule in play;
//   - the checks before resuming (another model, another vocabulary, not a training checkpoint) and of the options;
//   - early stopping, the learning-curve files, sampling determinism, and scoring consistent with evaluation.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lm/neural/evaluate.hpp"
#include "lm/neural/generate.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/text/error.hpp"
#include "lm/training/trainer.hpp"
#include "lm/training/training_checkpoint.hpp"
#include "lm_test_util.hpp"
#include "ops/parallel.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
using test::TempDir;
using test::write_varied_data;

namespace {

// train/valid/test with `lines` lines each of the same sentence.
std::string write_repeating_data(const TempDir& dir, const std::string& sentence, int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i) text += sentence + "\n";
  dir.write("train.txt", text);
  dir.write("valid.txt", text.substr(0, text.size() / 4));
  dir.write("test.txt", text.substr(0, text.size() / 4));
  return dir.path("");
}

TrainOptions quiet_options() {
  TrainOptions o;
  o.progress = false;
  return o;
}

// Adam at 0.02, clipping at 5, batches of 4 streams, no schedule: what the tiny learning tests train with.
TrainOptions tiny_adam_options(index_t bptt, int epochs) {
  TrainOptions o = quiet_options();
  o.optimizer = "adam", o.lr = 0.02f, o.clip = 5, o.batch = 4, o.bptt = bptt, o.epochs = epochs, o.schedule = "none";
  return o;
}

std::vector<float> flat_parameters(LanguageModel& model) {
  std::vector<float> out;
  for (nn::Parameter* p : model.module().parameters())
    out.insert(out.end(), p->value().span().begin(), p->value().span().end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trainer)

BOOST_AUTO_TEST_CASE(learns_a_repeating_sentence_and_generates_it) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_repeating_data(dir, "a b c d e f", 60));
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 16, cfg.nhid = 32;
  cfg.nlayers = 1;
  Rng init(1);
  LanguageModel model(cfg, init);
  const TrainOptions o = tiny_adam_options(10, 8);
  std::ostringstream log;
  const TrainResult r = Trainer(model, data, o, log).run();
  BOOST_TEST(r.epochs_completed == 8);
  BOOST_TEST(r.curve.size() == 8u);
  BOOST_TEST(std::exp(r.curve.front().valid_loss) > 2.0, log.str());  // not learned yet after one epoch
  BOOST_TEST(std::exp(r.curve.back().valid_loss) < 1.2, log.str());   // the pattern is deterministic: ppl → 1

  // Greedy generation after "c" continues "d e f </s> a b".
  NextToken next(model);
  const SavedModel view{cfg, data.vocab, data.level, {}, nullptr};
  SampleOptions so;
  so.greedy = true, so.max_tokens = 6;
  BOOST_TEST(view.decode(generate(next, view.encode("a b c"), so)) == "d e f\na b");
}

// Every model kind, composed and fused where it has both, learns a repeating sentence: the validation loss after 6
// epochs is well below the first epoch's (and below the uniform ln V).
BOOST_AUTO_TEST_CASE(loss_decreases_for_every_model) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_repeating_data(dir, "x y z w v u t", 40));
  for (ModelKind kind : {ModelKind::Window, ModelKind::RNN, ModelKind::LSTM, ModelKind::GRU})
    for (nn::CellForm form : {nn::CellForm::Fused, nn::CellForm::Composed}) {
      if (kind == ModelKind::Window && form == nn::CellForm::Composed) continue;
      ModelConfig cfg;
      cfg.kind = kind, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 8, cfg.nhid = 16;
      cfg.nlayers = 1, cfg.context = 2, cfg.form = form;
      Rng init(2);
      LanguageModel model(cfg, init);
      const TrainOptions o = tiny_adam_options(8, 6);
      std::ostringstream log;
      const TrainResult r = Trainer(model, data, o, log).run();
      const double first = r.curve.front().valid_loss, last = r.curve.back().valid_loss;
      BOOST_TEST(last < 0.5 * first, cfg.describe() << ":\n" << log.str());
      BOOST_TEST(last < 0.5 * std::log(static_cast<double>(cfg.vocab)), cfg.describe());
    }
}

// Epoch 1, save, stop; a new process-like setup resumes from .last and runs epoch 2: identical to running 2 epochs.
BOOST_AUTO_TEST_CASE(resume_continues_bit_for_bit) {
  for (ModelKind kind : {ModelKind::LSTM, ModelKind::Window}) {
    TempDir dir;
    const LmDataset data = LmDataset::load(write_varied_data(dir));
    ModelConfig cfg;
    cfg.kind = kind, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 8, cfg.nhid = 12;
    cfg.dropout = 0.3f, cfg.context = 3;
    TrainOptions o = quiet_options();
    o.optimizer = "adam", o.lr = 0.01f, o.batch = 4, o.bptt = 6, o.epochs = 2, o.schedule = "plateau";

    const auto run = [&](const std::string& save, int epochs, const std::string& resume) {
      Rng init(7);
      auto model = std::make_unique<LanguageModel>(cfg, init);
      TrainOptions oo = o;
      oo.epochs = epochs, oo.save = save;
      std::ostringstream log;
      Trainer t(*model, data, oo, log);
      if (!resume.empty()) t.resume(resume);
      const TrainResult r = t.run();
      return std::make_pair(r, flat_parameters(*model));
    };
    const auto [whole, whole_params] = run(dir.path("whole.safetensors"), 2, "");
    run(dir.path("split.safetensors"), 1, "");
    const auto [resumed, resumed_params] =
        run(dir.path("split.safetensors"), 2, Trainer::last_path(dir.path("split.safetensors")));
    const std::string what = model_kind_name(kind);
    BOOST_TEST_REQUIRE(resumed.curve.size() == 2u, what);
    for (std::size_t e = 0; e < 2; ++e) {
      BOOST_TEST(resumed.curve[e].train_loss == whole.curve[e].train_loss, what << " epoch " << e + 1);
      BOOST_TEST(resumed.curve[e].valid_loss == whole.curve[e].valid_loss, what << " epoch " << e + 1);
      BOOST_TEST(resumed.curve[e].lr == whole.curve[e].lr, what << " epoch " << e + 1);
    }
    BOOST_TEST_REQUIRE(resumed_params.size() == whole_params.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < whole_params.size(); ++i) differing += resumed_params[i] != whole_params[i];
    BOOST_TEST(differing == 0u, what << ": " << differing << " parameters differ");
    BOOST_TEST(whole.curve[1].train_loss != whole.curve[0].train_loss);  // training did move
  }
}

// Resuming from a checkpoint of another model type, or one trained on another vocabulary, is refused by name.
BOOST_AUTO_TEST_CASE(resume_refuses_another_model_or_vocabulary) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 8, cfg.nhid = 8;
  TrainOptions o = tiny_adam_options(6, 1);
  o.save = dir.path("lstm.safetensors");
  Rng init(1);
  LanguageModel lstm(cfg, init);
  std::ostringstream log;
  Trainer(lstm, data, o, log).run();
  const std::string checkpoint = Trainer::last_path(o.save);

  ModelConfig gru_cfg = cfg;
  gru_cfg.kind = ModelKind::GRU;
  LanguageModel gru(gru_cfg, init);
  o.save.clear();
  Trainer other_model(gru, data, o, log);
  BOOST_CHECK_EXCEPTION(other_model.resume(checkpoint), UsageError, [&](const UsageError& e) {
    const std::string m = e.what();
    return m.find(checkpoint) != std::string::npos && m.find("different model") != std::string::npos;
  });

  TempDir other_dir;
  const LmDataset other_data = LmDataset::load(write_repeating_data(other_dir, "only these words here", 20));
  ModelConfig same_size = cfg;
  same_size.vocab = static_cast<index_t>(other_data.vocab.size());
  LanguageModel lstm2(same_size, init);
  Trainer other_vocab(lstm2, other_data, o, log);
  BOOST_CHECK_THROW(other_vocab.resume(checkpoint), Error);  // a different model (vocabulary size) or vocabulary
}

// TrainingCheckpoint::read, the one check before resuming: it returns what the trainer wrote; it refuses the data of
// another vocabulary (UsageError naming the file) and a checkpoint without the training state (FormatError naming the
// file and the missing key); a resumed run keeps the stored options but the ones a run may change.
BOOST_AUTO_TEST_CASE(reading_a_training_checkpoint) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 6, cfg.nhid = 6;
  cfg.forget_bias = 1.0f;
  TrainOptions o = tiny_adam_options(6, 2);
  o.save = dir.path("lstm.safetensors");
  Rng init(1);
  LanguageModel model(cfg, init);
  std::ostringstream log;
  const TrainResult r = Trainer(model, data, o, log).run();

  const std::string last = Trainer::last_path(o.save);
  const TrainingCheckpoint c = TrainingCheckpoint::read(last, data);
  BOOST_TEST(c.path == last);
  BOOST_TEST(c.model.to_json() == cfg.to_json());
  BOOST_TEST(c.model.forget_bias == 1.0f);
  BOOST_TEST(c.options.to_json() == o.to_json());
  BOOST_TEST(c.epoch == 2);
  BOOST_TEST_REQUIRE(c.curve.size() == 2u);
  BOOST_TEST(c.curve[1].valid_loss == r.curve[1].valid_loss);  // the curve is stored exactly
  // Exactly, too: a resumed run compares the next validation with it, and a rounded best could flip "improved".
  BOOST_TEST(c.best_valid_loss == r.best_valid_loss);

  TrainOptions given = quiet_options();
  given.epochs = 5, given.max_seconds = 60, given.save = "elsewhere.safetensors", given.lr = 123;
  const TrainOptions resumed = c.resume_options(given);
  BOOST_TEST(resumed.epochs == 5);
  BOOST_TEST(resumed.max_seconds == 60);
  BOOST_TEST(resumed.save == "elsewhere.safetensors");
  BOOST_TEST(!resumed.progress);
  BOOST_TEST(resumed.lr == o.lr);  // the optimisation is the stored one
  BOOST_TEST(resumed.optimizer == "adam");

  TempDir other_dir;
  const LmDataset other = LmDataset::load(write_repeating_data(other_dir, "only these words here", 20));
  test::check_throws<UsageError>([&] { TrainingCheckpoint::read(last, other); },
                                 {last, "trained with another vocabulary", other.source});

  // A model saved without any training state: SavedModel reads it, resuming refuses it.
  const std::string bare = dir.path("bare.safetensors");
  nn::save_checkpoint(bare, {.model = &model.module()}, SavedModel::model_metadata(cfg, data.vocab, data.level));
  BOOST_TEST(SavedModel::load(bare).config.to_json() == cfg.to_json());
  test::check_throws<FormatError>([&] { TrainingCheckpoint::read(bare, data); },
                                  {bare, "not a tapegrad training checkpoint", TrainingCheckpoint::kOptionsKey});
}

// The training options are checked in one place (TrainOptions::validate): the trainer refuses what it refuses, and a
// checkpoint holding such options is a malformed file.
BOOST_AUTO_TEST_CASE(options_are_validated_in_one_place) {
  const auto refused = [](auto change, const std::string& piece) {
    TrainOptions o = quiet_options();
    change(o);
    test::check_throws<UsageError>([&] { o.validate(); }, {piece});
    test::check_throws<FormatError>([&] { TrainOptions::from_json(o.to_json(), "c.safetensors"); },
                                    {"c.safetensors", piece});
    return o;
  };
  refused([](TrainOptions& o) { o.optimizer = "adagrad"; }, "unknown optimizer 'adagrad'");
  refused([](TrainOptions& o) { o.schedule = "cosine"; }, "unknown schedule 'cosine'");
  refused([](TrainOptions& o) { o.batch = 0; }, "must be positive");
  refused([](TrainOptions& o) { o.bptt = -1; }, "must be positive");
  refused([](TrainOptions& o) { o.eval_batch = 0; }, "must be positive");
  refused([](TrainOptions& o) { o.epochs = -1; }, "epochs non-negative");
  const TrainOptions bad_clip = refused([](TrainOptions& o) { o.clip = -1; }, "clipping norm");
  quiet_options().validate();  // the defaults are fine

  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  ModelConfig cfg;
  cfg.kind = ModelKind::RNN, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 4, cfg.nhid = 4;
  Rng init(1);
  LanguageModel model(cfg, init);
  std::ostringstream log;
  test::check_throws<UsageError>([&] { Trainer(model, data, bad_clip, log); }, {"clipping norm"});
  BOOST_TEST((parse_optimizer("adamw") == OptimizerKind::AdamW));
  BOOST_TEST((parse_schedule("none") == ScheduleKind::None));
}

// With lr = 0 the validation loss never improves after the first epoch: patience 2 stops after epoch 3; the curve
// files hold one row / point per epoch; the best checkpoint rebuilds the same model.
BOOST_AUTO_TEST_CASE(early_stopping_and_files) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  ModelConfig cfg;
  cfg.kind = ModelKind::GRU, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 8, cfg.nhid = 8;
  Rng init(2);
  LanguageModel model(cfg, init);
  TrainOptions o = quiet_options();
  o.lr = 0.0f, o.epochs = 10, o.patience = 2, o.batch = 4, o.bptt = 5, o.save = dir.path("gru.safetensors");
  std::ostringstream log;
  const TrainResult r = Trainer(model, data, o, log).run();
  BOOST_TEST(r.stopped_early);
  BOOST_TEST(r.epochs_completed == 3);
  std::ifstream csv(Trainer::curve_path(o.save, "csv"));
  std::string line;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  BOOST_TEST(rows == 1 + 3);
  std::ifstream svg(Trainer::curve_path(o.save, "svg"));
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("<svg") != std::string::npos);
  BOOST_TEST(text.find("<polyline") != std::string::npos);

  SavedModel saved = SavedModel::load(o.save);
  BOOST_TEST(saved.config.to_json() == cfg.to_json());
  const Perplexity a = evaluate(model, data.test), b = evaluate(*saved.model, data.test);
  BOOST_TEST(a.loss == b.loss);
}

// Σ log P(token) over a text, token by token, equals −N · (mean loss) of evaluate() with one stream.
BOOST_AUTO_TEST_CASE(scoring_agrees_with_evaluation) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  for (ModelKind kind : {ModelKind::RNN, ModelKind::Window}) {
    ModelConfig cfg;
    cfg.kind = kind, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 6, cfg.nhid = 10,
    cfg.context = 2;
    Rng init(4);
    LanguageModel model(cfg, init);
    const std::vector<std::int32_t> text(data.test.begin(), data.test.begin() + 40);
    PerplexityOptions eo;
    eo.batch = 1, eo.bptt = 7;
    const Perplexity p = evaluate(model, text, eo);
    NextToken next(model);
    double total = 0;
    for (double v : token_log_probs(next, text)) total += v;
    BOOST_TEST(p.tokens == 40);
    BOOST_TEST(-total / 40.0 == p.loss, boost::test_tools::tolerance(1e-5));
  }
}

BOOST_AUTO_TEST_CASE(sampling_is_deterministic_for_a_seed) {
  TempDir dir;
  const LmDataset data = LmDataset::load(write_varied_data(dir));
  ModelConfig cfg;
  cfg.kind = ModelKind::LSTM, cfg.vocab = static_cast<index_t>(data.vocab.size()), cfg.emsize = 6, cfg.nhid = 8;
  cfg.init_range = 1.0f;  // a peaked, varied distribution even untrained
  Rng init(5);
  LanguageModel model(cfg, init);
  NextToken next(model);
  SampleOptions so;
  so.max_tokens = 30, so.seed = 11, so.temperature = 0.9, so.top_k = 5;
  const auto a = generate(next, {}, so), b = generate(next, {}, so);
  so.seed = 12;
  const auto c = generate(next, {}, so);
  BOOST_TEST(a == b, boost::test_tools::per_element());
  BOOST_TEST(a != c);
  const auto top = top_next(next, {}, 4);
  BOOST_TEST_REQUIRE(top.size() == 4u);
  double sum = 0;
  for (std::size_t i = 0; i < top.size(); ++i) {
    sum += top[i].second;
    if (i) BOOST_TEST(top[i].second <= top[i - 1].second);
  }
  BOOST_TEST(sum <= 1.0 + 1e-6);
  so.temperature = 0;
  BOOST_CHECK_THROW(generate(next, {}, so), UsageError);
}

BOOST_AUTO_TEST_SUITE_END()

// One text file split by token position: 100 lines of 9 tokens each (8 words + </s>) give 900 tokens, so 90/10/0
// is 90 lines of train, 10 of valid and no test; 80/15/5 is 80, 15 and 5 lines.
BOOST_AUTO_TEST_CASE(single_file_split_by_percentages) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 100; ++i) text += "w" + std::to_string(i % 7) + " a b c d e f g\n";
  const std::string path = dir.write("all.txt", text);
  DatasetOptions o;
  o.valid_percent = 10, o.test_percent = 0;
  LmDataset d = LmDataset::load(path, o);
  BOOST_TEST(d.train.size() == 90u * 9);
  BOOST_TEST(d.valid.size() == 10u * 9);
  BOOST_TEST(d.test.empty());
  o.valid_percent = 15, o.test_percent = 5;
  d = LmDataset::load(path, o);
  BOOST_TEST(d.train.size() == 80u * 9);
  BOOST_TEST(d.valid.size() == 15u * 9);
  BOOST_TEST(d.test.size() == 5u * 9);
  o.valid_percent = 0;
  BOOST_CHECK_THROW(LmDataset::load(path, o), UsageError);
  o.valid_percent = 60, o.test_percent = 40;
  BOOST_CHECK_THROW(LmDataset::load(path, o), UsageError);
}
