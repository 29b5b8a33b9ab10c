// ProgressBar: rate, ETA and drawing.
#include "lm/report/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace tapegrad::lm {

ProgressBar::ProgressBar(std::ostream& out, std::string label, index_t total, bool enabled, bool terminal)
    : out_(out),
      label_(std::move(label)),
      total_(std::max<index_t>(total, 1)),
      enabled_(enabled),
      terminal_(terminal),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

bool ProgressBar::is_terminal(const std::ostream& out) {
  if (&out == &std::cerr || &out == &std::clog) return isatty(STDERR_FILENO) != 0;
  if (&out == &std::cout) return isatty(STDOUT_FILENO) != 0;
  return false;
}

std::string ProgressBar::duration(double seconds) {
  char buf[32];
  const long s = std::lround(std::max(0.0, seconds));
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

namespace {
std::string thousands(double v) {
  std::string digits = std::to_string(std::llround(v)), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace

void ProgressBar::update(index_t done, const std::string& info, double tokens) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const int decile = static_cast<int>(fraction * 10);
  if (terminal_) {
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;  // ~10 redraws a second
  } else if (decile <= last_decile_ && done < total_) {
    return;
  }
  last_draw_ = now;
  last_decile_ = decile;
  const double rate = elapsed > 0 ? tokens / elapsed : 0;
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  std::string line = label_ + " ";
  if (terminal_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    line += "[";
    for (int i = 0; i < kWidth; ++i) line += i < filled ? "█" : "░";
    line += "] ";
  }
  char pct[64];
  std::snprintf(pct, sizeof pct, "%3.0f%% %lld/%lld", fraction * 100, static_cast<long long>(done),
                static_cast<long long>(total_));
  line += pct;
  if (!info.empty()) line += " | " + info;
  line += " | " + thousands(rate) + " tok/s | " + (done < total_ ? "ETA " + duration(eta) : duration(elapsed));
  if (terminal_)
    out_ << '\r' << line << "\x1b[K" << std::flush;
  else
    out_ << line << '\n' << std::flush;
}

void ProgressBar::finish() {
  if (enabled_ && terminal_) out_ << '\n' << std::flush;
}

}  // namespace tapegrad::lm
