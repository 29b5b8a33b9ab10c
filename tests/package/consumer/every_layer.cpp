// Links one function of each library that brings a dependency of its own, so that a package whose exported targets
// forget one (zlib for nn's checksums, Graphviz for the diagrams) fails to link here. Prints what tests/package checks:
//   crc32 cbf43926          CRC-32 of "123456789", the catalogue's check value for this CRC (zlib computes it)
//   vocab dog 3             lm: ids 0 and 1 are <unk> and </s>, then the tokens in the order given
//   svg yes                 viz: a one-node tape rendered to SVG by Graphviz (only when built with diagrams)
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "autograd/autograd.hpp"
#include "lm/text/vocab.hpp"
#include "nn/crc32.hpp"
#ifdef CONSUMER_DIAGRAMS
#include "autograd/viz/dot.hpp"
#include "autograd/viz/render.hpp"
#endif

int main() {
  using namespace tapegrad;
  const std::string_view check = "123456789";
  std::printf("crc32 %08x\n", static_cast<unsigned>(nn::crc32(std::as_bytes(std::span(check)))));

  const lm::Vocab vocab = lm::Vocab::from_tokens({"<unk>", "</s>", "cat", "dog"});
  std::printf("vocab dog %u\n", static_cast<unsigned>(vocab.id("dog")));

#ifdef CONSUMER_DIAGRAMS
  autograd::Tape tape;
  autograd::tanh(tape.constant(Tensor(Shape{1, 2}, 0.5f)));
  const std::string svg = autograd::render_dot(autograd::to_dot(tape), autograd::GraphFormat::Svg);
  std::printf("svg %s\n", svg.find("<svg") != std::string::npos ? "yes" : "no");
#endif
}
