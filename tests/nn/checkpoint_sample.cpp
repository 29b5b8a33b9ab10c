// checkpoint_sample: writes a small checkpoint with known contents to the path given as its argument, for
// check_safetensors.py to parse with Python's standard library (the interoperability test in CMakeLists.txt).
//
// Contents (check_safetensors.py --expect-sample knows them independently):
//   encoder.W  F32 [2, 3]  = [−0.5, −0.25, 0, 0.25, 0.5, 0.75]   (k/4 − 0.5 for k = 0…5)
//   bias       F32 [3]     = [1, 2, 3]
//   Adam with lr = 0 (so the parameters stay as above), β₁ = 0.9, β₂ = 0.999, one step with gradients
//   ∇W = all 1, ∇bias = [2, −2, 0.5]:  exp_avg = 0.1·g,  exp_avg_sq = 0.001·g²
//   rng.state  U64 [4]     = [1, 2, 3, 4]
//   metadata   "epoch" = "3", "vocab" = "the cat sat naïve"
#include <cstdio>
#include <exception>
#include <memory>

#include "nn/adam.hpp"
#include "nn/checkpoint.hpp"

namespace {
using namespace tapegrad;

class Encoder : public nn::Module {
 public:
  Encoder() : W(add_parameter("W", Shape{2, 3})) {}
  nn::Parameter& W;
};

class Sample : public nn::Module {
 public:
  Sample() : bias(add_parameter("bias", Shape{3})), encoder(add_module("encoder", std::make_unique<Encoder>())) {}
  nn::Parameter& bias;
  Encoder& encoder;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: checkpoint_sample OUTPUT.safetensors\n");
    return 2;
  }
  try {
    Sample model;
    for (int k = 0; k < 6; ++k) model.encoder.W.value()[k] = static_cast<float>(k) / 4.0f - 0.5f;
    model.bias.value() = Tensor(Shape{3}, {1.0f, 2.0f, 3.0f});
    nn::Adam adam(model.parameters(), {.lr = 0.0f});
    model.encoder.W.grad().fill(1.0f);
    model.bias.grad() = Tensor(Shape{3}, {2.0f, -2.0f, 0.5f});
    adam.step();
    Rng rng;
    rng.set_state({1, 2, 3, 4});
    nn::save_checkpoint(argv[1], {.model = &model, .optimizer = &adam, .rng = &rng},
                        {{"epoch", "3"}, {"vocab", "the cat sat naïve"}});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkpoint_sample: %s\n", e.what());
    return 1;
  }
  return 0;
}
