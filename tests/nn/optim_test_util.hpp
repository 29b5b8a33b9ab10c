// Shared by the optimizer, schedule and checkpoint tests: a tiny logistic-regression model built with the tape, the
// list of optimizer kinds that the generated tests run over, a scratch directory, and error-message helpers.
#pragma once

#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "autograd/functions.hpp"
#include "nn/adam.hpp"
#include "nn/init.hpp"
#include "nn/module.hpp"
#include "nn/sgd.hpp"

namespace tapegrad::testing {

// Runs f, expects it to throw E, and returns the message.
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  BOOST_FAIL("expected an exception");
  return "";
}
inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Two parameters of distinct shapes in a child module, so names are dotted paths: "linear.W" (3×2), "linear.b" (2).
class TinyLinear : public nn::Module {
 public:
  TinyLinear(index_t in, index_t out) : W(add_parameter("W", Shape{in, out})), b(add_parameter("b", Shape{out})) {}
  nn::Parameter& W;
  nn::Parameter& b;
};

class TinyClassifier : public nn::Module {
 public:
  explicit TinyClassifier(std::uint64_t seed, index_t in = 3, index_t classes = 2)
      : linear(add_module("linear", std::make_unique<TinyLinear>(in, classes))) {
    Rng rng(seed);
    nn::init::xavier_uniform(linear.W.value(), rng);
    nn::init::uniform(linear.b.value(), -0.1f, 0.1f, rng);
  }
  // Mean cross-entropy of softmax(x·W + b) on a fixed batch of 6 points in 3-D, two linearly separable classes.
  // Records on `tape`; the caller runs backward.
  autograd::Var loss(autograd::Tape& tape) {
    static const Tensor x(Shape{6, 3}, {1.0f, 0.5f, -0.2f, 0.8f, 1.2f, 0.1f, 1.5f, -0.3f, 0.4f,  //
                                        -1.0f, -0.4f, 0.3f, -0.7f, -1.1f, -0.2f, -1.3f, 0.2f, -0.5f});
    static const std::int32_t targets[6] = {0, 0, 0, 1, 1, 1};
    autograd::Var logits =
        autograd::add_bias(autograd::matmul(tape.constant(x), linear.W.var(tape)), linear.b.var(tape));
    return autograd::cross_entropy(logits, targets);
  }
  // The loss's value, recorded on a scratch tape without gradients.
  float loss_value() {
    autograd::Tape tape;
    autograd::NoGradGuard no_grad(tape);
    return loss(tape).item();
  }
  // zero_grad, forward, backward: leaves ∂loss/∂θ in the parameters' gradients and returns the loss.
  float compute_gradients() {
    zero_grad();
    autograd::Tape tape;
    autograd::Var l = loss(tape);
    tape.backward(l);
    return l.item();
  }
  TinyLinear& linear;
};

// The optimizer kinds every generated test runs over: a name (printed by Boost.Test) and a factory.
struct OptimizerKind {
  std::string name;
  std::function<std::unique_ptr<nn::Optimizer>(std::vector<nn::Parameter*>)> make;
};
inline std::ostream& operator<<(std::ostream& out, const OptimizerKind& k) { return out << k.name; }

inline std::vector<OptimizerKind> optimizer_kinds() {
  using P = std::vector<nn::Parameter*>;
  return {
      {"sgd", [](P p) { return std::make_unique<nn::SGD>(std::move(p), nn::SGDOptions{.lr = 0.1f}); }},
      {"sgd_momentum_wd",
       [](P p) {
         return std::make_unique<nn::SGD>(std::move(p),
                                          nn::SGDOptions{.lr = 0.1f, .momentum = 0.9f, .weight_decay = 1e-3f});
       }},
      {"sgd_nesterov",
       [](P p) {
         return std::make_unique<nn::SGD>(std::move(p), nn::SGDOptions{.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
       }},
      {"adam", [](P p) { return std::make_unique<nn::Adam>(std::move(p), nn::AdamOptions{.lr = 0.01f}); }},
      {"adam_l2",
       [](P p) {
         return std::make_unique<nn::Adam>(std::move(p), nn::AdamOptions{.lr = 0.01f, .weight_decay = 1e-2f});
       }},
      {"adamw", [](P p) { return std::make_unique<nn::AdamW>(std::move(p), nn::AdamWOptions{.lr = 0.01f}); }},
  };
}

// A fresh directory under the system's temp directory, removed with its contents at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("tapegrad-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }
  // Names of the files in the directory (to check no temporary file is left behind).
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.push_back(e.path().filename().string());
    return out;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace tapegrad::testing
