// A complete program using tapegrad as a library: a two-layer network learns XOR with Adam, then prints its
// prediction for each input. README.md shows this file; tests/package builds it with find_package and with
// add_subdirectory and checks what it prints.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "autograd/autograd.hpp"
#include "nn/adam.hpp"
#include "nn/nn.hpp"

using namespace tapegrad;

// logits = tanh(x·W1 + b1)·W2 + b2: 2 inputs → 8 hidden units → 2 classes
struct XorNet : nn::Module {
  nn::Linear* hidden;
  nn::Linear* out;
  explicit XorNet(Rng& rng) {
    hidden = &add_module("hidden", std::make_unique<nn::Linear>(2, 8, rng));
    out = &add_module("out", std::make_unique<nn::Linear>(8, 2, rng));
  }
  autograd::Var forward(autograd::Var x) { return out->forward(autograd::tanh(hidden->forward(x))); }
};

int main() {
  const Tensor inputs(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  const std::vector<std::int32_t> targets = {0, 1, 1, 0};  // a XOR b
  Rng rng(1);
  XorNet net(rng);
  nn::Adam adam(net.parameters(), {.lr = 0.01f});
  autograd::Tape tape;
  for (int step = 1; step <= 200; ++step) {
    adam.zero_grad();
    autograd::Var loss = autograd::cross_entropy(net.forward(tape.constant(inputs)), targets);
    tape.backward(loss);  // ∂loss/∂p into every parameter's grad()
    adam.step();
    if (step % 50 == 0) std::printf("step %3d  loss %.4f\n", step, loss.item());
    tape.clear();  // the next step reuses the tape's memory
  }
  autograd::Var p = autograd::softmax(net.forward(tape.constant(inputs)));  // 4 × 2: p(0 | a, b), p(1 | a, b)
  for (int i = 0; i < 4; ++i) {
    const int predicted = p.value().at(i, 1) > 0.5f ? 1 : 0;
    std::printf("%g xor %g -> %d  (p = %.3f)\n", inputs.at(i, 0), inputs.at(i, 1), predicted,
                p.value().at(i, predicted));
  }
}
