// Training throughput of the sequence-task models (lm/sequence/): the neural tagger, words only and words +
// characters, on synthetic sentences shaped like the Brown corpus (lengths 1–60, mean ≈ 22; a Zipf-like vocabulary
// of random spellings, so the character encoder reads words of realistic lengths). For each model, one epoch with
// length-bucketed batches against one with batches of random sentences (the padding bucketing avoids), both in real
// tokens per second, and the share of padded steps each one computes. One process, back to back.
//
//   build/bench/sequence_throughput [--sentences N] [--threads T]
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "lm/sequence/task_trainer.hpp"
#include "lm/tagging/neural_tagger.hpp"
#include "ops/parallel.hpp"

namespace {

using namespace tapegrad;
using namespace tapegrad::lm;

struct Synthetic {
  std::vector<std::vector<std::string>> words;
  std::vector<std::vector<std::int32_t>> tags;
};

Synthetic make_sentences(std::size_t n) {
  Rng rng(7);
  std::vector<std::string> vocab(20000);
  for (auto& w : vocab) {
    w.resize(1 + rng.uniform_int(4) + rng.uniform_int(5) + rng.uniform_int(4));  // 1–10 letters, mean ≈ 5.5
    for (char& ch : w) ch = static_cast<char>('a' + rng.uniform_int(26));
  }
  Synthetic s;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t len = 1 + rng.uniform_int(22) + rng.uniform_int(22);  // 1–43 … mean ≈ 22
    std::vector<std::string> ws;
    std::vector<std::int32_t> ts;
    for (std::size_t t = 0; t < len; ++t) {
      const double u = rng.uniform_double();
      const auto k = static_cast<std::size_t>(static_cast<double>(vocab.size()) * u * u * u);  // frequent words first
      ws.push_back(vocab[k]);
      ts.push_back(static_cast<std::int32_t>(k % 40));
    }
    s.words.push_back(std::move(ws));
    s.tags.push_back(std::move(ts));
  }
  return s;
}

void measure(const char* name, index_t char_dim, const Synthetic& data, bool by_length) {
  EncoderConfig config;  // the defaults of `tapegrad tag train --model bilstm`
  config.hidden = 128;
  config.word_dim = 100;
  config.char_dim = char_dim;
  config.char_hidden = 50;
  EncoderVocab vocab = EncoderVocab::build(data.words, config);
  const EncodedSentences encoded = vocab.encode(data.words, config);
  SymbolTable tags(false);
  for (int k = 0; k < 40; ++k) tags.add(std::to_string(k));
  Rng init(1);
  NeuralTagger tagger(config, std::move(vocab), std::move(tags), init);
  std::vector<std::size_t> lengths;
  double real = 0;
  for (const auto& s : data.words) lengths.push_back(s.size()), real += static_cast<double>(s.size());
  TaskTrainOptions o;
  o.epochs = 1;
  o.progress = false;
  o.lr = 2e-3f;
  o.batching.by_length = by_length;
  std::ostringstream log;
  const TaskTrainResult r = train_task(
      tagger, lengths,
      [&](autograd::Tape& tape, std::span<const std::size_t> items, Rng& rng) {
        return tagger.loss(tape, encoded, data.tags, items, rng);
      },
      [] { return 0.0; }, o, log);
  // The padded steps those batches computed (same seed: the same batches as the epoch above).
  Rng rng(o.seed);
  double padded = 0;
  for (const auto& batch : bucket_batches(lengths, o.batching, &rng)) {
    std::size_t longest = 0;
    for (std::size_t i : batch) longest = std::max(longest, lengths[i]);
    padded += static_cast<double>(longest * batch.size());
  }
  std::printf("%-16s %-10s %9.0f tok/s  %6.1f s  padding %5.1f %% of the steps\n", name,
              by_length ? "bucketed" : "random", r.curve[0].tokens_per_second, r.curve[0].seconds,
              100.0 * (padded - real) / padded);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t sentences = 2000;
  int threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--sentences")) sentences = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: sequence_throughput [--sentences N] [--threads T]\n");
      return 2;
    }
  }
  ops::set_num_threads(threads);
  std::printf("CPU: %s, %d thread(s), %zu synthetic sentences\n", bench::cpu_description().c_str(), threads, sentences);
  const Synthetic data = make_sentences(sentences);
  for (bool by_length : {true, false}) measure("tagger words", 0, data, by_length);
  for (bool by_length : {true, false}) measure("tagger words+chars", 30, data, by_length);
  std::printf("peak RSS %.0f MB\n", bench::peak_rss_mb());
  return 0;
}
