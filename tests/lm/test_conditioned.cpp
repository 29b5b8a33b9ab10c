// The class-conditioned language model (lm/conditioned/) on toy data: gradient checks of the whole model (label
// embedding at every step, the label's initial state, a padded batch), the loss of a padded batch against its
// sentences alone, a toy task where the label decides the words (label 0 → "a a a", label 1 → "b b b") learned
// so that sampling with each label writes that label's words, determinism, a checkpoint round trip, and the errors.
#define BOOST_TEST_MODULE tapegrad_lm_conditioned
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "autograd/functions.hpp"
#include "lm/conditioned/conditioned_generate.hpp"
#include "lm/conditioned/train_conditioned.hpp"
#include "lm/text/error.hpp"
#include "nn/gradcheck.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
namespace ag = tapegrad::autograd;

namespace {

LabelledSentence sentence(const std::string& text, int label) {
  return LabelledSentence{split_on_space(text), label, 0, 0};
}

// Labelled sentences of different lengths over a small vocabulary.
LabelledCorpus small_corpus() {
  LabelledCorpus c;
  c.source = "<small>";
  c.label_names = {"negative", "positive"};
  c.sentences = {sentence("a dull film", 0), sentence("a fine film indeed", 1), sentence("dull", 0),
                 sentence("fine fine", 1), sentence("a film", 0)};
  return c;
}

// label 0 → "a a a", label 1 → "b b b", `n` of each, interleaved.
LabelledCorpus toy_corpus(int n) {
  LabelledCorpus c;
  c.source = "<toy>";
  c.label_names = {"zero", "one"};
  for (int i = 0; i < n; ++i) {
    c.sentences.push_back(sentence("a a a", 0));
    c.sentences.push_back(sentence("b b b", 1));
  }
  return c;
}

ConditionedConfig tiny_config(nn::CellType cell, bool label_state, index_t layers) {
  ConditionedConfig c;
  c.cell = cell;
  c.layers = layers;
  c.hidden = 4;
  c.word_dim = 3;
  c.label_dim = 2;
  c.label_state = label_state;
  c.dropout = 0.0f;
  return c;
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("tapegrad_test_conditioned_" + name);
}

ConditionedTrainResult train_toy(std::uint64_t seed, const std::string& save = "") {
  ConditionedTrainSpec spec;
  spec.model = tiny_config(nn::CellType::LSTM, true, 1);
  spec.model.hidden = 8;
  spec.min_count = 1;
  spec.train.epochs = 6;
  spec.train.lr = 0.05f;
  spec.train.batching.batch_size = 8;
  spec.train.seed = seed;
  spec.train.progress = false;
  spec.save = save;
  const LabelledCorpus toy = toy_corpus(40);
  std::ostringstream log;
  return train_conditioned(toy, toy, spec, log);
}

std::string sample_text(ConditionedLM& model, const std::string& label, std::uint64_t seed, double temperature) {
  ConditionedSampleOptions o;
  o.sample.seed = seed;
  o.sample.temperature = temperature;
  return model.decode(generate_conditioned(model, model.label_id(label), {}, o));
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_encoded_sentences_are_framed_by_end_of_sentence) {
  const LabelledCorpus c = small_corpus();
  Rng rng(1);
  ConditionedLM model(tiny_config(nn::CellType::LSTM, true, 1), Vocab::build(c.token_corpus(), 2), c.label_names, rng);
  // count ≥ 2: a (3), film (3), fine (3), dull (2); "indeed" (1) is <unk>.
  BOOST_TEST(model.vocab().size() == 6u);
  const ConditionedSentences s = model.encode(c);
  BOOST_TEST(s.size() == 5u);
  BOOST_TEST(s.oov == 1u);
  const auto eos = static_cast<std::int32_t>(Vocab::kEos);
  const std::vector<std::int32_t> second{eos,
                                         static_cast<std::int32_t>(model.vocab().id("a")),
                                         static_cast<std::int32_t>(model.vocab().id("fine")),
                                         static_cast<std::int32_t>(model.vocab().id("film")),
                                         static_cast<std::int32_t>(Vocab::kUnk),
                                         eos};
  BOOST_TEST(s.tokens[1] == second, boost::test_tools::per_element());
  BOOST_TEST(s.labels[1] == 1);
  BOOST_TEST(s.inputs(1).size() == 5u);
  BOOST_TEST(s.targets(1)[4] == eos);
  BOOST_TEST(s.predictions() == 4u + 5u + 2u + 3u + 3u);
  BOOST_TEST(model.decode(s.tokens[1]).empty());  // decoding stops at the first </s>
  BOOST_TEST(model.decode(std::span<const std::int32_t>(s.tokens[1]).subspan(1)) == "a fine film <unk>");
}

// Central differences against the tape through every parameter: word and label embeddings, the label's initial
// state, the recurrent layers (padded steps masked), the output layer, over a padded batch of three sentences.
BOOST_AUTO_TEST_CASE(the_gradients_of_the_conditioned_model_match_central_differences) {
  const LabelledCorpus c = small_corpus();
  struct Variant {
    nn::CellType cell;
    bool label_state;
    index_t layers;
  };
  for (const Variant v : {Variant{nn::CellType::LSTM, true, 2}, Variant{nn::CellType::GRU, false, 1},
                          Variant{nn::CellType::RNN, true, 1}}) {
    BOOST_TEST_CONTEXT(nn::cell_type_name(v.cell) << ", label state " << v.label_state << ", layers " << v.layers) {
      Rng rng(7);
      ConditionedLM model(tiny_config(v.cell, v.label_state, v.layers), Vocab::build(c.token_corpus(), 1),
                          c.label_names, rng);
      // Larger than the default U(±0.1), so the check sees gradients well above float noise.
      for (nn::Parameter* p : model.parameters())
        for (float& x : p->value().span()) x = rng.uniform(-0.5f, 0.5f);
      const ConditionedSentences data = model.encode(c);
      const std::vector<std::size_t> items{1, 2, 4};  // lengths 5, 2, 3: a padded batch
      Rng dropout_rng(3);
      const auto r = nn::gradcheck_module(model, [&](ag::Tape& tape) { return model.loss(tape, data, items, dropout_rng); });
      BOOST_TEST(r.passed, r.report);
      BOOST_TEST(r.checked == static_cast<std::size_t>(model.parameter_count()));
    }
  }
}

// Padding changes nothing: the loss of a padded batch is the prediction-weighted mean of each sentence's loss alone.
BOOST_AUTO_TEST_CASE(a_padded_batch_scores_like_its_sentences_alone) {
  const LabelledCorpus c = small_corpus();
  Rng rng(11);
  ConditionedLM model(tiny_config(nn::CellType::LSTM, true, 2), Vocab::build(c.token_corpus(), 1), c.label_names, rng);
  model.eval();
  const ConditionedSentences data = model.encode(c);
  const std::vector<std::size_t> items{0, 1, 2, 3, 4};
  ag::Tape tape;
  Rng unused(0);
  const double batch_loss = model.loss(tape, data, items, unused).value()[0];
  double sum = 0;
  for (std::size_t i : items) {
    tape.clear();
    const std::size_t one[1] = {i};
    sum += static_cast<double>(model.loss(tape, data, one, unused).value()[0]) * static_cast<double>(data.targets(i).size());
  }
  BOOST_TEST(batch_loss == sum / static_cast<double>(data.predictions()), boost::test_tools::tolerance(1e-5));
  const Perplexity p = model.perplexity(data, 2);
  BOOST_TEST(p.tokens == static_cast<index_t>(data.predictions()));
  BOOST_TEST(p.loss == sum / static_cast<double>(data.predictions()), boost::test_tools::tolerance(1e-5));
}

// The label is the only thing that tells the two kinds of sentences apart; the model learns it, so a sentence
// written with label "zero" is "a a a" and one written with "one" is "b b b", greedily and sampled.
BOOST_AUTO_TEST_CASE(the_label_decides_the_words_of_a_toy_task) {
  ConditionedTrainResult r = train_toy(5);
  ConditionedLM& model = *r.model;
  BOOST_TEST(r.training.best_epoch >= 1u);
  BOOST_TEST(r.valid.perplexity() < 1.2);  // every prediction nearly certain once the label is known
  ConditionedSampleOptions greedy;
  greedy.sample.greedy = true;
  BOOST_TEST(model.decode(generate_conditioned(model, model.label_id("zero"), {}, greedy)) == "a a a");
  BOOST_TEST(model.decode(generate_conditioned(model, model.label_id("one"), {}, greedy)) == "b b b");
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    BOOST_TEST(sample_text(model, "zero", seed, 1.0) == "a a a");
    BOOST_TEST(sample_text(model, "one", seed, 1.0) == "b b b");
  }
  // A prefix is continued under the label: after "a", label "zero" writes the two a's that are left.
  const std::vector<std::int32_t> prefix{static_cast<std::int32_t>(model.vocab().id("a"))};
  const std::vector<std::int32_t> rest = generate_conditioned(model, model.label_id("zero"), prefix, greedy);
  BOOST_TEST(model.decode(rest) == "a a");
}

BOOST_AUTO_TEST_CASE(training_and_sampling_are_deterministic_for_a_seed) {
  const ConditionedTrainResult a = train_toy(9), b = train_toy(9);
  BOOST_REQUIRE(a.training.curve.size() == b.training.curve.size());
  for (std::size_t e = 0; e < a.training.curve.size(); ++e) {
    BOOST_TEST(a.training.curve[e].train_loss == b.training.curve[e].train_loss);
    BOOST_TEST(a.training.curve[e].valid_score == b.training.curve[e].valid_score);
  }
  // Sampling at a high temperature from an untrained model: varied words, but the same for the same seed.
  const LabelledCorpus c = small_corpus();
  Rng rng(2);
  ConditionedLM model(tiny_config(nn::CellType::LSTM, true, 1), Vocab::build(c.token_corpus(), 1), c.label_names, rng);
  std::set<std::string> texts;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const std::string t = sample_text(model, "positive", seed, 2.0);
    BOOST_TEST(t == sample_text(model, "positive", seed, 2.0));
    BOOST_TEST(!t.empty());  // </s> is never the first word
    BOOST_TEST(t.find("<unk>") == std::string::npos);
    texts.insert(t);
  }
  BOOST_TEST(texts.size() > 1u);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_round_trips) {
  const std::string path = temp_file("toy.safetensors").string();
  ConditionedTrainResult r = train_toy(3, path);
  nn::Metadata m;
  const std::unique_ptr<ConditionedLM> loaded = ConditionedLM::load(path, &m);
  BOOST_TEST(m.at("task") == "conditioned_lm");
  BOOST_TEST(ConditionedLM::is_conditioned(m));
  BOOST_TEST(m.count("valid_perplexity") == 1u);
  BOOST_TEST(loaded->labels() == r.model->labels(), boost::test_tools::per_element());
  BOOST_TEST(loaded->vocab().to_text() == r.model->vocab().to_text());
  BOOST_TEST(loaded->config().to_json() == r.model->config().to_json());
  BOOST_TEST(loaded->parameter_count() == r.model->parameter_count());
  const auto pa = r.model->parameters(), pb = loaded->parameters();
  for (std::size_t k = 0; k < pa.size(); ++k) {
    const auto va = pa[k]->value().span(), vb = pb[k]->value().span();
    BOOST_TEST(std::equal(va.begin(), va.end(), vb.begin(), vb.end()), pa[k]->name());
  }
  const ConditionedSentences data = loaded->encode(toy_corpus(3));
  BOOST_TEST(loaded->perplexity(data).loss == r.model->perplexity(data).loss);
  for (std::uint64_t seed = 1; seed <= 3; ++seed)
    BOOST_TEST(sample_text(*loaded, "one", seed, 1.5) == sample_text(*r.model, "one", seed, 1.5));
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(bad_labels_and_files_are_errors) {
  const LabelledCorpus c = small_corpus();
  Rng rng(1);
  ConditionedLM model(tiny_config(nn::CellType::LSTM, true, 1), Vocab::build(c.token_corpus(), 1), c.label_names, rng);
  BOOST_CHECK_EXCEPTION(model.label_id("neutral"), UsageError, [](const UsageError& e) {
    return std::string(e.what()) == "unknown label 'neutral' (the labels are: negative, positive)";
  });
  BOOST_TEST(model.label_id("positive") == 1);
  ConditionedSampleOptions o;
  BOOST_CHECK_THROW(generate_conditioned(model, 2, {}, o), UsageError);
  o.sample.temperature = 0;
  BOOST_CHECK_THROW(generate_conditioned(model, 0, {}, o), UsageError);

  // A corpus with a label the model was not trained on.
  LabelledCorpus other = c;
  other.source = "other.tsv";
  other.label_names = {"negative", "neutral"};
  other.sentences[1].line = 2;
  BOOST_CHECK_EXCEPTION(model.encode(other), UsageError, [](const UsageError& e) {
    return std::string(e.what()).find("other.tsv:2: the label 'neutral' is not one of the model's") == 0;
  });

  // Two labels of one name, no labels, impossible sizes.
  BOOST_CHECK_THROW(ConditionedLM(tiny_config(nn::CellType::LSTM, true, 1), Vocab::build(c.token_corpus(), 1),
                                  {"x", "x"}, rng),
                    UsageError);
  BOOST_CHECK_THROW(ConditionedLM(tiny_config(nn::CellType::LSTM, true, 1), Vocab::build(c.token_corpus(), 1), {}, rng),
                    UsageError);
  ConditionedConfig bad = tiny_config(nn::CellType::LSTM, true, 1);
  bad.label_dim = 0;
  BOOST_CHECK_THROW(bad.validate(), UsageError);

  // A checkpoint of another task, and one whose metadata lack the configuration.
  const std::string path = temp_file("other.safetensors").string();
  nn::save_checkpoint(path, {.model = &model}, {{"task", "tagger"}});
  BOOST_CHECK_EXCEPTION(ConditionedLM::load(path), FormatError, [&](const FormatError& e) {
    return std::string(e.what()) == path + ": a tagger checkpoint, not a conditioned_lm";
  });
  nn::save_checkpoint(path, {.model = &model}, {{"task", "conditioned_lm"}});
  BOOST_CHECK_EXCEPTION(ConditionedLM::load(path), FormatError, [&](const FormatError& e) {
    return std::string(e.what()).find("has no 'conditioned_config'") != std::string::npos;
  });
  std::filesystem::remove(path);

  // Training on nothing.
  ConditionedTrainSpec spec;
  std::ostringstream log;
  BOOST_CHECK_THROW(train_conditioned(LabelledCorpus{}, LabelledCorpus{}, spec, log), UsageError);
}
