// ParameterBlock and Module::pack_parameters: one buffer of values and one of gradients, each parameter a window at
// its offset with its values kept; a shared parameter once; packing again; a parameter already on a tape refused;
// writes into a packed parameter; zeroing that still skips the untouched rows of an embedding.
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/embedding.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "nn/parameter_block.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::nn;
using autograd::Tape;
using autograd::Var;

namespace {

// Parameters of sizes 1, 15, 5, 20 (none a multiple of a SIMD width), in parameters() order:
//   scale [1], encoder.W [3, 5], encoder.b [5], head.W [5, 4] (no bias)
struct Net : Module {
  Parameter* scale;
  Linear* encoder;
  Linear* head;
  explicit Net(Rng& rng) {
    scale = &add_parameter("scale", Shape{1});
    encoder = &add_module("encoder", std::make_unique<Linear>(3, 5, rng));
    LinearOptions no_bias;
    no_bias.bias = false;
    head = &add_module("head", std::make_unique<Linear>(5, 4, rng, no_bias));
  }
};

// The same child module under two names: its two parameters are listed twice by parameters().
struct SharedTwice : Module {
  Linear shared;
  explicit SharedTwice(Rng& rng) : shared(2, 3, rng) {
    register_module("first", shared);
    register_module("second", shared);
  }
};

// A module that gains a parameter after it was packed.
struct Growing : Module {
  Growing() { add_parameter("a", Shape{3}); }
  Parameter& grow() { return add_parameter("b", Shape{2}); }
};

std::vector<float> values_of(Module& m) {
  std::vector<float> out;
  for (Parameter* p : m.parameters()) out.insert(out.end(), p->value().data(), p->value().data() + p->numel());
  return out;
}

bool aligned_64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(parameter_block)

BOOST_AUTO_TEST_CASE(one_buffer_each_parameter_a_window_at_its_offset) {
  Rng rng(1);
  Net net(rng);
  net.scale->value()[0] = 0.25f;
  const std::vector<float> values_before = values_of(net);
  std::vector<Parameter*> params = net.parameters();
  for (std::size_t k = 0; k < params.size(); ++k) params[k]->grad().fill(static_cast<float>(k) + 0.5f);
  BOOST_TEST(net.parameter_block() == nullptr);
  BOOST_TEST(params[1]->block() == nullptr);

  ParameterBlock& block = net.pack_parameters();
  BOOST_TEST(net.parameter_block() == &block);
  BOOST_TEST(block.size() == 1 + 15 + 5 + 20);
  BOOST_TEST(block.parameters() == params, boost::test_tools::per_element());
  const std::vector<index_t> offsets = {0, 1, 16, 21};  // running sums of 1, 15, 5, 20
  BOOST_TEST(aligned_64(block.values().data()));
  BOOST_TEST(aligned_64(block.gradients().data()));
  for (std::size_t k = 0; k < params.size(); ++k) {
    BOOST_TEST(block.offset(k) == offsets[k]);
    BOOST_TEST(params[k]->block() == &block);
    BOOST_TEST(params[k]->value().borrows());
    BOOST_TEST(params[k]->value().data() == block.values().data() + offsets[k]);
    BOOST_TEST(std::as_const(*params[k]).grad().data() == block.gradients().data() + offsets[k]);
    for (index_t i = 0; i < params[k]->numel(); ++i)
      BOOST_TEST_REQUIRE(block.gradients()[static_cast<std::size_t>(offsets[k] + i)] == static_cast<float>(k) + 0.5f);
  }
  // The values, kept, are the block in order.
  BOOST_TEST(values_of(net) == values_before, boost::test_tools::per_element());
  BOOST_TEST(std::vector<float>(block.values().begin(), block.values().end()) == values_before,
             boost::test_tools::per_element());
  // Shapes and names are the parameters' own.
  BOOST_TEST(net.encoder->weight().shape() == (Shape{3, 5}));
  BOOST_TEST(net.find_parameter("head.W") == &net.head->weight());
}

// A parameter reached twice is one Parameter: it takes one place in the block, where it is first listed.
BOOST_AUTO_TEST_CASE(a_shared_parameter_takes_one_place) {
  Rng rng(2);
  SharedTwice m(rng);
  BOOST_TEST(m.parameters().size() == 4u);
  ParameterBlock& block = m.pack_parameters();
  BOOST_TEST(block.parameters().size() == 2u);
  BOOST_TEST(block.size() == 2 * 3 + 3);
  BOOST_TEST(block.parameters()[0] == &m.shared.weight());
  BOOST_TEST(block.parameters()[1] == m.shared.bias());
  BOOST_TEST(m.parameter_block() == &block);
}

BOOST_AUTO_TEST_CASE(packing_again_keeps_or_supersedes_the_block) {
  Rng rng(3);
  Net net(rng);
  ParameterBlock& block = net.pack_parameters();
  const float* values = block.values().data();
  BOOST_TEST(&net.pack_parameters() == &block);  // the same parameters: nothing to do
  BOOST_TEST(net.encoder->weight().value().data() == values + 1);

  // A child packed first, then its parent: the parameters move to the parent's block, the child's is superseded.
  Rng rng2(3);
  Net twin(rng2);
  const std::vector<float> before = values_of(twin);
  ParameterBlock& child_block = twin.encoder->pack_parameters();
  BOOST_TEST(child_block.size() == 20);
  BOOST_TEST(child_block.current());
  ParameterBlock& root_block = twin.pack_parameters();
  BOOST_TEST(!child_block.current());
  BOOST_TEST(root_block.current());
  BOOST_TEST(twin.encoder->parameter_block() == nullptr);
  BOOST_TEST(twin.encoder->weight().block() == &root_block);
  BOOST_TEST(values_of(twin) == before, boost::test_tools::per_element());
  BOOST_TEST(values_of(twin) == values_of(net), boost::test_tools::per_element());

  // A parameter added after packing: the block no longer covers the module until it is packed again.
  Growing g;
  g.pack_parameters();
  Parameter& b = g.grow();
  BOOST_TEST(g.parameter_block() == nullptr);
  BOOST_TEST(b.block() == nullptr);
  ParameterBlock& again = g.pack_parameters();
  BOOST_TEST(again.size() == 5);
  BOOST_TEST(b.block() == &again);
}

// The tape keeps pointers to a recorded parameter's storage, which packing would free: refused, nothing changed.
BOOST_AUTO_TEST_CASE(a_parameter_already_on_a_tape_is_not_packed) {
  Rng rng(4);
  Net net(rng);
  Tape tape;
  (void)net.encoder->forward(tape.constant(Tensor(Shape{2, 3}, 1.0f)));
  const float* storage = net.scale->value().data();
  try {
    net.pack_parameters();
    BOOST_FAIL("packing a recorded parameter did not throw");
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    BOOST_TEST(msg.find("'encoder.W'") != std::string::npos, msg);
    BOOST_TEST(msg.find("tape") != std::string::npos, msg);
  }
  BOOST_TEST(net.parameter_block() == nullptr);
  BOOST_TEST(net.scale->block() == nullptr);
  BOOST_TEST(net.scale->value().data() == storage);
  BOOST_TEST(!net.scale->value().borrows());
}

// Assigning to a packed parameter writes into the block; a tensor of another shape is refused.
BOOST_AUTO_TEST_CASE(assigning_to_a_packed_parameter_writes_into_the_block) {
  Rng rng(5);
  Net net(rng);
  ParameterBlock& block = net.pack_parameters();
  net.encoder->bias()->value() = Tensor(Shape{5}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f});
  BOOST_TEST(net.encoder->bias()->value().data() == block.values().data() + 16);
  for (std::size_t i = 0; i < 5; ++i) BOOST_TEST(block.values()[16 + i] == static_cast<float>(i + 1));
  BOOST_CHECK_THROW(net.encoder->bias()->value() = Tensor(Shape{6}), ShapeError);
  BOOST_TEST(block.values()[16] == 1.0f);
  BOOST_TEST(net.encoder->bias()->shape() == (Shape{5}));
}

// Embedding (10 × 4) then Linear (4 → 2): after lookups of rows 2, 3 and 9, the gradient ranges are rows 2–3, and
// row 9 merged with the dense linear parameters that follow it. zero_grad visits only those: a value planted in an
// untouched row (where a gradient can never be) stays, which shows the rest of the table was not visited.
BOOST_AUTO_TEST_CASE(zeroing_skips_untouched_embedding_rows) {
  struct EmbedThenLinear : Module {
    Embedding* emb;
    Linear* out;
    explicit EmbedThenLinear(Rng& rng) {
      emb = &add_module("emb", std::make_unique<Embedding>(10, 4, rng));
      out = &add_module("out", std::make_unique<Linear>(4, 2, rng));
    }
  };
  Rng rng(6);
  EmbedThenLinear m(rng);
  ParameterBlock& block = m.pack_parameters();
  BOOST_TEST(block.size() == 40 + 8 + 2);
  const std::vector<std::int32_t> ids = {3, 9, 2};
  Tape tape;
  tape.backward(autograd::sum(autograd::tanh(m.out->forward(m.emb->forward(tape, ids)))));

  std::vector<std::pair<index_t, index_t>> ranges;
  block.for_each_gradient_range([&](index_t first, index_t count) { ranges.emplace_back(first, count); });
  const std::vector<std::pair<index_t, index_t>> expected = {{8, 8}, {36, 14}};
  BOOST_TEST(ranges.size() == expected.size());
  for (std::size_t i = 0; i < std::min(ranges.size(), expected.size()); ++i) {
    BOOST_TEST(ranges[i].first == expected[i].first);
    BOOST_TEST(ranges[i].second == expected[i].second);
  }

  const std::span<float> g = block.gradients();
  BOOST_TEST(g[8] != 0.0f);   // row 2 received gradient
  BOOST_TEST(g[48] != 0.0f);  // so did the linear bias
  g[5 * 4] = 7.0f;            // row 5, never looked up (written through the span: not marked dense)
  m.zero_grad();
  BOOST_TEST(g[5 * 4] == 7.0f);
  for (const auto& [first, count] : expected)
    for (index_t i = first; i < first + count; ++i) BOOST_TEST_REQUIRE(g[static_cast<std::size_t>(i)] == 0.0f);
}

BOOST_AUTO_TEST_CASE(bad_lists_are_refused) {
  Rng rng(7);
  Linear layer(2, 2, rng);
  Parameter* w = &layer.weight();
  BOOST_CHECK_THROW(ParameterBlock::pack({w, nullptr}), UsageError);
  BOOST_CHECK_THROW(ParameterBlock::pack({w, w}), UsageError);
  BOOST_TEST(w->block() == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
