// The reference configurations: six models of published sizes on which tapegrad's training and evaluation speed is
// measured against PyTorch running the same models (bench/lm_throughput.cpp, bench/compare_torch.py). Assembled once
// here, so that the throughput benchmark and the trainer build exactly the same models:
//   lstm / gru / rnn     Zaremba et al. (2014) "small": vocab 10000, emb 200, hidden 200, 2 layers, batch 20,
//                        bptt 35, SGD lr 1, gradient clipping at norm 5, no dropout
//   mlp                  Bengio et al. (2003): 5 context words, emb 60, hidden 100 tanh, vocab 16383, batch 64,
//                        SGD lr 0.1
//   char256 / char512    character LSTM: vocab 65, emb 64, hidden 256 / 512, 2 layers, batch 64, seq 100, SGD lr 1,
//                        clip 5
#pragma once

#include <string>
#include <vector>

#include "lm/neural/model.hpp"

namespace tapegrad::lm {

struct ReferenceConfig {
  std::string name;
  ModelConfig model;
  index_t batch = 20;
  index_t bptt = 35;  // recurrent models
  float lr = 1.0f;
  float clip = 5.0f;  // 0 = none
};

std::vector<std::string> reference_config_names();          // in the order the benchmark reports them
ReferenceConfig reference_config(const std::string& name);  // throws UsageError for an unknown name

}  // namespace tapegrad::lm
