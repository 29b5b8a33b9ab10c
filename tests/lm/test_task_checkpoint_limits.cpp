// Sequence-task checkpoints (tagger, classifier, conditioned LM) are checked against the configuration they store
// before the model is built (issue 13, D6 for the task models): each model's predicted parameter names and shapes are
// those of the built model, and a checkpoint whose configuration claims a bigger hidden size or more layers than its
// tensors hold is refused, naming the file and the tensor, without allocating a tensor.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lm/classify/neural_classifier.hpp"
#include "lm/conditioned/conditioned_lm.hpp"
#include "lm/tagging/neural_tagger.hpp"
#include "lm/text/error.hpp"
#include "lm_test_util.hpp"
#include "nn/safetensors.hpp"
#include "ops/aligned.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
using tapegrad::lm::test::TempDir;

namespace {

using Shapes = nn::ParameterShapes;

Shapes built_shapes(nn::Module& model) {
  Shapes built;
  for (const auto& [name, p] : model.named_parameters()) built.emplace_back(name, p->value().shape());
  return built;
}

void check_same_shapes(Shapes predicted, Shapes built, const std::string& what) {
  const auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(predicted.begin(), predicted.end(), by_name);
  std::sort(built.begin(), built.end(), by_name);
  BOOST_TEST_REQUIRE(predicted.size() == built.size(), what);
  for (std::size_t i = 0; i < built.size(); ++i) {
    BOOST_TEST(predicted[i].first == built[i].first, what);
    BOOST_TEST(predicted[i].second == built[i].second, what << " " << built[i].first);
  }
}

const std::vector<std::vector<std::string>> kSentences = {{"the", "cat", "sat"}, {"a", "dog", "ran", "far"}};

std::vector<EncoderConfig> encoder_configs() {
  std::vector<EncoderConfig> configs;
  EncoderConfig c;
  c.hidden = 5;
  c.word_dim = 4;
  c.char_dim = 3;
  c.char_hidden = 2;
  configs.push_back(c);  // BiLSTM with a character encoder
  c.char_dim = 0, c.layers = 2, c.cell = nn::CellType::GRU, c.bidirectional = false;
  configs.push_back(c);  // 2-layer GRU, words only
  c.cell = nn::CellType::RNN, c.bidirectional = true, c.form = nn::CellForm::Composed;
  configs.push_back(c);  // 2-layer bidirectional tanh RNN
  return configs;
}

SymbolTable tag_table() {
  SymbolTable tags(false);
  for (const char* t : {"DET", "NOUN", "VERB", "ADV"}) tags.add(t);
  return tags;
}

// The file at `path` rewritten with metadata entry `key` := `value` (checksum recomputed by the writer).
std::string with_metadata(const TempDir& dir, const std::string& path, const std::string& key,
                          const std::string& value) {
  const nn::safetensors::File file = nn::safetensors::File::read(path);
  std::vector<nn::safetensors::TensorRef> tensors;
  for (const auto& t : file.tensors()) tensors.push_back({t.name, t.dtype, t.shape, file.data(t)});
  nn::safetensors::Metadata metadata = file.metadata();
  metadata[key] = value;
  metadata.erase("tapegrad.checksum");
  const std::string out = dir.path("tampered-" + key + ".safetensors");
  nn::safetensors::write(out, tensors, metadata);
  return out;
}

std::string with_field(const std::string& json, const std::string& field, const nlohmann::json& value) {
  nlohmann::json j = nlohmann::json::parse(json);
  j[field] = value;
  return j.dump();
}

// Loading `path` fails with a FormatError naming the file and `fragments`, before any tensor is allocated.
template <class Load>
void refused_before_building(Load load, const std::string& path, const std::vector<std::string>& fragments) {
  const std::uint64_t before = aligned_allocation_count();
  try {
    load();
    BOOST_ERROR(path << " loaded");
  } catch (const FormatError& e) {
    const std::string message = e.what();
    BOOST_TEST(message.find(path) != std::string::npos, message);
    for (const std::string& piece : fragments)
      BOOST_TEST(message.find(piece) != std::string::npos, "message '" << message << "' lacks '" << piece << "'");
  }
  BOOST_TEST(aligned_allocation_count() == before);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(task_checkpoint_limits)

BOOST_AUTO_TEST_CASE(tagger_and_classifier_shapes_are_those_of_the_built_models) {
  for (const EncoderConfig& c : encoder_configs()) {
    const EncoderVocab vocab = EncoderVocab::build(kSentences, c);
    const auto words = static_cast<index_t>(vocab.words.size());
    const auto chars = static_cast<index_t>(vocab.chars.size());
    Rng rng(1);
    NeuralTagger tagger(c, vocab, tag_table(), rng);
    check_same_shapes(NeuralTagger::parameter_shapes(c, words, chars, 4), built_shapes(tagger), c.describe());
    NeuralClassifier classifier(c, Pool::Mean, vocab, {"neg", "pos", "mixed"}, rng);
    check_same_shapes(NeuralClassifier::parameter_shapes(c, words, chars, 3), built_shapes(classifier),
                      c.describe());
  }
}

BOOST_AUTO_TEST_CASE(conditioned_lm_shapes_are_those_of_the_built_model) {
  const Vocab vocab = Vocab::from_tokens({"<unk>", "</s>", "good", "bad", "film"});
  for (const nn::CellType cell : {nn::CellType::LSTM, nn::CellType::GRU, nn::CellType::RNN})
    for (const bool label_state : {true, false}) {
      ConditionedConfig c;
      c.cell = cell, c.layers = 2, c.hidden = 4, c.word_dim = 3, c.label_dim = 2, c.label_state = label_state;
      Rng rng(1);
      ConditionedLM model(c, vocab, {"neg", "pos"}, rng);
      check_same_shapes(ConditionedLM::parameter_shapes(c, 5, 2), built_shapes(model), c.describe());
    }
}

BOOST_AUTO_TEST_CASE(a_tagger_checkpoint_claiming_a_bigger_model_fails_before_it_is_built) {
  TempDir dir;
  const EncoderConfig c = encoder_configs()[0];
  Rng rng(1);
  NeuralTagger tagger(c, EncoderVocab::build(kSentences, c), tag_table(), rng);
  const std::string honest = dir.path("tagger.safetensors");
  tagger.save(honest);
  BOOST_TEST(NeuralTagger::load(honest)->config().to_json() == c.to_json());

  const std::string wide = with_metadata(dir, honest, "encoder_config", with_field(c.to_json(), "hidden", 20000));
  refused_before_building([&] { NeuralTagger::load(wide); }, wide,
                          {"tagger configuration", "tensor 'encoder.rnn.layer0.W_ih'", "F32 ", "80000"});
  const std::string deep = with_metadata(dir, honest, "encoder_config", with_field(c.to_json(), "layers", 3));
  refused_before_building([&] { NeuralTagger::load(deep); }, deep, {"missing tensor 'encoder.rnn.layer1.W_ih'"});
  const std::string tags = with_metadata(dir, honest, "tags", R"(["DET","NOUN","VERB","ADV","X"])");
  refused_before_building([&] { NeuralTagger::load(tags); }, tags, {"tensor 'output.W'", "10×5"});
}

BOOST_AUTO_TEST_CASE(a_classifier_checkpoint_claiming_a_bigger_model_fails_before_it_is_built) {
  TempDir dir;
  const EncoderConfig c = encoder_configs()[1];
  Rng rng(1);
  NeuralClassifier classifier(c, Pool::Mean, EncoderVocab::build(kSentences, c), {"neg", "pos"}, rng);
  const std::string honest = dir.path("classifier.safetensors");
  classifier.save(honest);
  BOOST_TEST(NeuralClassifier::load(honest)->labels().size() == 2u);

  const std::string chars = with_metadata(dir, honest, "encoder_config", with_field(c.to_json(), "char_dim", 30));
  refused_before_building([&] { NeuralClassifier::load(chars); }, chars,
                          {"classifier configuration", "missing tensor 'encoder.chars.embedding.table'"});
  const std::string wide = with_metadata(dir, honest, "encoder_config", with_field(c.to_json(), "word_dim", 4000));
  refused_before_building([&] { NeuralClassifier::load(wide); }, wide, {"tensor 'encoder.words.table'", "4000"});
}

BOOST_AUTO_TEST_CASE(a_conditioned_checkpoint_claiming_a_bigger_model_fails_before_it_is_built) {
  TempDir dir;
  ConditionedConfig c;
  c.hidden = 4, c.word_dim = 3, c.label_dim = 2;
  Rng rng(1);
  ConditionedLM model(c, Vocab::from_tokens({"<unk>", "</s>", "good", "bad"}), {"neg", "pos"}, rng);
  const std::string honest = dir.path("conditioned.safetensors");
  model.save(honest);
  BOOST_TEST(ConditionedLM::load(honest)->config().to_json() == c.to_json());

  const std::string wide = with_metadata(dir, honest, "conditioned_config", with_field(c.to_json(), "hidden", 20000));
  refused_before_building([&] { ConditionedLM::load(wide); }, wide,
                          {"conditioned-LM configuration", "tensor 'label_state.table'", "20000"});
  const std::string deep = with_metadata(dir, honest, "conditioned_config", with_field(c.to_json(), "layers", 2));
  refused_before_building([&] { ConditionedLM::load(deep); }, deep, {"tensor 'label_state.table'", "2×8"});
}

BOOST_AUTO_TEST_SUITE_END()
