// Fused recurrent-cell kernels (ops/recurrent.hpp) against their scalar twins: every hidden size 1…35 (all SIMD
// tails), 64 and 100, with 1, 3 and 5 rows, plus one shape past the OpenMP threshold.
//
// Tolerance: values are O(1) sums and products of a few sigmoid/tanh terms. xsimd's sigmoid/tanh differ from
// <cmath> by a few ulp and FMA contraction may round differently, so each output may differ by some 10 roundings of
// O(1) magnitudes: we allow 2e-6 absolute plus 1e-5 relative, far below a wrong term (a swapped gate, a missing
// factor), which changes outputs by O(0.1).
#include <boost/test/unit_test.hpp>
#include <functional>
#include <string>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/recurrent.hpp"
#include "ops/reference.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

constexpr double kRel = 1e-5, kAbs = 2e-6;

struct Size {
  index_t rows, hidden;
  std::string str(const std::string& what) const {
    return what + " (rows = " + std::to_string(rows) + ", hidden = " + std::to_string(hidden) + ")";
  }
};

std::vector<Size> sizes() {
  std::vector<Size> out;
  for (index_t rows : {1, 3, 5}) {
    for (index_t h = 1; h <= 35; ++h) out.push_back({rows, h});
    out.push_back({rows, 64});
    out.push_back({rows, 100});
  }
  out.push_back({64, 600});  // 38,400 columns·rows: the parallel path
  return out;
}

bool close(const Buffer& got, const Buffer& want, const std::string& what) {
  return test::check_close(got.span(), want.span(), kRel, kAbs, what);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recurrent_kernels)

BOOST_AUTO_TEST_CASE(lstm_forward_and_backward_match_twin) {
  Random rng(301);
  for (const Size& s : sizes()) {
    const index_t n = s.rows * s.hidden;
    const Buffer z = rng.buffer(4 * n, -3.0f, 3.0f), c_prev = rng.buffer(n, -2.0f, 2.0f);
    Buffer g_fast(z), g_ref(z);
    Buffer c_fast(n), c_ref(n), t_fast(n), t_ref(n), h_fast(n), h_ref(n);
    ops::lstm_forward(s.rows, s.hidden, g_fast.data(), c_prev.data(), c_fast.data(), t_fast.data(), h_fast.data());
    ops::ref::lstm_forward(s.rows, s.hidden, g_ref.data(), c_prev.data(), c_ref.data(), t_ref.data(), h_ref.data());
    close(g_fast, g_ref, s.str("lstm gates"));
    close(c_fast, c_ref, s.str("lstm c"));
    close(t_fast, t_ref, s.str("lstm tanh(c)"));
    close(h_fast, h_ref, s.str("lstm h"));

    const Buffer gh = rng.buffer(n, -1.0f, 1.0f), gc = rng.buffer(n, -1.0f, 1.0f), gcp0 = rng.buffer(n, -1.0f, 1.0f);
    for (bool with_gc : {true, false}) {
      Buffer dz_fast(4 * n), dz_ref(4 * n), gcp_fast(gcp0), gcp_ref(gcp0);
      const float* gc_in = with_gc ? gc.data() : nullptr;
      ops::lstm_backward(s.rows, s.hidden, g_ref.data(), c_prev.data(), t_ref.data(), gh.data(), gc_in, dz_fast.data(),
                         gcp_fast.data());
      ops::ref::lstm_backward(s.rows, s.hidden, g_ref.data(), c_prev.data(), t_ref.data(), gh.data(), gc_in,
                              dz_ref.data(), gcp_ref.data());
      close(dz_fast, dz_ref, s.str(with_gc ? "lstm dz" : "lstm dz (no gc)"));
      close(gcp_fast, gcp_ref, s.str("lstm gc_prev"));
    }
  }
}

BOOST_AUTO_TEST_CASE(gru_reset_before_matches_twin) {
  Random rng(302);
  for (const Size& s : sizes()) {
    const index_t n = s.rows * s.hidden;
    const Buffer a = rng.buffer(3 * n, -3.0f, 3.0f), h_prev = rng.buffer(n, -1.0f, 1.0f);
    Buffer g_fast(a), g_ref(a), rh_fast(n), rh_ref(n), h_fast(n), h_ref(n);
    ops::gru_gates_forward(s.rows, s.hidden, g_fast.data(), h_prev.data(), rh_fast.data());
    ops::ref::gru_gates_forward(s.rows, s.hidden, g_ref.data(), h_prev.data(), rh_ref.data());
    close(rh_fast, rh_ref, s.str("gru r⊙h"));
    ops::gru_output_forward(s.rows, s.hidden, g_fast.data(), h_prev.data(), h_fast.data());
    ops::ref::gru_output_forward(s.rows, s.hidden, g_ref.data(), h_prev.data(), h_ref.data());
    close(g_fast, g_ref, s.str("gru gates"));
    close(h_fast, h_ref, s.str("gru h"));

    const Buffer gh = rng.buffer(n, -1.0f, 1.0f), g_rh = rng.buffer(n, -1.0f, 1.0f), ghp0 = rng.buffer(n, -1, 1);
    Buffer da_fast(3 * n), da_ref(3 * n), ghp_fast(ghp0), ghp_ref(ghp0);
    ops::gru_output_backward(s.rows, s.hidden, g_ref.data(), h_prev.data(), gh.data(), da_fast.data(), ghp_fast.data());
    ops::ref::gru_output_backward(s.rows, s.hidden, g_ref.data(), h_prev.data(), gh.data(), da_ref.data(),
                                  ghp_ref.data());
    ops::gru_reset_backward(s.rows, s.hidden, g_ref.data(), h_prev.data(), g_rh.data(), da_fast.data(),
                            ghp_fast.data());
    ops::ref::gru_reset_backward(s.rows, s.hidden, g_ref.data(), h_prev.data(), g_rh.data(), da_ref.data(),
                                 ghp_ref.data());
    close(da_fast, da_ref, s.str("gru da"));
    close(ghp_fast, ghp_ref, s.str("gru gh_prev"));
  }
}

BOOST_AUTO_TEST_CASE(gru_reset_after_matches_twin) {
  Random rng(303);
  for (const Size& s : sizes()) {
    const index_t n = s.rows * s.hidden;
    const Buffer a = rng.buffer(3 * n, -3.0f, 3.0f), u = rng.buffer(3 * n, -3.0f, 3.0f);
    const Buffer h_prev = rng.buffer(n, -1.0f, 1.0f);
    Buffer g_fast(a), g_ref(a), h_fast(n), h_ref(n);
    ops::gru_after_forward(s.rows, s.hidden, g_fast.data(), u.data(), h_prev.data(), h_fast.data());
    ops::ref::gru_after_forward(s.rows, s.hidden, g_ref.data(), u.data(), h_prev.data(), h_ref.data());
    close(g_fast, g_ref, s.str("gru-after gates"));
    close(h_fast, h_ref, s.str("gru-after h"));

    const Buffer gh = rng.buffer(n, -1.0f, 1.0f), ghp0 = rng.buffer(n, -1.0f, 1.0f);
    Buffer da_fast(3 * n), da_ref(3 * n), du_fast(3 * n), du_ref(3 * n), ghp_fast(ghp0), ghp_ref(ghp0);
    ops::gru_after_backward(s.rows, s.hidden, g_ref.data(), u.data(), h_prev.data(), gh.data(), da_fast.data(),
                            du_fast.data(), ghp_fast.data());
    ops::ref::gru_after_backward(s.rows, s.hidden, g_ref.data(), u.data(), h_prev.data(), gh.data(), da_ref.data(),
                                 du_ref.data(), ghp_ref.data());
    close(da_fast, da_ref, s.str("gru-after da"));
    close(du_fast, du_ref, s.str("gru-after du"));
    close(ghp_fast, ghp_ref, s.str("gru-after gh_prev"));
  }
}

BOOST_AUTO_TEST_SUITE_END()
