// Trigram Viterbi with an optional beam (see viterbi.hpp for the recurrence).
#include "lm/tagging/viterbi.hpp"

#include <cmath>
#include <limits>

#include "ops/error.hpp"

namespace tapegrad::lm {

ViterbiResult viterbi(const TransitionScores& transitions, const Lattice& lattice, double beam) {
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  const std::size_t n = lattice.size();
  const TagId B = transitions.boundary();
  const TagId boundary[1] = {B};
  for (std::size_t i = 0; i < n; ++i) {
    if (lattice.tags(i).empty()) throw UsageError("viterbi: position " + std::to_string(i) + " has no candidate tag");
    for (TagId t : lattice.tags(i))
      if (t >= B)
        throw UsageError("viterbi: candidate " + std::to_string(t) + " at position " + std::to_string(i) +
                         " is not one of the " + std::to_string(B) + " tags");
  }
  ViterbiResult result;
  if (n == 0) {
    result.log_prob = transitions.row(B, B)[B];
    return result;
  }
  const double margin = beam > 0 ? std::log(beam) : std::numeric_limits<double>::infinity();
  auto candidates = [&](std::ptrdiff_t i) -> std::span<const TagId> {
    return i < 0 ? std::span<const TagId>(boundary) : lattice.tags(static_cast<std::size_t>(i));
  };

  // delta: the states of the current position, a |C_{i-1}| × |C_i| matrix (row-major); psi: the back pointers of
  // every position, each such a matrix, stored one after the other.
  std::vector<double> delta, next;
  std::vector<std::uint32_t> psi;
  std::vector<std::size_t> psi_begin;
  {
    const auto c0 = lattice.tags(0);
    const auto e0 = lattice.emissions(0);
    const float* r = transitions.row(B, B);
    delta.resize(c0.size());
    for (std::size_t k = 0; k < c0.size(); ++k) delta[k] = double(r[c0[k]]) + e0[k];
    psi_begin.push_back(0);
    psi.resize(c0.size(), 0);
  }
  auto prune = [&](std::vector<double>& d) {
    if (!(margin < std::numeric_limits<double>::infinity())) return;
    double best = kNone;
    for (double x : d) best = std::max(best, x);
    if (best == kNone) return;
    for (double& x : d)
      if (x < best - margin) x = kNone;
  };
  prune(delta);

  for (std::size_t i = 1; i < n; ++i) {
    const auto cs = candidates(static_cast<std::ptrdiff_t>(i) - 2);  // C_{i-2}
    const auto cu = lattice.tags(i - 1);                             // C_{i-1}
    const auto cv = lattice.tags(i);                                 // C_i
    const auto ev = lattice.emissions(i);
    next.assign(cu.size() * cv.size(), kNone);
    psi_begin.push_back(psi.size());
    psi.resize(psi.size() + cu.size() * cv.size(), 0);
    std::uint32_t* back = psi.data() + psi_begin.back();
    for (std::size_t u = 0; u < cu.size(); ++u) {
      double* out = next.data() + u * cv.size();
      std::uint32_t* out_back = back + u * cv.size();
      for (std::size_t s = 0; s < cs.size(); ++s) {
        const double d = delta[s * cu.size() + u];
        if (d == kNone) continue;
        const float* r = transitions.row(cs[s], cu[u]);
        for (std::size_t v = 0; v < cv.size(); ++v) {
          const double x = d + r[cv[v]];
          if (x > out[v]) {
            out[v] = x;
            out_back[v] = static_cast<std::uint32_t>(s);
          }
        }
      }
      for (std::size_t v = 0; v < cv.size(); ++v)
        if (out[v] != kNone) out[v] += ev[v];
    }
    prune(next);
    std::swap(delta, next);
  }

  // The end: + log P(</s> | u, v), then back along ψ.
  const auto cu = candidates(static_cast<std::ptrdiff_t>(n) - 2);
  const auto cv = lattice.tags(n - 1);
  double best = kNone;
  std::size_t bu = 0, bv = 0;
  for (std::size_t u = 0; u < cu.size(); ++u)
    for (std::size_t v = 0; v < cv.size(); ++v) {
      const double d = delta[u * cv.size() + v];
      if (d == kNone) continue;
      const double x = d + transitions.row(cu[u], cv[v])[B];
      if (x > best) {
        best = x;
        bu = u;
        bv = v;
      }
    }
  result.log_prob = best;
  result.tags.resize(n);
  // (u, v) index the candidates of positions (i-1, i); ψ_i(u, v) gives the index at i-2.
  for (std::size_t i = n; i-- > 0;) {
    result.tags[i] = lattice.tags(i)[bv];
    if (i == 0) break;
    const std::size_t width = lattice.tags(i).size();
    const std::size_t s = psi[psi_begin[i] + bu * width + bv];
    bv = bu;
    bu = s;
  }
  return result;
}

}  // namespace tapegrad::lm
