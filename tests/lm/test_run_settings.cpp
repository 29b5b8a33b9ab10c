// What a resumed run keeps, the settings as stored, the time limit and the JSON log (issue 14):
//   - a training checkpoint records how its data was read (level, split, min-count, encoding) and
//     TrainingCheckpoint::read returns it before any data is read; a checkpoint without it still reads (level only);
//   - run_settings / changed_settings name exactly the flags the user gave whose value differs from the stored one;
//   - floats are stored as the decimal that was typed ("lr":0.002, "dropout":0.3), not the widened double;
//   - Trainer with max_seconds stops within the budget; evaluate_final cuts the splits to the time left;
//   - options.json: every log line is one JSON object.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "lm/text/error.hpp"
#include "lm/training/final_evaluation.hpp"
#include "lm/training/run_settings.hpp"
#include "lm/training/trainer.hpp"
#include "lm/training/training_checkpoint.hpp"
#include "lm_test_util.hpp"
#include "nn/safetensors.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
using test::TempDir;

namespace {

ModelConfig small_lstm(const LmDataset& data) {
  ModelConfig c;
  c.kind = ModelKind::LSTM, c.vocab = static_cast<index_t>(data.vocab.size()), c.emsize = 6, c.nhid = 6;
  c.nlayers = 1, c.dropout = 0.3f;
  return c;
}

TrainOptions small_options(const std::string& save) {
  TrainOptions o;
  o.progress = false, o.optimizer = "adam", o.lr = 0.002f, o.batch = 4, o.bptt = 6, o.epochs = 1;
  o.schedule = "none", o.save = save;
  return o;
}

// One text file of random sentences, split 80/10/10 and read at the char level.
LmDataset char_data(const TempDir& dir) {
  const std::string folder = test::write_varied_data(dir);
  std::ifstream in(folder + "/train.txt");
  std::stringstream text;
  text << in.rdbuf();
  DatasetOptions o;
  o.level = TokenLevel::Char, o.valid_percent = 10, o.test_percent = 10, o.min_count = 2;
  return LmDataset::load(dir.write("all.txt", text.str()), o);
}

}  // namespace

BOOST_AUTO_TEST_CASE(dataset_options_round_trip_and_refusals) {
  DatasetOptions o;
  o.level = TokenLevel::Char, o.min_count = 3, o.encoding = TextEncoding::Latin1, o.valid_percent = 10;
  o.test_percent = 0;
  BOOST_TEST(o.split() == "90/10/0");
  const DatasetOptions back = DatasetOptions::from_json(o.to_json(), "x");
  BOOST_TEST(back.to_json() == o.to_json());
  BOOST_TEST((back.level == TokenLevel::Char && back.min_count == 3u && back.test_percent == 0));
  test::check_throws<FormatError>([] { DatasetOptions::from_json(R"({"level":"byte"})", "f.safetensors"); },
                                  {"f.safetensors", "bad data options"});
  test::check_throws<FormatError>(
      [] {
        DatasetOptions::from_json(R"({"level":"word","min_count":1,"encoding":"utf8","split":"90/20/5"})", "f");
      },
      {"split '90/20/5'"});
}

// The checkpoint records the data options and the typed decimals; read(path) returns them without the data.
BOOST_AUTO_TEST_CASE(checkpoint_records_how_the_data_was_read) {
  TempDir dir;
  const LmDataset data = char_data(dir);
  Rng init(1);
  LanguageModel model(small_lstm(data), init);
  std::ostringstream log;
  const TrainOptions o = small_options(dir.path("m.safetensors"));
  Trainer(model, data, o, log).run();

  const std::string last = Trainer::last_path(o.save);
  const TrainingCheckpoint c = TrainingCheckpoint::read(last);  // no data needed
  BOOST_TEST(c.data_options_stored);
  BOOST_TEST(c.data_options.to_json() == data.options.to_json());
  BOOST_TEST((c.data_options.level == TokenLevel::Char && c.data_options.min_count == 2u));
  BOOST_TEST(c.data_options.split() == "80/10/10");
  BOOST_CHECK_NO_THROW(c.check_data(data));

  // The stored JSON holds the decimals as typed.
  const nn::Metadata meta = nn::safetensors::File::read(last).metadata();
  const std::string options = meta.at(TrainingCheckpoint::kOptionsKey), config = meta.at("model_config");
  BOOST_TEST(options.find("\"lr\":0.002,") != std::string::npos, options);
  BOOST_TEST(options.find("\"clip\":0.25,") != std::string::npos, options);
  BOOST_TEST(config.find("\"dropout\":0.3,") != std::string::npos, config);
  BOOST_TEST(config.find("\"init_range\":0.1,") != std::string::npos, config);
  BOOST_TEST(TrainOptions::from_json(options, "x").lr == 0.002f);  // and read back to the same float

  // Data read another way (the word level) is refused, naming the level.
  DatasetOptions words = data.options;
  words.level = TokenLevel::Word;
  const LmDataset as_words = LmDataset::load(data.source, words);
  test::check_throws<UsageError>([&] { c.check_data(as_words); }, {last, "char level"});
}

BOOST_AUTO_TEST_CASE(changed_settings_names_only_given_flags_that_differ) {
  DatasetOptions d;
  ModelConfig m;
  TrainOptions o;
  const auto stored = run_settings(d, m, o);
  DatasetOptions d2 = d;
  d2.level = TokenLevel::Char;
  ModelConfig m2 = m;
  m2.nhid = 64, m2.emsize = 300;
  TrainOptions o2 = o;
  o2.lr = 0.1f, o2.epochs = 99;  // epochs is no setting of the run
  const auto given = run_settings(d2, m2, o2);
  BOOST_TEST(given.size() == stored.size());
  // the user typed --nhid 64 --lr 0.1 --level char (and --momentum, equal to the stored value), not --emsize
  const auto changes = changed_settings(given, stored, [](const std::string& flag) {
    return flag == "--nhid" || flag == "--lr" || flag == "--level" || flag == "--momentum" || flag == "--epochs";
  });
  BOOST_TEST_REQUIRE(changes.size() == 3u);
  BOOST_TEST(changes[0].flag == "--level");
  BOOST_TEST((changes[0].given == "char" && changes[0].stored == "word"));
  BOOST_TEST(changes[1].flag == "--nhid");
  BOOST_TEST((changes[1].given == "64" && changes[1].stored == "200"));
  BOOST_TEST(changes[2].flag == "--lr");
  BOOST_TEST((changes[2].given == "0.1" && changes[2].stored == "20"));
}

// A budget below one epoch (on a busy machine; a fast one may finish one or two): run() stops, and the time spent
// stays within it plus one batch and the cut final evaluation (+50%: under the sanitizers, beside another test, a
// batch and the evaluation's start took 0.16 s; a limit checked only per epoch would overrun by seconds).
BOOST_AUTO_TEST_CASE(time_limit_is_checked_every_batch) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "the cat sat on the mat and the dog ran to the red mat\n";
  const LmDataset data = LmDataset::load(dir.write("big.txt", text), {});
  ModelConfig c = small_lstm(data);
  c.emsize = c.nhid = 64;
  Rng init(1);
  LanguageModel model(c, init);
  TrainOptions o = small_options("");
  o.max_seconds = 1, o.epochs = 100, o.batch = 2, o.json = true;
  const auto start = std::chrono::steady_clock::now();
  o.clock_start = start;
  std::ostringstream log;
  const TrainResult r = Trainer(model, data, o, log).run();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(r.out_of_time);
  BOOST_TEST(r.epochs_completed < 100);
  BOOST_TEST(took < 1.5, "took " << took << " s of a 1 s budget");
  BOOST_TEST(r.eval_seconds_per_token > 0);
  // every line one JSON object
  std::istringstream lines(log.str());
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    const nlohmann::json j = nlohmann::json::parse(line);
    BOOST_TEST(j.is_object());
    BOOST_TEST((j["type"] == "epoch" || j["type"] == "time_limit"), line);
  }
  BOOST_TEST(n == r.epochs_completed + 1);  // one line per epoch, then the time_limit line
}

BOOST_AUTO_TEST_CASE(final_evaluation_fits_the_time_left) {
  TempDir dir;
  const LmDataset data = char_data(dir);
  Rng init(1);
  LanguageModel model(small_lstm(data), init);
  FinalEvaluationOptions o;
  o.eval.batch = 2, o.eval.bptt = 5;
  const FinalEvaluation whole = evaluate_final(model, data, o);  // no limit
  BOOST_TEST((!whole.skipped && !whole.capped()));
  BOOST_TEST(whole.valid.used == static_cast<index_t>(data.valid.size()));
  BOOST_TEST(whole.test.used == static_cast<index_t>(data.test.size()));

  o.limited = true, o.seconds_left = 0;  // none left
  BOOST_TEST(evaluate_final(model, data, o).skipped);

  // 1 ms per token and 0.1 s left: 90 tokens in all, shared in proportion to the splits' sizes
  o.seconds_left = 0.1, o.seconds_per_token = 1e-3;
  const FinalEvaluation cut = evaluate_final(model, data, o);
  BOOST_TEST(cut.capped());
  BOOST_TEST(cut.valid.used + cut.test.used <= 90);
  BOOST_TEST(cut.valid.used >= 10);  // at least one window per stream
  BOOST_TEST(cut.valid.total == static_cast<index_t>(data.valid.size()));
}
