// Checkpoints: round trips that must restore bit-identical parameters, optimizer state, schedule and Rng state (and
// let training continue exactly as if never interrupted, generated once per optimizer kind); metadata; and files
// that do not fit the model or are corrupt — each must throw CheckpointError naming the file and the problem, and
// leave the model, optimizer and Rng untouched.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <fstream>
#include <random>

#include "nn/checkpoint.hpp"
#include "nn/schedule.hpp"
#include "ops/error.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace bdata = boost::unit_test::data;
namespace st = tapegrad::nn::safetensors;
using nn::CheckpointError;

namespace {
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * a.numel()) == 0;
}
bool same_parameters(nn::Module& a, nn::Module& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (pa[i]->name() != pb[i]->name() || !same_bits(pa[i]->value(), pb[i]->value())) return false;
  return true;
}
bool same_optimizer_state(const nn::Optimizer& a, const nn::Optimizer& b) {
  if (a.step_count() != b.step_count() || a.learning_rate() != b.learning_rate()) return false;
  if (a.state_slots().size() != b.state_slots().size()) return false;
  for (std::size_t s = 0; s < a.state_slots().size(); ++s)
    for (std::size_t i = 0; i < a.state_slots()[s].tensors.size(); ++i)
      if (!same_bits(a.state_slots()[s].tensors[i], b.state_slots()[s].tensors[i])) return false;
  return true;
}
// Copies of every parameter value, to check that a failed load changed nothing.
std::vector<Tensor> snapshot(nn::Module& m) {
  std::vector<Tensor> out;
  for (nn::Parameter* p : m.parameters()) out.push_back(p->value());
  return out;
}
bool unchanged(nn::Module& m, const std::vector<Tensor>& before) {
  const auto params = m.parameters();
  for (std::size_t i = 0; i < params.size(); ++i)
    if (!same_bits(params[i]->value(), before[i])) return false;
  return true;
}
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void spit(const std::filesystem::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// The header text of a file's bytes, and the bytes rebuilt around a new header (length field updated).
std::string header_of(const std::string& bytes) {
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return bytes.substr(8, n);
}
std::string with_header(const std::string& bytes, const std::string& header) {
  std::uint64_t old_n = 0, n = header.size();
  std::memcpy(&old_n, bytes.data(), 8);
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header + bytes.substr(8 + old_n);
}
// The bytes with the header's checksum entry blanked out with spaces (the header keeps its length): a file whose data
// may be changed and still reach the checks after the checksum's.
std::string without_checksum(std::string bytes) {
  const std::string key = "\"tapegrad.checksum\":\"crc32:";
  const std::size_t at = bytes.find(key);
  BOOST_REQUIRE(at != std::string::npos);
  std::size_t end = at + key.size() + 8 + 1;
  if (bytes[end] == ',') ++end;
  return bytes.replace(at, end - at, std::string(end - at, ' '));
}
std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "'" << from << "' not in the header");
  return s.replace(at, from.size(), to);
}

// TinyClassifier plus one more parameter, "extra": files of the two do not match each other.
class TinyClassifierPlus : public TinyClassifier {
 public:
  explicit TinyClassifierPlus(std::uint64_t seed) : TinyClassifier(seed), extra(add_parameter("extra", Shape{2})) {
    extra.value().fill(5.0f);
  }
  nn::Parameter& extra;
};

// A model whose child is called "optim": its parameter names would collide with the optimizer's tensors.
class CollidingModel : public nn::Module {
 public:
  CollidingModel() { add_module("optim", std::make_unique<TinyLinear>(2, 2)); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

// Generated once per optimizer kind: A takes two steps; B takes one, is saved, loaded into fresh objects (other
// initial weights, another rate), and takes the second step there. Everything must match A bit for bit.
BOOST_DATA_TEST_CASE(round_trip_continues_training_identically, bdata::make(optimizer_kinds()), kind) {
  ScratchDir dir;
  TinyClassifier a(5);
  auto oa = kind.make(a.parameters());
  for (int i = 0; i < 2; ++i) {
    a.compute_gradients();
    oa->step();
  }

  TinyClassifier b(5);
  auto ob = kind.make(b.parameters());
  b.compute_gradients();
  ob->step();
  Rng rng_b(99);
  rng_b.next_u64();
  nn::save_checkpoint(dir / "b.safetensors", {.model = &b, .optimizer = ob.get(), .rng = &rng_b}, {{"epoch", "1"}});

  TinyClassifier c(1234);
  BOOST_TEST(!same_parameters(b, c));
  auto oc = kind.make(c.parameters());
  oc->set_learning_rate(0.5f);
  Rng rng_c(1);
  const nn::Metadata meta =
      nn::load_checkpoint(dir / "b.safetensors", {.model = &c, .optimizer = oc.get(), .rng = &rng_c});
  BOOST_TEST(meta == (nn::Metadata{{"epoch", "1"}}));
  BOOST_TEST(same_parameters(b, c));
  BOOST_TEST(same_optimizer_state(*ob, *oc));
  BOOST_TEST(oc->step_count() == 1);
  BOOST_TEST((rng_c.state() == rng_b.state()));
  BOOST_TEST(rng_c.next_u64() == rng_b.next_u64());

  c.compute_gradients();
  oc->step();
  BOOST_TEST(same_parameters(a, c));
  BOOST_TEST(same_optimizer_state(*oa, *oc));
}

// What the file holds, by name: the layout checkpoint.hpp documents.
BOOST_AUTO_TEST_CASE(tensor_names_and_metadata_keys) {
  ScratchDir dir;
  TinyClassifier m(1);
  nn::Adam adam(m.parameters(), {.lr = 0.02f});
  Rng rng(3);
  nn::ExponentialDecay schedule(adam, 0.5);
  schedule.step();
  nn::save_checkpoint(dir / "m.safetensors", {.model = &m, .optimizer = &adam, .schedule = &schedule, .rng = &rng});
  const st::File f = st::File::read(dir / "m.safetensors");
  std::vector<std::string> names;
  for (const st::TensorInfo& t : f.tensors()) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  BOOST_TEST(
      names == (std::vector<std::string>{"linear.W", "linear.b", "optim.exp_avg.linear.W", "optim.exp_avg.linear.b",
                                         "optim.exp_avg_sq.linear.W", "optim.exp_avg_sq.linear.b", "rng.state"}),
      boost::test_tools::per_element());
  BOOST_TEST((f.find("rng.state")->dtype == st::DType::U64));
  BOOST_TEST(f.metadata().at("tapegrad.format") == "1");
  BOOST_TEST(f.metadata().at("tapegrad.optim.kind") == "adam");
  BOOST_TEST(f.metadata().at("tapegrad.optim.step") == "0");
  BOOST_TEST(f.metadata().at("tapegrad.optim.lr") == "0.01");  // 0.02 halved by the schedule
  BOOST_TEST(f.metadata().at("tapegrad.optim.beta2") == "0.999");
  BOOST_TEST(f.metadata().at("tapegrad.schedule.kind") == "exponential");
  BOOST_TEST(f.metadata().at("tapegrad.schedule.epoch") == "1");
}

BOOST_AUTO_TEST_CASE(metadata_round_trip) {
  ScratchDir dir;
  TinyClassifier m(1);
  const nn::Metadata meta = {{"config", R"({"hidden": 200, "layers": 2})"},
                             {"vocab", "the\ncat\n\"sat\"\nnaïve\n日本\n"},
                             {"empty", ""},
                             {"long", std::string(100000, 'x')}};
  nn::save_checkpoint(dir / "m.safetensors", {.model = &m}, meta);
  BOOST_TEST(nn::read_checkpoint_metadata(dir / "m.safetensors") == meta);  // ours ("tapegrad.…") not included
  TinyClassifier fresh(2);
  BOOST_TEST(nn::load_checkpoint(dir / "m.safetensors", {.model = &fresh}) == meta);
  BOOST_TEST(same_parameters(m, fresh));
  BOOST_TEST(contains(error_of<UsageError>([&] {
                        nn::save_checkpoint(dir / "x.safetensors", {.model = &m}, {{"tapegrad.epoch", "1"}});
                      }),
                      "reserved"));
}

BOOST_AUTO_TEST_CASE(schedule_round_trip) {
  ScratchDir dir;
  TinyClassifier m(1);
  nn::SGD sgd(m.parameters(), {.lr = 1.0f});
  nn::ReduceOnPlateau plateau(sgd, {.factor = 0.5, .patience = 0});
  for (double metric : {3.0, 2.0, 2.5}) plateau.step(metric);  // the third is worse: rate 1 → 0.5
  BOOST_TEST(sgd.learning_rate() == 0.5f);
  nn::save_checkpoint(dir / "s.safetensors", {.model = &m, .optimizer = &sgd, .schedule = &plateau});

  TinyClassifier m2(2);
  nn::SGD sgd2(m2.parameters(), {.lr = 1.0f});
  nn::ReduceOnPlateau plateau2(sgd2, {.factor = 0.5, .patience = 0});
  nn::load_checkpoint(dir / "s.safetensors", {.model = &m2, .optimizer = &sgd2, .schedule = &plateau2});
  BOOST_TEST(sgd2.learning_rate() == 0.5f);
  BOOST_TEST(plateau2.epoch() == 3);
  BOOST_TEST(plateau2.best() == 2.0);
  BOOST_TEST((plateau2.state() == plateau.state()));
  // A schedule of another kind is refused, by name.
  nn::StepDecay step(sgd2, 2, 0.5);
  const std::string msg =
      error_of<CheckpointError>([&] { nn::load_checkpoint(dir / "s.safetensors", {.model = &m2, .schedule = &step}); });
  BOOST_TEST(contains(msg, "'plateau'"), msg);
}

BOOST_AUTO_TEST_CASE(parameters_only_for_evaluation) {
  ScratchDir dir;
  TinyClassifier m(1);
  nn::Adam adam(m.parameters(), {});
  m.compute_gradients();
  adam.step();
  Rng rng(4);
  nn::save_checkpoint(dir / "m.safetensors", {.model = &m, .optimizer = &adam, .rng = &rng});
  TinyClassifier eval(9);
  nn::load_checkpoint(dir / "m.safetensors", {.model = &eval});  // optimizer and rng tensors are skipped
  BOOST_TEST(same_parameters(m, eval));
}

BOOST_AUTO_TEST_CASE(shape_mismatch_names_the_tensor) {
  ScratchDir dir;
  TinyClassifier saved(1);
  nn::save_checkpoint(dir / "m.safetensors", {.model = &saved});
  TinyClassifier wider(2, /*in=*/4);
  const auto before = snapshot(wider);
  const std::string msg =
      error_of<CheckpointError>([&] { nn::load_checkpoint(dir / "m.safetensors", {.model = &wider}); });
  BOOST_TEST(contains(msg, "m.safetensors"), msg);
  BOOST_TEST(contains(msg, "'linear.W' has shape [3, 2] but the model's parameter has shape [4, 2]"), msg);
  BOOST_TEST(unchanged(wider, before));
}

BOOST_AUTO_TEST_CASE(missing_and_unexpected_tensors_strict_and_not) {
  ScratchDir dir;
  TinyClassifier small(1);
  TinyClassifierPlus plus(2);
  nn::save_checkpoint(dir / "small.safetensors", {.model = &small});
  nn::save_checkpoint(dir / "plus.safetensors", {.model = &plus});

  TinyClassifierPlus plus2(3);
  const auto before = snapshot(plus2);
  std::string msg =
      error_of<CheckpointError>([&] { nn::load_checkpoint(dir / "small.safetensors", {.model = &plus2}); });
  BOOST_TEST(contains(msg, "missing tensors: 'extra'"), msg);
  BOOST_TEST(unchanged(plus2, before));
  TinyClassifier small2(4);
  msg = error_of<CheckpointError>([&] { nn::load_checkpoint(dir / "plus.safetensors", {.model = &small2}); });
  BOOST_TEST(contains(msg, "unexpected tensors, not in the model/optimizer: 'extra'"), msg);

  // Non-strict: what is there is loaded, the rest left alone.
  nn::load_checkpoint(dir / "small.safetensors", {.model = &plus2}, {.strict = false});
  BOOST_TEST(same_bits(plus2.linear.W.value(), small.linear.W.value()));
  BOOST_TEST(plus2.extra.value()[0] == 5.0f);
  nn::load_checkpoint(dir / "plus.safetensors", {.model = &small2}, {.strict = false});
  BOOST_TEST(same_bits(small2.linear.W.value(), plus.linear.W.value()));
}

BOOST_AUTO_TEST_CASE(optimizer_state_must_match_the_optimizer) {
  ScratchDir dir;
  TinyClassifier m(1);
  nn::SGD momentum(m.parameters(), {.lr = 0.1f, .momentum = 0.9f});
  nn::save_checkpoint(dir / "sgd.safetensors", {.model = &m, .optimizer = &momentum});
  nn::save_checkpoint(dir / "none.safetensors", {.model = &m});
  nn::SGD plain(m.parameters(), {.lr = 0.1f});
  nn::save_checkpoint(dir / "plain.safetensors", {.model = &m, .optimizer = &plain});

  TinyClassifier m2(2);
  nn::Adam adam(m2.parameters(), {});
  std::string msg = error_of<CheckpointError>(
      [&] { nn::load_checkpoint(dir / "sgd.safetensors", {.model = &m2, .optimizer = &adam}); });
  BOOST_TEST(contains(msg, "of kind 'sgd', but the optimizer is of kind 'adam'"), msg);
  msg = error_of<CheckpointError>(
      [&] { nn::load_checkpoint(dir / "none.safetensors", {.model = &m2, .optimizer = &adam}); });
  BOOST_TEST(contains(msg, "no optimizer state"), msg);
  nn::SGD momentum2(m2.parameters(), {.lr = 0.3f, .momentum = 0.9f});
  msg = error_of<CheckpointError>(
      [&] { nn::load_checkpoint(dir / "plain.safetensors", {.model = &m2, .optimizer = &momentum2}); });
  BOOST_TEST(contains(msg, "missing tensors: 'optim.momentum_buffer.linear.W', 'optim.momentum_buffer.linear.b'"), msg);
  BOOST_TEST(momentum2.learning_rate() == 0.3f);  // untouched by the failed loads
  // Non-strict: a file without optimizer state loads the parameters and leaves the optimizer as it is.
  nn::load_checkpoint(dir / "none.safetensors", {.model = &m2, .optimizer = &momentum2}, {.strict = false});
  BOOST_TEST(momentum2.learning_rate() == 0.3f);
  BOOST_TEST(same_parameters(m, m2));
}

BOOST_AUTO_TEST_CASE(reserved_and_repeated_names_are_refused_on_save) {
  ScratchDir dir;
  CollidingModel bad;
  const std::string msg = error_of<UsageError>([&] { nn::save_checkpoint(dir / "x.safetensors", {.model = &bad}); });
  BOOST_TEST(contains(msg, "'optim.W' is reserved"), msg);
  BOOST_CHECK_THROW(nn::save_checkpoint(dir / "x.safetensors", {}), UsageError);  // no model
  BOOST_TEST(dir.files().empty());
}

// A file valid as safetensors but wrong for the model in its *second* tensor, and one whose Rng state (checked after
// the parameters and the optimizer) is invalid: nothing may be copied before everything is checked.
BOOST_AUTO_TEST_CASE(nothing_is_touched_before_everything_is_checked) {
  ScratchDir dir;
  const std::vector<float> w(6, 42.0f), b(3, 1.0f);
  const std::vector<st::TensorRef> tensors = {{"linear.W", st::DType::F32, {3, 2}, std::as_bytes(std::span(w))},
                                              {"linear.b", st::DType::F32, {3}, std::as_bytes(std::span(b))}};
  st::write(dir / "half.safetensors", tensors, {});
  TinyClassifier m(1);
  const auto before = snapshot(m);
  const std::string msg =
      error_of<CheckpointError>([&] { nn::load_checkpoint(dir / "half.safetensors", {.model = &m}); });
  BOOST_TEST(contains(msg, "'linear.b' has shape [3]"), msg);
  BOOST_TEST(unchanged(m, before));

  // A good checkpoint whose rng.state is zeroed in the file.
  TinyClassifier src(2);
  nn::Adam adam_src(src.parameters(), {});
  src.compute_gradients();
  adam_src.step();
  Rng rng_src(5);
  nn::save_checkpoint(dir / "z.safetensors", {.model = &src, .optimizer = &adam_src, .rng = &rng_src});
  std::string bytes = slurp(dir / "z.safetensors");
  const st::File f = st::File::parse(bytes, "z");
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  std::memset(bytes.data() + 8 + n + f.find("rng.state")->begin, 0, 32);
  spit(dir / "z.safetensors", without_checksum(bytes));  // else the checksum would refuse the file first
  nn::Adam adam(m.parameters(), {});
  Rng rng(6);
  const Rng::State rng_before = rng.state();
  const std::string zmsg = error_of<CheckpointError>(
      [&] { nn::load_checkpoint(dir / "z.safetensors", {.model = &m, .optimizer = &adam, .rng = &rng}); });
  BOOST_TEST(contains(zmsg, "'rng.state' is all zeros"), zmsg);
  BOOST_TEST(unchanged(m, before));
  BOOST_TEST(adam.step_count() == 0);
  BOOST_TEST(adam.state_slots()[0].tensors[0][0] == 0.0f);
  BOOST_TEST((rng.state() == rng_before));
}

// Corrupt files — truncated, an oversized or non-JSON header, a wrong dtype, shape or size, offsets outside the data
// or overlapping, a missing tensor, an unknown format version, random bytes — each made from a good checkpoint and
// loaded through load_checkpoint: refused with the problem named, the model untouched.
BOOST_AUTO_TEST_CASE(corrupt_files_are_refused_with_the_problem_named) {
  ScratchDir dir;
  TinyClassifier src(1);
  Rng rng_src(2);
  const auto good_path = dir / "good.safetensors";
  nn::save_checkpoint(good_path, {.model = &src, .rng = &rng_src});
  const std::string good = slurp(good_path);
  const std::string header = header_of(good);
  const st::File gf = st::File::read(good_path);
  const auto offsets = [&](const std::string& name) {
    const st::TensorInfo* t = gf.find(name);
    return "\"data_offsets\":[" + std::to_string(t->begin) + "," + std::to_string(t->end) + "]";
  };
  const auto shifted = [&](const std::string& name, std::int64_t by) {
    const st::TensorInfo* t = gf.find(name);
    return "\"data_offsets\":[" + std::to_string(t->begin + by) + "," + std::to_string(t->end + by) + "]";
  };
  std::string garbage = good;
  std::mt19937 rng(5);
  for (std::size_t i = 8; i < garbage.size(); ++i) garbage[i] = static_cast<char>(rng());
  std::string oversized = good;
  const std::uint64_t huge = std::uint64_t{1} << 62;
  std::memcpy(oversized.data(), &huge, 8);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {good.substr(0, good.size() / 2), "exceeds"},  // truncated inside the header
      {good.substr(0, good.size() - 4), "outside the data section"},
      {good.substr(0, 6), "too short"},
      {oversized, "exceeds the limit"},
      {with_header(good, replaced(header, "{", "[")), "does not start with '{'"},
      {with_header(good, replaced(header, "\"linear.W\":", "\"linear.W\"")), "not valid JSON"},
      {with_header(good, replaced(header, "\"dtype\":\"F32\",\"shape\":[2]", "\"dtype\":\"F16\",\"shape\":[4]")),
       "'linear.b' has dtype F16, expected F32"},
      {with_header(good, replaced(header, "\"dtype\":\"F32\",\"shape\":[2]", "\"dtype\":\"F32\",\"shape\":[1,2]")),
       "'linear.b' has shape [1, 2] but the model's parameter has shape [2]"},
      {with_header(good, replaced(header, "\"dtype\":\"F32\",\"shape\":[2]", "\"dtype\":\"F32\",\"shape\":[3]")),
       "needs 12 bytes"},
      {with_header(good, replaced(header, "\"dtype\":\"F32\",\"shape\":[2]", "\"dtype\":\"X32\",\"shape\":[2]")),
       "unknown dtype 'X32'"},
      {with_header(good, replaced(header, offsets("linear.b"), shifted("linear.b", 1000))), "outside the data section"},
      {with_header(good, replaced(header, offsets("linear.b"), shifted("linear.b", -4))), "overlap"},
      {with_header(good, replaced(header, "\"linear.b\"", "\"linear.c\"")), "missing tensors: 'linear.b'"},
      {with_header(good, replaced(header, "\"tapegrad.format\":\"1\"", "\"tapegrad.format\":\"9\"")),
       "format version '9'"},
      {garbage, "checkpoint"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto path = dir / ("bad" + std::to_string(i) + ".safetensors");
    spit(path, cases[i].first);
    TinyClassifier m(3);
    Rng r(4);
    const auto before = snapshot(m);
    const std::string msg = error_of<CheckpointError>([&] { nn::load_checkpoint(path, {.model = &m, .rng = &r}); });
    BOOST_TEST(contains(msg, path.string()), "case " << i << ": " << msg);
    BOOST_TEST(contains(msg, cases[i].second), "case " << i << ": " << msg);
    BOOST_TEST(unchanged(m, before), "case " << i);
  }
}

// Every proper prefix of a checkpoint is refused; single-byte changes in the header either load or are refused,
// never crash (ASan/UBSan builds check the "never").
BOOST_AUTO_TEST_CASE(every_truncation_and_header_byte_flip_is_handled) {
  ScratchDir dir;
  TinyClassifier src(1);
  nn::SGD sgd(src.parameters(), {.lr = 0.1f, .momentum = 0.9f});
  Rng rng_src(2);
  nn::save_checkpoint(dir / "good.safetensors", {.model = &src, .optimizer = &sgd, .rng = &rng_src}, {{"e", "1"}});
  const std::string good = slurp(dir / "good.safetensors");
  TinyClassifier m(3);
  nn::SGD opt(m.parameters(), {.lr = 0.1f, .momentum = 0.9f});
  Rng r(4);
  const nn::TrainingState state{.model = &m, .optimizer = &opt, .rng = &r};
  int refused = 0;
  for (std::size_t len = 0; len < good.size(); ++len) {
    const std::string bytes = good.substr(0, len);
    BOOST_CHECK_THROW(st::File::parse(bytes, "prefix"), CheckpointError);
    ++refused;
  }
  BOOST_TEST(refused == static_cast<int>(good.size()));
  // Through the file path too, for a sample of lengths.
  for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{100}, good.size() - 1}) {
    spit(dir / "cut.safetensors", good.substr(0, len));
    BOOST_CHECK_THROW(nn::load_checkpoint(dir / "cut.safetensors", state), CheckpointError);
  }

  const std::uint64_t n = header_of(good).size();
  int loaded = 0, errors = 0;
  for (std::size_t i = 8; i < 8 + n; ++i)
    for (char c : {'\0', '}', '"', '9', ',', '\xff'}) {
      std::string bytes = good;
      if (bytes[i] == c) continue;
      bytes[i] = c;
      spit(dir / "flip.safetensors", bytes);
      try {
        nn::load_checkpoint(dir / "flip.safetensors", state);
        ++loaded;
      } catch (const CheckpointError&) {
        ++errors;
      }
    }
  BOOST_TEST(errors > 0);
  BOOST_TEST_MESSAGE("header byte flips: " << loaded << " loaded, " << errors << " refused");
}

BOOST_AUTO_TEST_SUITE_END()
