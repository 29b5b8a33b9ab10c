// Packed against unpacked: a model whose parameters live in one ParameterBlock must train to exactly the bits of its
// unpacked twin — every optimizer (one flat loop against a loop per parameter), the gradient norm and clipping,
// zeroing with a row-sparse embedding — and checkpoints must be the same files and load either way.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/checkpoint.hpp"
#include "nn/clip.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"
#include "bit_equal.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace bdata = boost::unit_test::data;
using autograd::Tape;
using autograd::Var;

namespace {

// Embedding 50 × 7 (looked up: row-sparse gradient) → Linear 7 → 13 → + gain (13) → cross-entropy over 13 classes.
// Sizes 350, 91, 13, 13: none a multiple of a SIMD width, so the flat loop splits into vector and scalar parts at
// other places than the per-parameter loops do.
class SmallLm : public nn::Module {
 public:
  explicit SmallLm(std::uint64_t seed) {
    Rng rng(seed);
    emb_ = &add_module("emb", std::make_unique<nn::Embedding>(50, 7, rng, 0.5f));
    out_ = &add_module("out", std::make_unique<nn::Linear>(7, 13, rng));
    gain_ = &add_parameter("gain", Shape{13});
    nn::init::uniform(gain_->value(), -0.2f, 0.2f, rng);
  }
  Var loss(Tape& tape, const std::vector<std::int32_t>& ids, const std::vector<std::int32_t>& targets) {
    const Var logits = autograd::add_bias(out_->forward(emb_->forward(tape, ids)), gain_->var(tape));
    return autograd::cross_entropy(logits, targets);
  }

 private:
  nn::Embedding* emb_;
  nn::Linear* out_;
  nn::Parameter* gain_;
};


// Step s of a deterministic data stream: 6 ids (few distinct: most embedding rows stay untouched) and 6 targets.
void batch(int s, std::vector<std::int32_t>& ids, std::vector<std::int32_t>& targets) {
  Rng rng(100 + static_cast<std::uint64_t>(s));
  ids.clear();
  targets.clear();
  for (int i = 0; i < 6; ++i) {
    ids.push_back(static_cast<std::int32_t>(rng.uniform_int(50)));
    targets.push_back(static_cast<std::int32_t>(rng.uniform_int(13)));
  }
}

// One training step as the trainer takes it: zero_grad, forward, backward, clip, step. Returns the norm.
double train_step(SmallLm& m, nn::Optimizer& optim, int s, double clip) {
  std::vector<std::int32_t> ids, targets;
  batch(s, ids, targets);
  optim.zero_grad();
  Tape tape;
  tape.backward(m.loss(tape, ids, targets));
  const double norm = nn::clip_grad_norm(optim.parameters(), clip);
  optim.step();
  return norm;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(packed_parameters)

// Every optimizer, 12 steps with clipping (a small max_norm, so it scales most steps): the same norms, parameters
// and optimizer state, bit for bit, from the flat loops as from the per-parameter ones.
BOOST_DATA_TEST_CASE(training_is_bit_identical_packed_and_unpacked, bdata::make(optimizer_kinds()), kind) {
  SmallLm packed(11), unpacked(11);
  packed.pack_parameters();
  auto op = kind.make(packed.parameters());
  auto ou = kind.make(unpacked.parameters());
  BOOST_TEST_REQUIRE(op->block() == packed.parameter_block());  // the flat path is the one under test
  BOOST_TEST_REQUIRE(op->block() != nullptr);
  BOOST_TEST_REQUIRE(ou->block() == nullptr);
  int clipped = 0;
  for (int s = 0; s < 12; ++s) {
    const double np = train_step(packed, *op, s, 0.3);
    const double nu = train_step(unpacked, *ou, s, 0.3);
    BOOST_TEST_REQUIRE(std::memcmp(&np, &nu, sizeof np) == 0, "step " << s << ": norm " << np << " vs " << nu);
    clipped += np > 0.3;
    BOOST_TEST_REQUIRE(same_parameters(packed, unpacked), "step " << s);
    BOOST_TEST_REQUIRE(same_state(*op, *ou), "step " << s);
  }
  BOOST_TEST(clipped > 0);
  // The parameters moved (a test of nothing would pass the comparisons too).
  SmallLm initial(11);
  BOOST_TEST(!same_parameters(packed, initial));
}

// An optimizer built before packing lays its state out like the parameter list, which is the block's layout: once
// the model is packed it runs flat, with the same results.
BOOST_AUTO_TEST_CASE(an_optimizer_built_before_packing_runs_flat_afterwards) {
  SmallLm packed(12), unpacked(12);
  nn::Adam ap(packed.parameters(), {.lr = 0.01f});
  nn::Adam au(unpacked.parameters(), {.lr = 0.01f});
  BOOST_TEST(ap.block() == nullptr);
  packed.pack_parameters();
  BOOST_TEST(ap.block() == packed.parameter_block());
  for (int s = 0; s < 5; ++s) {
    train_step(packed, ap, s, 1e9);
    train_step(unpacked, au, s, 1e9);
  }
  BOOST_TEST(same_parameters(packed, unpacked));
  BOOST_TEST(same_state(ap, au));
}

// A list that is not exactly the block (a subset) runs parameter by parameter, with the block's storage.
BOOST_AUTO_TEST_CASE(a_subset_of_a_packed_model_runs_per_parameter) {
  SmallLm packed(13), unpacked(13);
  packed.pack_parameters();
  const auto pp = packed.parameters(), pu = unpacked.parameters();
  nn::SGD sp({pp[1], pp[2]}, {.lr = 0.5f, .momentum = 0.9f});
  nn::SGD su({pu[1], pu[2]}, {.lr = 0.5f, .momentum = 0.9f});
  BOOST_TEST(sp.block() == nullptr);
  for (int s = 0; s < 4; ++s) {
    packed.zero_grad();
    unpacked.zero_grad();
    std::vector<std::int32_t> ids, targets;
    batch(s, ids, targets);
    for (SmallLm* m : {&packed, &unpacked}) {
      Tape tape;
      tape.backward(m->loss(tape, ids, targets));
    }
    const std::vector<nn::Parameter*> sub_p = {pp[1], pp[2]}, sub_u = {pu[1], pu[2]};
    const double gp = nn::grad_norm(sub_p), gu = nn::grad_norm(sub_u);
    BOOST_TEST(gp == gu);
    sp.step();
    su.step();
  }
  BOOST_TEST(same_parameters(packed, unpacked));
}

// The norm over a packed model's list (one pass over its block's buffer) and over the unpacked twin's list: the same
// bits; clipping the packed list scales exactly as clipping the twin's does.
BOOST_AUTO_TEST_CASE(gradient_norm_and_clipping_of_the_block) {
  SmallLm packed(14), unpacked(14);
  nn::ParameterBlock& block = packed.pack_parameters();
  const auto pp = packed.parameters(), pu = unpacked.parameters();
  BOOST_TEST_REQUIRE(block.holds(pp));  // the flat path is the one under test
  std::vector<std::int32_t> ids, targets;
  batch(0, ids, targets);
  for (SmallLm* m : {&packed, &unpacked}) {
    m->zero_grad();
    Tape tape;
    tape.backward(m->loss(tape, ids, targets));
  }
  const double by_block = nn::grad_norm(pp);
  const double twin = nn::grad_norm(pu);
  BOOST_TEST(by_block > 0.0);
  BOOST_TEST(std::memcmp(&by_block, &twin, sizeof by_block) == 0);
  BOOST_TEST(nn::clip_grad_norm(pp, 0.01) == twin);
  nn::clip_grad_norm(pu, 0.01);
  for (std::size_t k = 0; k < pp.size(); ++k)
    BOOST_TEST(same_bits(std::as_const(*pp[k]).grad().span(), std::as_const(*pu[k]).grad().span()), pp[k]->name());
  BOOST_TEST(nn::grad_norm(pp) <= 0.01);
  BOOST_CHECK_THROW(nn::clip_grad_norm(pp, 0.0), UsageError);
}

// The file of a packed model is the file of its unpacked twin, byte for byte, and each loads into the other.
BOOST_AUTO_TEST_CASE(checkpoints_are_the_same_files_and_load_across) {
  ScratchDir dir;
  SmallLm packed(15), unpacked(15);
  packed.pack_parameters();
  nn::Adam ap(packed.parameters(), {.lr = 0.02f}), au(unpacked.parameters(), {.lr = 0.02f});
  for (int s = 0; s < 3; ++s) {
    train_step(packed, ap, s, 1.0);
    train_step(unpacked, au, s, 1.0);
  }
  nn::save_checkpoint(dir / "packed.safetensors", {.model = &packed, .optimizer = &ap}, {{"note", "x"}});
  nn::save_checkpoint(dir / "unpacked.safetensors", {.model = &unpacked, .optimizer = &au}, {{"note", "x"}});
  BOOST_TEST(slurp(dir / "packed.safetensors") == slurp(dir / "unpacked.safetensors"));

  // Packed file → fresh unpacked model, unpacked file → fresh packed model.
  SmallLm to_unpacked(99), to_packed(98);
  to_packed.pack_parameters();
  nn::Adam a1(to_unpacked.parameters(), {.lr = 0.5f}), a2(to_packed.parameters(), {.lr = 0.5f});
  nn::load_checkpoint(dir / "packed.safetensors", {.model = &to_unpacked, .optimizer = &a1});
  nn::load_checkpoint(dir / "unpacked.safetensors", {.model = &to_packed, .optimizer = &a2});
  BOOST_TEST(same_parameters(to_unpacked, packed));
  BOOST_TEST(same_parameters(to_packed, packed));
  BOOST_TEST(same_state(a1, ap));
  BOOST_TEST(same_state(a2, ap));
  BOOST_TEST(a2.step_count() == 3);
  BOOST_TEST(a2.learning_rate() == 0.02f);
  // And training continues alike.
  train_step(to_packed, a2, 3, 1.0);
  train_step(unpacked, au, 3, 1.0);
  BOOST_TEST(same_parameters(to_packed, unpacked));
}

BOOST_AUTO_TEST_SUITE_END()
