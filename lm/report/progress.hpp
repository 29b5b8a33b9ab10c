// ProgressBar: one line on a terminal, rewritten in place —
//   epoch 3/40 [██████████░░░░░░░░░░]  52% 1100/2108 | loss 4.73 ppl 113.6 | 7,950 tok/s | ETA 1m12s
// — and, when the stream is not a terminal (a log file, CI), a plain line every 10% instead, so logs stay short.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "ops/shape.hpp"

namespace tapegrad::lm {

class ProgressBar {
 public:
  // label: printed first ("epoch 3/40"); total: number of steps; enabled = false prints nothing.
  ProgressBar(std::ostream& out, std::string label, index_t total, bool enabled, bool terminal);
  // After step `done` (1-based) of total; `info` is appended ("loss 4.73 ppl 113.6"); tokens: done so far.
  void update(index_t done, const std::string& info, double tokens);
  void finish();  // ends the line on a terminal

  static bool is_terminal(const std::ostream& out);  // stderr or stdout attached to a terminal
  static std::string duration(double seconds);       // "1h02m", "3m05s", "42s"

 private:
  std::ostream& out_;
  std::string label_;
  index_t total_;
  bool enabled_, terminal_;
  int last_decile_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tapegrad::lm
