// lm/classify/inspect: the recomputed first-layer trajectories equal the encoder's own outputs (LSTM and GRU, fused and
// composed, one and two directions, with characters, inside a padded batch), the gate blocks are named in the cell's
// order, prefix probabilities equal classifying each prefix alone, the negation helpers on hand examples, the change
// statistics on hand numbers, the SVG is well-formed, bad input is refused, and the study is deterministic.
#define BOOST_TEST_MODULE tapegrad_lm_inspect
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <regex>

#include "autograd/functions.hpp"
#include "lm/classify/inspect.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
namespace ag = tapegrad::autograd;

namespace {

using Sentences = std::vector<std::vector<std::string>>;

const Sentences kTraining = {{"the", "film", "is", "not", "good"},
                             {"a", "dull", "and", "tedious", "mess"},
                             {"it", "doesn't", "work"},
                             {"great", "acting", "and", "a", "clever", "script"}};

struct Setup {
  nn::CellType cell = nn::CellType::LSTM;
  nn::CellForm form = nn::CellForm::Fused;
  bool bidirectional = true;
  index_t layers = 1, char_dim = 0;
  float forget_bias = 1.0f;
};

// An untrained classifier: its weights are random, which is all the recomputation needs.
std::unique_ptr<NeuralClassifier> tiny_classifier(const Setup& s, std::uint64_t seed = 3) {
  EncoderConfig c;
  c.cell = s.cell;
  c.form = s.form;
  c.bidirectional = s.bidirectional;
  c.layers = s.layers;
  c.hidden = 5;
  c.word_dim = 4;
  c.char_dim = s.char_dim;
  c.char_hidden = 2;
  c.dropout = 0.3f;  // inactive in evaluation mode: the trace must not see it
  c.word_dropout = 0.0f;
  c.forget_bias = s.cell == nn::CellType::LSTM ? s.forget_bias : 0.0f;
  Rng rng(seed);
  EncoderVocab vocab = EncoderVocab::build(kTraining, c);
  return std::make_unique<NeuralClassifier>(c, Pool::Max, std::move(vocab), std::vector<std::string>{"negative", "positive"},
                                            rng);
}

// The encoder's own h_t of layer 0, direction d, for sentence b of a padded batch of `sentences`.
std::vector<std::vector<float>> encoder_hidden(NeuralClassifier& model, const Sentences& sentences, std::size_t b,
                                               index_t d) {
  model.eval();
  const EncodedSentences data = model.vocab().encode(sentences, model.config());
  std::vector<std::size_t> items(sentences.size());
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = i;
  PaddedBatch batch;
  pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(data.words[i]); }, SymbolTable::kPad, batch);
  ag::Tape tape;
  Rng rng(0);
  model.scores(tape, batch, data, rng);
  const nn::UnrollResult& run = model.encoder().sequence().runs[static_cast<std::size_t>(d)];
  std::vector<std::vector<float>> h;
  const index_t H = model.config().hidden;
  for (std::size_t t = 0; t < sentences[b].size(); ++t) {
    const ConstTensorView v = run.hidden[t].value();
    h.emplace_back(v.data + static_cast<index_t>(b) * H, v.data + static_cast<index_t>(b + 1) * H);
  }
  return h;
}

double max_difference(const std::vector<std::vector<double>>& a, const std::vector<std::vector<float>>& b) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  double m = 0;
  for (std::size_t t = 0; t < a.size(); ++t) {
    BOOST_REQUIRE_EQUAL(a[t].size(), b[t].size());
    for (std::size_t j = 0; j < a[t].size(); ++j) m = std::max(m, std::fabs(a[t][j] - static_cast<double>(b[t][j])));
  }
  return m;
}

// Every opening tag closed in order (self-closing ones aside); the document is one <svg> element.
bool balanced_svg(const std::string& svg, std::string& why) {
  std::vector<std::string> open;
  std::size_t i = 0, roots = 0;
  while ((i = svg.find('<', i)) != std::string::npos) {
    const std::size_t end = svg.find('>', i);
    if (end == std::string::npos) return why = "unterminated tag at " + std::to_string(i), false;
    const std::string tag = svg.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return why = "unexpected </" + tag.substr(1) + ">", false;
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (open.empty()) ++roots;
    if (tag.back() != '/') open.push_back(name);
  }
  if (!open.empty()) return why = "<" + open.back() + "> never closed", false;
  if (roots != 1) return why = std::to_string(roots) + " root elements", false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inspect)

BOOST_AUTO_TEST_CASE(recomputed_hidden_states_equal_the_encoders_outputs) {
  std::vector<Setup> setups;
  for (nn::CellType cell : {nn::CellType::LSTM, nn::CellType::GRU})
    for (nn::CellForm form : {nn::CellForm::Fused, nn::CellForm::Composed})
      for (bool bi : {true, false}) setups.push_back({cell, form, bi, 1, 0, 1.0f});
  setups.push_back({nn::CellType::LSTM, nn::CellForm::Fused, true, 2, 3, 1.0f});  // two layers, characters
  const std::vector<std::string> sentence = {"the", "film", "is", "not", "good", "unseen-word"};
  for (const Setup& s : setups) {
    auto model = tiny_classifier(s);
    const SentenceTrace tr = inspect_sentence(*model, sentence);
    const std::string what = std::string(nn::cell_type_name(s.cell)) + " " + nn::cell_form_name(s.form) +
                             (s.bidirectional ? " bi" : " uni") + " layers " + std::to_string(s.layers);
    BOOST_TEST_REQUIRE(tr.directions.size() == (s.bidirectional ? 2u : 1u), what);
    BOOST_TEST(tr.max_h_difference < 1e-5, what);
    // the same against a padded batch computed separately, the sentence second and longer than the first
    const Sentences batch = {{"a", "dull", "mess"}, sentence};
    for (std::size_t d = 0; d < tr.directions.size(); ++d) {
      const DirectionTrace& dir = tr.directions[d];
      BOOST_TEST(max_difference(dir.h, encoder_hidden(*model, batch, 1, static_cast<index_t>(d))) < 1e-5, what);
      BOOST_TEST(dir.name == (d == 0 ? "forward" : "backward"));
      BOOST_TEST(dir.gate_names.size() == (s.cell == nn::CellType::LSTM ? 3u : 2u));
      BOOST_TEST(dir.c.empty() == (s.cell != nn::CellType::LSTM));
      for (const auto& gate : dir.gates)
        for (const auto& step : gate)
          for (double v : step) BOOST_TEST((v > 0.0 && v < 1.0));
      // ‖h_t‖ of the trace is the norm of its h_t
      double sq = 0;
      for (double v : dir.h[2]) sq += v * v;
      BOOST_TEST(dir.h_norm(2) == std::sqrt(sq), boost::test_tools::tolerance(1e-12));
    }
    BOOST_TEST(tr.known == (std::vector<bool>{true, true, true, true, true, false}), boost::test_tools::per_element());
  }
}

// The gate blocks are read in the cell's order: a large bias on one block saturates exactly the gate of that name.
BOOST_AUTO_TEST_CASE(gates_are_named_in_the_cells_block_order) {
  Setup lstm;
  lstm.forget_bias = 6.0f;  // block 1 of the LSTM: f
  auto model = tiny_classifier(lstm);
  const SentenceTrace tr = inspect_sentence(*model, {"the", "film"}, false);
  for (const DirectionTrace& d : tr.directions) {
    BOOST_TEST(d.gate_names == (std::vector<std::string>{"input", "forget", "output"}), boost::test_tools::per_element());
    BOOST_TEST(d.gate_mean(1, 0) > 0.95);
    BOOST_TEST(d.gate_mean(0, 0) < 0.9);
    BOOST_TEST(d.gate_mean(2, 0) < 0.9);
    BOOST_TEST(d.c_norm(1) > 0.0);
  }
  Setup gru;
  gru.cell = nn::CellType::GRU;
  model = tiny_classifier(gru);
  const index_t H = model->config().hidden;
  for (index_t d = 0; d < 2; ++d) {  // block 1 of the GRU: z
    float* b = model->encoder().rnn().cell(0, d).b().value().data();
    for (index_t j = 0; j < H; ++j) b[H + j] = -6.0f;
  }
  const SentenceTrace g = inspect_sentence(*model, {"the", "film"}, false);
  for (const DirectionTrace& d : g.directions) {
    BOOST_TEST(d.gate_names == (std::vector<std::string>{"reset", "update"}), boost::test_tools::per_element());
    BOOST_TEST(d.gate_mean(1, 0) < 0.05);
    BOOST_TEST(d.gate_mean(0, 0) > 0.1);
    BOOST_TEST(std::isnan(d.c_norm(0)));
  }
  BOOST_TEST(g.max_h_difference < 1e-5);
}

BOOST_AUTO_TEST_CASE(prefix_probabilities_equal_classifying_each_prefix_alone) {
  for (Pool pool : {Pool::Max, Pool::Last}) {
    auto model = tiny_classifier({});
    if (pool == Pool::Last) {  // the same weights behind another pooling
      EncoderConfig c = model->config();
      Rng rng(3);
      model = std::make_unique<NeuralClassifier>(c, pool, model->vocab(), model->labels(), rng);
    }
    const std::vector<std::string> sentence = {"it", "doesn't", "work", "and", "is", "not", "good"};
    const SentenceTrace tr = inspect_sentence(*model, sentence);
    BOOST_TEST_REQUIRE(tr.prefix_probabilities.size() == sentence.size());
    for (std::size_t t = 0; t < sentence.size(); ++t) {
      const Sentences prefix = {{sentence.begin(), sentence.begin() + static_cast<std::ptrdiff_t>(t + 1)}};
      const auto alone = model->probabilities(model->vocab().encode(prefix, model->config()));
      for (std::size_t k = 0; k < 2; ++k)
        BOOST_TEST(tr.prefix_probabilities[t][k] == static_cast<double>(alone[0][k]), boost::test_tools::tolerance(1e-6));
    }
    for (std::size_t k = 0; k < 2; ++k)
      BOOST_TEST(tr.prefix_probabilities.back()[k] == tr.probabilities[k], boost::test_tools::tolerance(1e-6));
    BOOST_TEST(tr.probabilities[0] + tr.probabilities[1] == 1.0, boost::test_tools::tolerance(1e-6));
  }
}

BOOST_AUTO_TEST_CASE(the_model_is_left_in_its_mode_and_bad_input_is_refused) {
  auto model = tiny_classifier({});
  model->train();
  inspect_sentence(*model, {"good"});
  BOOST_TEST(model->is_training());
  BOOST_CHECK_THROW(inspect_sentence(*model, {}), UsageError);
  Setup rnn;
  rnn.cell = nn::CellType::RNN;
  auto plain = tiny_classifier(rnn);
  try {
    inspect_sentence(*plain, {"good"});
    BOOST_FAIL("a plain RNN was inspected");
  } catch (const UsageError& e) {
    BOOST_TEST(std::string(e.what()).find("plain RNN") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(negators_and_their_affirmative_forms) {
  for (const char* w : {"not", "n't", "doesn't", "isn't", "can't", "won't", "Don't"}) BOOST_TEST(is_negator(w), w);
  for (const char* w : {"note", "nothing", "no", "never", "show-don't-tell", "'t", "[won't", "n'tx", "cannot"})
    BOOST_TEST(!is_negator(w), w);
  BOOST_TEST(affirmative("not") == "");
  BOOST_TEST(affirmative("n't") == "");
  BOOST_TEST(affirmative("doesn't") == "does");
  BOOST_TEST(affirmative("isn't") == "is");
  BOOST_TEST(affirmative("can't") == "can");
  BOOST_TEST(affirmative("won't") == "will");
  BOOST_TEST(affirmative("shan't") == "shall");
  BOOST_TEST(affirmative("ain't") == "is");
  BOOST_TEST(affirmative("Didn't") == "Did");
}

BOOST_AUTO_TEST_CASE(negation_edits_on_hand_examples) {
  Rng rng(5);
  const std::vector<std::string> s = {"the", "film", "is", "not", "good"};
  const auto e = negation_edit(s, rng);
  BOOST_TEST_REQUIRE(e.has_value());
  BOOST_TEST(e->negators == (std::vector<std::size_t>{3}), boost::test_tools::per_element());
  BOOST_TEST(e->without_negation == (std::vector<std::string>{"the", "film", "is", "good"}), boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(e->removed.size() == 1u);
  BOOST_TEST(e->removed[0] != 3u);
  BOOST_TEST(e->control.size() == 4u);
  std::vector<std::string> expected = s;
  expected.erase(expected.begin() + static_cast<std::ptrdiff_t>(e->removed[0]));
  BOOST_TEST(e->control == expected, boost::test_tools::per_element());

  // contractions become affirmative; two negators, two random tokens in the control
  Rng a(7), b(7);
  const std::vector<std::string> two = {"it", "doesn't", "work", "and", "is", "not", "fun"};
  const auto x = negation_edit(two, a), y = negation_edit(two, b);
  BOOST_TEST_REQUIRE(x.has_value());
  BOOST_TEST(x->negators == (std::vector<std::size_t>{1, 5}), boost::test_tools::per_element());
  BOOST_TEST(x->without_negation == (std::vector<std::string>{"it", "does", "work", "and", "is", "fun"}),
             boost::test_tools::per_element());
  BOOST_TEST(x->removed.size() == 2u);
  BOOST_TEST(x->removed[0] < x->removed[1]);
  for (std::size_t t : x->removed) BOOST_TEST((t != 1u && t != 5u));
  BOOST_TEST(x->control.size() == 5u);
  BOOST_TEST(x->removed == y->removed, boost::test_tools::per_element());  // same seed, same control

  // no negator; or too few other tokens for the control to leave one
  BOOST_TEST(!negation_edit({"a", "good", "film"}, rng).has_value());
  BOOST_TEST(!negation_edit({"not", "good"}, rng).has_value());
  BOOST_TEST(!negation_edit({"not"}, rng).has_value());
  BOOST_TEST(negation_edit({"not", "very", "good"}, rng).has_value());
}

// before 0.2 0.6 0.5 0.9, after 0.7 0.5 0.5 0.1: changes +0.5 −0.1 0 −0.8; |·| sorted 0 0.1 0.5 0.8, median 0.3.
BOOST_AUTO_TEST_CASE(change_statistics_on_hand_numbers) {
  const ChangeStats s = change_stats({0.2, 0.6, 0.5, 0.9}, {0.7, 0.5, 0.5, 0.1}, {0, 1, 0, 1}, {1, 1, 0, 0});
  BOOST_TEST(s.sentences == 4u);
  BOOST_TEST(s.flips == 2u);
  BOOST_TEST(s.mean_abs_change == 1.4 / 4, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.median_abs_change == 0.3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.mean_change == -0.4 / 4, boost::test_tools::tolerance(1e-12));
  const ChangeStats odd = change_stats({0.5, 0.5, 0.5}, {0.6, 0.1, 0.5}, {1, 1, 1}, {1, 0, 1});
  BOOST_TEST(odd.median_abs_change == 0.1, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(odd.flips == 1u);
  BOOST_TEST(change_stats({}, {}, {}, {}).sentences == 0u);
}

BOOST_AUTO_TEST_CASE(the_svg_is_well_formed_and_escapes_tokens) {
  for (nn::CellType cell : {nn::CellType::LSTM, nn::CellType::GRU}) {
    Setup s;
    s.cell = cell;
    auto model = tiny_classifier(s);
    const SentenceTrace tr = inspect_sentence(*model, {"the", "<b>", "&", "\"film\"", "not", "good"});
    for (bool absolute : {false, true}) {
      const std::string svg = trace_svg(tr, {.absolute = absolute});
      BOOST_TEST(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0) == 0u);
      BOOST_TEST(svg.size() >= 7u);
      BOOST_TEST(svg.substr(svg.size() - 7) == "</svg>\n");
      std::string why;
      BOOST_TEST(balanced_svg(svg, why), why);
      BOOST_TEST(svg.find("&lt;b&gt;") != std::string::npos);
      BOOST_TEST(svg.find("&amp;") != std::string::npos);
      BOOST_TEST(svg.find(">&<") == std::string::npos);
      // one heat cell per unit, step, gate and direction
      const std::size_t cells = static_cast<std::size_t>(model->config().hidden) * 6 * tr.directions.size() *
                                tr.directions[0].gate_names.size();
      const std::regex rect("<rect ");
      BOOST_TEST(static_cast<std::size_t>(std::distance(std::sregex_iterator(svg.begin(), svg.end(), rect),
                                                         std::sregex_iterator())) > cells);
      BOOST_TEST(svg == trace_svg(tr, {.absolute = absolute}));  // deterministic
    }
    const std::string table = trace_table(tr);
    BOOST_TEST(table.find("not in the model's vocabulary") != std::string::npos, table);
    BOOST_TEST(trace_json(tr).find("\"max_h_difference\"") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_negation_study_counts_consistently_and_is_deterministic) {
  auto model = tiny_classifier({});
  LabelledCorpus corpus;
  corpus.source = "hand";
  corpus.label_names = {"negative", "positive"};
  const Sentences s = {{"the", "film", "is", "not", "good"}, {"a", "dull", "mess"}, {"it", "doesn't", "work", "well"},
                       {"not", "good"},  // too short for the edit and its control
                       {"not", "a", "dull", "film", "and", "not", "a", "mess"}};
  for (std::size_t i = 0; i < s.size(); ++i) corpus.sentences.push_back({s[i], static_cast<int>(i % 2), i + 1, 0});
  const NegationStudy a = negation_study(*model, corpus, 4, 2), b = negation_study(*model, corpus, 4, 2);
  BOOST_TEST(a.sentences == 5u);
  BOOST_TEST(a.with_negator == 4u);
  BOOST_TEST(a.skipped == 1u);
  BOOST_TEST(a.negation_removed.sentences == 3u);
  BOOST_TEST(a.control.sentences == 3u);
  BOOST_TEST(a.with_not == 2u);
  BOOST_TEST(a.with_contraction == 1u);
  BOOST_TEST(a.several_negators == 1u);
  BOOST_TEST(a.not_removed.sentences + a.contraction_removed.sentences == 3u);
  BOOST_TEST(a.removed_by_prediction[0].sentences + a.removed_by_prediction[1].sentences == 3u);
  BOOST_TEST(a.examples.size() == 2u);
  BOOST_TEST(a.examples[0].line == 1u);
  BOOST_TEST(a.gates.size() == 6u);  // 2 directions × 3 gates
  // negator steps (a direction's first step left out): forward 1 + 1 + 1 (t=0 "not" skipped in the last), backward
  // 1 + 1 + 2 — every negator step counted once in one of the two
  BOOST_TEST(a.gates[0].negator.steps == 3u);
  BOOST_TEST(a.gates[3].negator.steps == 4u);
  BOOST_TEST(negation_json(a) == negation_json(b));
  BOOST_TEST(negation_report(a) == negation_report(b));
  BOOST_TEST(negation_report(a).find("studied: 3 sentences") != std::string::npos, negation_report(a));
}

BOOST_AUTO_TEST_SUITE_END()
