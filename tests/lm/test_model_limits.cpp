// Sizes of neural models are bounded and checked before anything is allocated (issue 13): a configuration beyond the
// limits (D1: emsize 2⁶² in a checkpoint or a flag), one that needs more memory than the machine has, or one the
// checkpoint's tensors do not match (D6: nhid or nlayers raised in the metadata) is refused with a message naming the
// file, the field and the sizes — before the model is built. Expected limits are written out as numbers here, not
// taken from the code under test.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lm/conditioned/conditioned_config.hpp"
#include "lm/neural/model.hpp"
#include "lm/neural/model_config.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/sequence/encoder_config.hpp"
#include "lm/text/error.hpp"
#include "lm_test_util.hpp"
#include "nn/checkpoint.hpp"
#include "nn/safetensors.hpp"
#include "ops/aligned.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

namespace {

ModelConfig small_lstm() {
  ModelConfig c;
  c.kind = ModelKind::LSTM;
  c.vocab = 6;
  c.emsize = 8;
  c.nhid = 8;
  c.nlayers = 1;
  return c;
}

Vocab small_vocab() { return Vocab::from_tokens({"<unk>", "</s>", "a", "b", "c", "d"}); }

// The JSON of `config` with one field replaced.
std::string with_field(const ModelConfig& config, const std::string& field, const nlohmann::json& value) {
  nlohmann::json j = nlohmann::json::parse(config.to_json());
  j[field] = value;
  return j.dump();
}

// A checkpoint of a freshly built `config`, then the same file with its metadata entry `key` set to `value`.
std::string tampered_checkpoint(const TempDir& dir, const ModelConfig& config, const std::string& key,
                                const std::string& value) {
  Rng rng(1);
  LanguageModel model(config, rng);
  const std::string honest = dir.path("honest.safetensors");
  nn::save_checkpoint(honest, {.model = &model.module()},
                      SavedModel::model_metadata(config, small_vocab(), TokenLevel::Word));
  const nn::safetensors::File file = nn::safetensors::File::read(honest);
  std::vector<nn::safetensors::TensorRef> tensors;
  for (const auto& t : file.tensors()) tensors.push_back({t.name, t.dtype, t.shape, file.data(t)});
  nn::safetensors::Metadata metadata = file.metadata();
  metadata[key] = value;
  metadata.erase("tapegrad.checksum");  // the writer adds a fresh checksum of its own
  const std::string path = dir.path("tampered.safetensors");
  nn::safetensors::write(path, tensors, metadata);
  return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model_limits)

BOOST_AUTO_TEST_CASE(a_checkpoint_config_with_emsize_2_62_is_refused_naming_field_value_limit_and_file) {
  // D1: was accepted, then Shape::numel overflowed and the allocation wrapped to a few bytes (SIGSEGV).
  const std::string json = with_field(small_lstm(), "emsize", std::int64_t{1} << 62);
  check_throws<FormatError>([&] { ModelConfig::from_json(json, "m.safetensors"); },
                            {"m.safetensors", "emsize", "4611686018427387904", "65536"});
}

BOOST_AUTO_TEST_CASE(a_checkpoint_config_with_an_infinite_init_range_is_refused) {
  // 1e39 is a finite double in the JSON but +inf as the float the config holds; it was accepted before.
  const std::string json = with_field(small_lstm(), "init_range", 1e39);
  check_throws<FormatError>([&] { ModelConfig::from_json(json, "m.safetensors"); },
                            {"m.safetensors", "init_range", "finite"});
}

BOOST_AUTO_TEST_CASE(every_size_has_an_upper_bound) {
  const ModelConfig base = small_lstm();
  const std::pair<const char*, std::int64_t> too_big[] = {{"nhid", 65537},     {"emsize", 65537},   {"nlayers", 65},
                                                          {"nlayers", 100000}, {"vocab", 16777217}, {"context", 1025}};
  for (const auto& [field, value] : too_big) {
    ModelConfig c = base;
    if (std::string(field) == "vocab") c.vocab = value;
    if (std::string(field) == "nhid") c.nhid = value;
    if (std::string(field) == "emsize") c.emsize = value;
    if (std::string(field) == "nlayers") c.nlayers = value;
    if (std::string(field) == "context") c.context = value, c.kind = ModelKind::Window;
    check_throws<UsageError>([&] { c.validate(); }, {field, std::to_string(value), "limit"});
  }
  ModelConfig at_limit = base;
  at_limit.nlayers = 64;
  BOOST_CHECK_NO_THROW(at_limit.validate());
}

BOOST_AUTO_TEST_CASE(a_model_bigger_than_the_machine_is_refused_with_its_size) {
  // Within every limit, but 2²⁴ × 2¹⁶ embeddings and as many decoder weights: about 35 TB to train.
  ModelConfig c = small_lstm();
  c.vocab = 16777216;
  c.emsize = c.nhid = 65536;
  try {
    c.validate();
    BOOST_ERROR("a 35 TB model was accepted");
  } catch (const Error& e) {
    const std::string message = e.what();
    BOOST_TEST(message.find("TB") != std::string::npos, message);
    BOOST_TEST(message.find("memory") != std::string::npos, message);
  }
}

BOOST_AUTO_TEST_CASE(parameter_shapes_are_those_of_the_built_model) {
  std::vector<ModelConfig> configs;
  ModelConfig lstm = small_lstm();
  lstm.nlayers = 2;
  configs.push_back(lstm);
  ModelConfig gru = small_lstm();
  gru.kind = ModelKind::GRU, gru.gru_reset_after = true, gru.emsize = 5;
  configs.push_back(gru);
  ModelConfig tied = small_lstm();
  tied.kind = ModelKind::RNN, tied.tied = true;
  configs.push_back(tied);
  ModelConfig window = small_lstm();
  window.kind = ModelKind::Window, window.context = 3, window.nhid = 7, window.direct = true;
  configs.push_back(window);
  window.direct = false;
  configs.push_back(window);
  for (const ModelConfig& c : configs) {
    Rng rng(1);
    LanguageModel model(c, rng);
    std::vector<std::pair<std::string, Shape>> built;
    index_t total = 0;
    for (const auto& [name, p] : model.module().named_parameters()) {
      built.emplace_back(name, p->value().shape());
      total += p->value().numel();
    }
    auto predicted = c.parameter_shapes();
    // The same set of names and shapes (a tied model lists its parameters in another order).
    const auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::sort(predicted.begin(), predicted.end(), by_name);
    std::sort(built.begin(), built.end(), by_name);
    BOOST_TEST_REQUIRE(predicted.size() == built.size(), c.describe());
    for (std::size_t i = 0; i < built.size(); ++i) {
      BOOST_TEST(predicted[i].first == built[i].first, c.describe());
      BOOST_TEST(predicted[i].second == built[i].second, c.describe() << " " << built[i].first);
    }
    BOOST_TEST(c.parameter_count() == total);
  }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_whose_config_claims_a_bigger_nhid_fails_before_the_model_is_built) {
  // D6: nhid 20000 in the metadata of a 1×8 model built the huge model (46 s, gigabytes) before failing. 4000 here,
  // so the old code costs a second rather than minutes; nothing is allocated now before the refusal.
  TempDir dir;
  const std::string path =
      tampered_checkpoint(dir, small_lstm(), SavedModel::kModelKey, with_field(small_lstm(), "nhid", 4000));
  const std::uint64_t before = aligned_allocation_count();
  check_throws<FormatError>([&] { SavedModel::load(path); }, {path, "tensor 'rnn.layer0.W_ih'", "8×16000", "8×32"});
  BOOST_TEST(aligned_allocation_count() == before);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_whose_config_claims_more_layers_names_the_missing_tensor) {
  // D6 with nlayers: 10⁵ is beyond the limit of 64; 64 is within it and the file has one layer.
  TempDir dir;
  const std::string many =
      tampered_checkpoint(dir, small_lstm(), SavedModel::kModelKey, with_field(small_lstm(), "nlayers", 100000));
  check_throws<FormatError>([&] { SavedModel::load(many); }, {many, "nlayers", "100000", "64"});
  const std::string path =
      tampered_checkpoint(dir, small_lstm(), SavedModel::kModelKey, with_field(small_lstm(), "nlayers", 64));
  const std::uint64_t before = aligned_allocation_count();
  check_throws<FormatError>([&] { SavedModel::load(path); }, {path, "missing tensor 'rnn.layer1.W_ih'"});
  BOOST_TEST(aligned_allocation_count() == before);
}

BOOST_AUTO_TEST_CASE(an_honest_checkpoint_still_loads) {
  TempDir dir;
  const ModelConfig c = small_lstm();
  const std::string path = tampered_checkpoint(dir, c, "note", "untouched");
  BOOST_TEST(SavedModel::load(path).config.to_json() == c.to_json());
}

BOOST_AUTO_TEST_CASE(a_bad_level_in_a_checkpoint_names_the_file) {
  TempDir dir;
  const std::string path = tampered_checkpoint(dir, small_lstm(), SavedModel::kLevelKey, "bytes");
  check_throws<FormatError>([&] { SavedModel::load(path); }, {path, "'bytes'", "word or char"});
}

BOOST_AUTO_TEST_CASE(encoder_and_conditioned_configs_have_upper_bounds) {
  EncoderConfig e;
  nlohmann::json j = nlohmann::json::parse(e.to_json());
  j["hidden"] = std::int64_t{1} << 62;
  check_throws<FormatError>([&] { EncoderConfig::from_json(j.dump(), "tagger.safetensors"); },
                            {"tagger.safetensors", "hidden", "4611686018427387904", "65536"});
  j = nlohmann::json::parse(e.to_json());
  j["layers"] = 100000;
  check_throws<FormatError>([&] { EncoderConfig::from_json(j.dump(), "tagger.safetensors"); }, {"100000", "64"});
  ConditionedConfig c;
  j = nlohmann::json::parse(c.to_json());
  j["word_dim"] = std::int64_t{1} << 40;
  check_throws<FormatError>([&] { ConditionedConfig::from_json(j.dump(), "cond.safetensors"); },
                            {"cond.safetensors", "word embedding size", "1099511627776", "65536"});
}

BOOST_AUTO_TEST_SUITE_END()
