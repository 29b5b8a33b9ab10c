// Module and Parameter: hierarchical names, traversal order, counts, train/eval propagation, registration errors,
// and the one-leaf-per-round rule of Parameter::var.
#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

#include "autograd/functions.hpp"
#include "nn/linear.hpp"
#include "nn/module.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::nn;
using tapegrad::autograd::Var;

namespace {

// A two-level tree: root { scale (1), encoder: Linear(3→2) , head { decoder: Linear(2→4, no bias) } }.
struct Head : Module {
  Linear* decoder;
  explicit Head(Rng& rng) {
    LinearOptions o;
    o.bias = false;
    decoder = &add_module("decoder", std::make_unique<Linear>(2, 4, rng, o));
  }
};
struct Root : Module {
  Parameter* scale;
  Linear* encoder;
  Head* head;
  explicit Root(Rng& rng) {
    scale = &add_parameter("scale", Shape{1});
    encoder = &add_module("encoder", std::make_unique<Linear>(3, 2, rng));
    head = &add_module("head", std::make_unique<Head>(rng));
  }
  bool seen_mode_change = false;
  void on_mode_change() override { seen_mode_change = true; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(module)

BOOST_AUTO_TEST_CASE(names_order_and_counts) {
  Rng rng(1);
  Root root(rng);
  std::vector<std::string> names;
  for (auto& [name, p] : root.named_parameters()) names.push_back(name);
  const std::vector<std::string> expected = {"scale", "encoder.W", "encoder.b", "head.decoder.W"};
  BOOST_TEST(names == expected, boost::test_tools::per_element());
  BOOST_TEST(root.parameter_count() == 1 + 3 * 2 + 2 + 2 * 4);
  BOOST_TEST(root.head->decoder->path() == "head.decoder");
  BOOST_TEST(root.find_parameter("head.decoder.W") == &root.head->decoder->weight());
  BOOST_TEST(root.find_parameter("head.decoder.b") == nullptr);
  BOOST_TEST(root.head->decoder->weight().local_name() == "W");
}

BOOST_AUTO_TEST_CASE(train_eval_reaches_every_module) {
  Rng rng(1);
  Root root(rng);
  BOOST_TEST(root.head->decoder->is_training());
  root.eval();
  BOOST_TEST(!root.is_training());
  BOOST_TEST(!root.head->decoder->is_training());
  BOOST_TEST(root.seen_mode_change);
  root.train();
  BOOST_TEST(root.encoder->is_training());
}

BOOST_AUTO_TEST_CASE(zero_grad_clears_every_gradient) {
  Rng rng(1);
  Root root(rng);
  for (Parameter* p : root.parameters()) p->grad().fill(3.0f);
  root.zero_grad();
  for (Parameter* p : root.parameters())
    for (index_t i = 0; i < p->numel(); ++i) BOOST_TEST(p->grad()[i] == 0.0f);
}

BOOST_AUTO_TEST_CASE(bad_registrations_throw) {
  struct Bad : Module {
    void twice() {
      add_parameter("w", Shape{1});
      add_parameter("w", Shape{2});
    }
    void dotted() { add_parameter("a.b", Shape{1}); }
    void empty() { add_parameter("", Shape{1}); }
  };
  Bad bad;
  BOOST_CHECK_THROW(bad.twice(), UsageError);
  BOOST_CHECK_THROW(bad.dotted(), UsageError);
  BOOST_CHECK_THROW(bad.empty(), UsageError);
}

// A parameter used several times in one round is one leaf node (so BPTT's fan-out is visible on the tape); after
// clear() it is recorded again; it sits at the top level whatever scope first used it.
BOOST_AUTO_TEST_CASE(parameter_leaf_once_per_round) {
  Rng rng(1);
  Linear layer(3, 3, rng);
  autograd::Tape tape;
  Var x = tape.constant(Tensor(Shape{2, 3}, 0.5f));
  {
    autograd::ScopeGuard scope(tape, "t=0");
    x = layer.forward(x);
  }
  const std::size_t after_first = tape.size();
  x = layer.forward(x);  // W and b again: only the linear node is new
  BOOST_TEST(tape.size() == after_first + 1);
  const autograd::Var w = layer.weight().var(tape);
  BOOST_TEST(tape.scope_of(tape.node(w)) == "");
  BOOST_TEST(tape.name_of(tape.node(w)) == "W");
  tape.clear();
  const autograd::Var w2 = layer.weight().var(tape);
  BOOST_TEST(w2.generation() == tape.generation());
  BOOST_TEST(tape.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
