// GEMM against the triple-loop twin (double accumulation): all four transpose combinations over every combination of
// m, n, k in {0, 1, 3, 17, 33, 65, 100}, leading dimensions above the minimum, α ∉ {0, 1}, β ∈ {0, 1, 0.5}, plus a
// few shapes large enough for several cache blocks and both threads.
//
// Padding (the gap between a row's last element and the next row) is filled with NaN in A, B and C: reading it would
// poison the result, writing it would change it. With β = 0 all of C starts as NaN and must come out NaN-free.
// Tolerance: the kernel accumulates in float over k, the twin in double, so the error grows like √k rounding errors
// of the magnitudes summed: |C − C_ref| ≤ 1e-6·√(k+1)·S with S = |α|·|op(A)|·|op(B)| + |β|·|C₀| elementwise
// (≈ 17 unit roundoffs times √k: far below a dropped or doubled product term for the sizes tested).
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/cpu_info.hpp"
#include "ops/error.hpp"
#include "ops/gemm.hpp"
#include "ops/parallel.hpp"
#include "ops/reference.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct GemmCase {
  bool trans_a = false, trans_b = false;
  index_t m = 0, n = 0, k = 0;
  float alpha = 1.0f, beta = 0.0f;
  index_t pad_a = 0, pad_b = 0, pad_c = 0;  // leading dimension minus its minimum

  std::string str() const {
    return std::string("gemm(") + (trans_a ? "Aᵀ" : "A") + "·" + (trans_b ? "Bᵀ" : "B") + ", m=" + std::to_string(m) +
           " n=" + std::to_string(n) + " k=" + std::to_string(k) + " α=" + std::to_string(alpha) +
           " β=" + std::to_string(beta) + " pads " + std::to_string(pad_a) + "/" + std::to_string(pad_b) + "/" +
           std::to_string(pad_c) + ")";
  }
};

// A stored rows×cols with leading dimension ld: random values, NaN in the padding.
Buffer padded_matrix(Random& rng, index_t rows, index_t cols, index_t ld) {
  Buffer x(rows * ld);
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < ld; ++c) x[r * ld + c] = c < cols ? rng.uniform(-1.0f, 1.0f) : kNaN;
  return x;
}

Buffer absolute(const Buffer& x) {
  Buffer y(x);
  for (float& v : y) v = std::fabs(v);
  return y;
}

void check_case(const GemmCase& g, Random& rng) {
  const index_t a_rows = g.trans_a ? g.k : g.m, a_cols = g.trans_a ? g.m : g.k;
  const index_t b_rows = g.trans_b ? g.n : g.k, b_cols = g.trans_b ? g.k : g.n;
  const index_t lda = a_cols + g.pad_a, ldb = b_cols + g.pad_b, ldc = g.n + g.pad_c;
  const Buffer a = padded_matrix(rng, a_rows, a_cols, lda), b = padded_matrix(rng, b_rows, b_cols, ldb);
  Buffer c0 = padded_matrix(rng, g.m, g.n, ldc);
  if (g.beta == 0.0f)
    for (float& v : c0) v = kNaN;  // must not be read

  Buffer got(c0), want(c0);
  ops::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a.data(), lda, b.data(), ldb, g.beta, got.data(), ldc);
  ops::ref::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a.data(), lda, b.data(), ldb, g.beta, want.data(), ldc);

  // S = |α|·|op(A)|·|op(B)| (+ |β|·|C₀|): the magnitude the rounding errors scale with.
  Buffer scale(g.m * ldc);
  ops::ref::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, std::fabs(g.alpha), absolute(a).data(), lda, absolute(b).data(),
                 ldb, 0.0f, scale.data(), ldc);
  const double root_k = std::sqrt(static_cast<double>(g.k + 1));
  for (index_t i = 0; i < g.m; ++i)
    for (index_t j = 0; j < ldc; ++j) {
      const index_t at = i * ldc + j;
      if (j >= g.n) {  // padding: untouched
        if (!std::isnan(got[at])) {
          BOOST_ERROR(g.str() << ": padding C[" << i << "," << j << "] was written");
          return;
        }
        continue;
      }
      const double s = scale[at] + (g.beta != 0.0f ? std::fabs(g.beta * c0[at]) : 0.0);
      const double err = std::fabs(static_cast<double>(got[at]) - static_cast<double>(want[at]));
      if (!(err <= 1e-6 * root_k * s)) {
        BOOST_ERROR(g.str() << ": C[" << i << "," << j << "] = " << got[at] << ", expected " << want[at] << " (error "
                            << err << ", tolerance " << 1e-6 * root_k * s << ")");
        return;
      }
    }
}

// Sets a blocking for the scope of a test and puts the process's own back afterwards.
class BlockingScope {
 public:
  explicit BlockingScope(const ops::GemmBlocking& b) : saved_(ops::gemm_blocking()) { ops::set_gemm_blocking(b); }
  ~BlockingScope() { ops::set_gemm_blocking(saved_); }
  BlockingScope(const BlockingScope&) = delete;
  BlockingScope& operator=(const BlockingScope&) = delete;

 private:
  ops::GemmBlocking saved_;
};

std::string blocking_str(const ops::GemmBlocking& b) {
  return std::to_string(b.mr) + "x" + std::to_string(b.nv) + " kc " + std::to_string(b.kc) + " mc " +
         std::to_string(b.mc) + " nc " + std::to_string(b.nc);
}

// The blocking the derivation gives this build on another CPU, described the way TAPEGRAD_CPU_CACHES describes it.
ops::GemmBlocking blocking_for_caches(const std::string& spec) {
  const ops::CpuDescription cpu = ops::apply_cpu_override(ops::this_cpu(), spec);
  return ops::derive_gemm_blocking(cpu, ops::simd_target(cpu, ops::build_vector_floats()), ops::gemm_tiles());
}

// C of one product computed with `threads` threads under the current blocking.
std::vector<float> product(index_t threads, bool ta, bool tb, index_t m, index_t n, index_t k, const Buffer& a,
                           const Buffer& b) {
  ops::set_num_threads(static_cast<int>(threads));
  std::vector<float> c(static_cast<std::size_t>(m * n), 0.25f);
  ops::gemm(ta, tb, m, n, k, 0.75f, a.data(), ta ? m : k, b.data(), tb ? k : n, 0.5f, c.data(), n);
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gemm)

BOOST_AUTO_TEST_CASE(all_transposes_over_odd_shapes) {
  Random rng(401);
  const index_t dims[] = {0, 1, 3, 17, 33, 65, 100};
  const float betas[] = {0.0f, 1.0f, 0.5f};
  const float alphas[] = {0.7f, -1.3f};
  const index_t pads[] = {0, 1, 5};
  int count = 0;
  for (int t = 0; t < 4; ++t)
    for (index_t m : dims)
      for (index_t n : dims)
        for (index_t k : dims) {
          GemmCase g;
          g.trans_a = t & 1;
          g.trans_b = t & 2;
          g.m = m, g.n = n, g.k = k;
          g.alpha = alphas[count % 2];
          g.beta = betas[count % 3];
          g.pad_a = pads[count % 3], g.pad_b = pads[(count / 3) % 3], g.pad_c = pads[(count / 9) % 3];
          check_case(g, rng);
          ++count;
        }
}

// Several cache blocks in each dimension (k > 256: β applies to the first k step only; m > 144 rows; n > 4096
// columns), and both threads.
BOOST_AUTO_TEST_CASE(large_shapes) {
  Random rng(402);
  for (int t = 0; t < 4; ++t) {
    GemmCase g;
    g.trans_a = t & 1, g.trans_b = t & 2;
    g.m = 257, g.n = 513, g.k = 129, g.alpha = -0.9f, g.beta = t % 2 ? 0.5f : 0.0f, g.pad_a = 3, g.pad_c = 2;
    check_case(g, rng);
    g.m = 150, g.n = 70, g.k = 700, g.beta = (t == 0 ? 1.0f : t == 1 ? 0.0f : 0.5f), g.pad_a = 0, g.pad_b = 7;
    check_case(g, rng);
  }
  GemmCase wide;
  wide.m = 7, wide.n = 4500, wide.k = 5, wide.alpha = 1.5f, wide.beta = 0.5f, wide.trans_b = true;
  check_case(wide, rng);
}

// α = 1 without a bias and β = 0 or 1 (a product written or accumulated, as the gradients are) take the kernels'
// plain epilogue (ops/gemm_blocked.cpp, write_tile: acc or acc + C, no FMAs by 1 and 0). Against the reference,
// and against the general epilogue of the same product (a bias of zeros takes it): the same values, element for
// element (== : a zero's sign may differ). The shapes cover several k steps (β = 1 for all but the first), a short
// k, a transposed A (packed a vector per step), few rows with B read in place, dot products, a narrow last panel.
BOOST_AUTO_TEST_CASE(plain_epilogue_has_the_values_of_the_general_one) {
  Random rng(409);
  struct Shape {
    index_t m, n, k;
  };
  const Shape shapes[] = {{150, 70, 700}, {100, 40, 20}, {20, 405, 803}, {64, 37, 300}, {7, 24, 5}};
  for (const Shape& sh : shapes)
    for (int t = 0; t < 4; ++t)
      for (float beta : {0.0f, 1.0f}) {
        GemmCase g;
        g.trans_a = t & 1, g.trans_b = t & 2;
        g.m = sh.m, g.n = sh.n, g.k = sh.k, g.alpha = 1.0f, g.beta = beta, g.pad_b = t;
        check_case(g, rng);
        const index_t lda = g.trans_a ? g.m : g.k, ldb = g.trans_b ? g.k : g.n;
        const Buffer a = rng.buffer(g.m * g.k, -1.0f, 1.0f), b = rng.buffer(g.k * g.n, -1.0f, 1.0f);
        const Buffer c0 = rng.buffer(g.m * g.n, -1.0f, 1.0f);
        Buffer zeros(g.n), plain(c0), general(c0);
        std::fill(zeros.begin(), zeros.end(), 0.0f);
        ops::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, 1.0f, a.data(), lda, b.data(), ldb, beta, plain.data(), g.n);
        ops::gemm_bias(g.trans_a, g.trans_b, g.m, g.n, g.k, 1.0f, a.data(), lda, b.data(), ldb, beta, zeros.data(),
                       general.data(), g.n);
        index_t differ = 0;
        for (index_t i = 0; i < g.m * g.n; ++i) differ += plain[i] != general[i];
        BOOST_TEST(differ == 0, g.str() << ": " << differ << " elements differ from the general epilogue's");
      }
}

// The shapes of a recurrent step with few rows of C (≤ 64), where B is read in place (not transposed) or the product
// is taken as dot products of rows (B transposed): k with and without a vector tail, n with a narrow last panel.
BOOST_AUTO_TEST_CASE(few_rows_paths) {
  Random rng(403);
  for (bool tb : {false, true})
    for (index_t m : {1, 20, 64}) {
      GemmCase g;
      g.trans_b = tb;
      g.m = m, g.n = 405, g.k = 803, g.alpha = 0.8f, g.beta = m == 20 ? 1.0f : 0.0f, g.pad_b = 3, g.pad_c = 1;
      check_case(g, rng);
      g.n = 800, g.k = 400, g.beta = 0.5f, g.pad_a = 2, g.pad_b = 0;
      check_case(g, rng);
    }
  // B transposed, 33–64 rows: dot products while A fits half the L2, the blocked algorithm beyond (k = 2053 puts
  // 48 rows of A past 256 KiB, half of any L2 of 512 KiB or less; 40 rows of k = 300 stay below any)
  for (index_t m : {33, 40, 48, 64})
    for (index_t k : {300, 2053}) {
      GemmCase g;
      g.trans_b = true;
      g.m = m, g.n = 37, g.k = k, g.alpha = -1.1f, g.beta = m == 48 ? 0.5f : 0.0f, g.pad_a = 1, g.pad_b = 2;
      check_case(g, rng);
    }
}

// Few rows of C and long rows of B (more than a page: n > 1024), against the reference: read in place up to 24 rows,
// and up to 64 rows when B's rows are vector-aligned (ldb = 1032, 1048: in place; 1035, 1091: the first tile packs
// from 25 rows on), while a panel's rows fit the L1 sets they map to (ldb = 1024: 4 KiB apart, one set: the first
// tile packs; 1088: 68 lines apart, 16 of 64 sets, the first tile packs once a k step is over 128 rows); from 65 rows
// the first tile packs while m ≤ mc, B is packed up front above. Row counts on both sides of each threshold, every
// kind of stride, several k steps, a narrow last panel, every β; then the same bits with 1 and 2 threads (B aligned or
// not; 100 rows included) under this CPU's blocking and those derived for the other CPUs the blocking tests use.
BOOST_AUTO_TEST_CASE(few_rows_of_long_b_rows) {
  Random rng(405);
  const float betas[] = {0.0f, 1.0f, 0.5f};
  int count = 0;
  for (const index_t m : {1, 5, 20, 24, 25, 33, 64, 65})
    // 1024: rows 4 KiB apart share one L1 set (B packed); 1048: vector-aligned rows spread over the sets (in place)
    for (const index_t n : {1024, 1032, 1048, 1088})
      for (const index_t pad_b : {0, 3}) {
        GemmCase g;
        g.m = m, g.n = n, g.k = 700, g.alpha = -0.7f, g.beta = betas[count % 3], g.pad_b = pad_b;
        g.pad_a = 1, g.pad_c = count % 2;
        check_case(g, rng);
        ++count;
      }
  const int saved_threads = ops::num_threads();
  for (const char* spec :
       {"", "l1d=48K/12,l2=2M/16,l3=105M/15@112", "l1d=32K/8,l2=1M/8,l3=32M/16@16", "l1d=4K/2,l2=32K/4"}) {
    const BlockingScope scope(*spec ? blocking_for_caches(spec) : ops::gemm_blocking());
    for (const index_t m : {20, 24, 40, 100})  // 100: past 64 rows, the first tile packs while m ≤ mc
      for (const index_t n : {1024, 1032, 1088, 1100})
        for (const index_t b_offset : {0, 1}) {
          const index_t k = 700;  // m·n·k above the fork threshold
          const Buffer a = rng.buffer(m * k, -1.0f, 1.0f), b = rng.buffer(k * n, -1.0f, 1.0f, b_offset);
          const std::vector<float> one = product(1, false, false, m, n, k, a, b),
                                   two = product(2, false, false, m, n, k, a, b);
          BOOST_TEST((one == two), "blocking '" << spec << "' m=" << m << " n=" << n << " B offset " << b_offset
                                                << ": 1 and 2 threads differ");
        }
  }
  ops::set_num_threads(saved_threads);
}

// The ways of reading B with few rows of C (in place, packed by each panel's first tile, with or without the
// row-by-row prefetch of a later panel) change where values are read from, never the sums: the rows of a product of
// at most one block of rows (mc) are bit for bit those of a taller product (more than mc rows: B packed up front)
// whose first rows are the same. Strides: 800 (short rows, in place up to 64 rows), 256 and 1024 (rows a multiple of
// the line apart: the first tile packs), 1048 (long aligned rows: in place, prefetched), 1035 and 1048 with B 4
// bytes off (long unaligned rows: in place up to 24 rows, the first tile packs beyond); n with and without a narrow
// last panel; two k steps; β = 0 and β ≠ 0; rows on both sides of 24 and 64, and mc.
BOOST_AUTO_TEST_CASE(few_rows_read_b_every_way_with_the_bits_of_the_packed_path) {
  Random rng(406);
  const index_t mc = ops::gemm_blocking().mc;
  struct Case {
    index_t n, ldb, b_offset;
  };
  const Case cases[] = {{800, 800, 0},   {256, 256, 0},   {1000, 1024, 0},
                        {1048, 1048, 0}, {1035, 1035, 0}, {1040, 1048, 1}};
  int count = 0;
  for (const Case& g : cases)
    for (const index_t m : {index_t{5}, index_t{20}, index_t{24}, index_t{40}, index_t{64}, index_t{65}, mc}) {
      const float beta = count++ % 2 == 0 ? 0.0f : 0.5f;
      const index_t k = 400, rows = m + mc + 1;
      const Buffer a = rng.buffer(rows * k, -1.0f, 1.0f), b = rng.buffer(k * g.ldb, -1.0f, 1.0f, g.b_offset);
      const Buffer c0 = rng.buffer(rows * g.n, -1.0f, 1.0f);
      Buffer few(c0), tall(c0);
      ops::gemm(false, false, m, g.n, k, 0.9f, a.data(), k, b.data(), g.ldb, beta, few.data(), g.n);
      ops::gemm(false, false, rows, g.n, k, 0.9f, a.data(), k, b.data(), g.ldb, beta, tall.data(), g.n);
      const bool same = std::equal(few.begin(), few.begin() + m * g.n, tall.begin());
      BOOST_TEST(same, "m=" << m << " n=" << g.n << " ldb=" << g.ldb << " B offset " << g.b_offset << " beta " << beta
                            << ": the rows differ from the packed path's");
      // and the rows past m were left alone
      BOOST_TEST(std::equal(few.begin() + m * g.n, few.end(), c0.begin() + m * g.n));
    }
}

// A narrow last panel of one vector (n = q·nr + one vector: the decoder's n = 200 with AVX2) runs its row tiles in
// pairs (gemm_blocked.cpp, pair_kernel): its columns must have the bits of the same columns inside a full panel. The
// full panel comes from the same product with B widened to whole panels (extra columns of B, same values in the
// first n). Rows with even and odd tile counts and unequal tile heights (20: 5+5+5+5, 37: 7+6+6+6+6+6 with mr = 6),
// one and several blocks of rows, one and several k steps, B plain and transposed, with a bias, β = 0 and β ≠ 0.
BOOST_AUTO_TEST_CASE(narrow_last_panel_has_the_bits_of_a_full_one) {
  Random rng(407);
  const ops::GemmBlocking blocking = ops::gemm_blocking();
  const index_t width = ops::build_vector_floats(), n = 3 * blocking.nr + width, wide = 4 * blocking.nr;
  const index_t ks[] = {30, 2 * blocking.kc + 5};
  int count = 0;
  for (const bool tb : {false, true})
    for (const index_t m : {index_t{12}, index_t{20}, index_t{37}, index_t{70}, 2 * blocking.mc + 7})
      for (const index_t k : ks) {
        const float beta = count++ % 2 == 0 ? 0.0f : 0.5f;
        const Buffer a = rng.buffer(m * k, -1.0f, 1.0f), b_wide = rng.buffer(k * wide, -1.0f, 1.0f);
        const Buffer bias_wide = rng.buffer(wide, -1.0f, 1.0f), c0 = rng.buffer(m * wide, -1.0f, 1.0f);
        // B (k × n, or n × k when transposed) holds the first n columns of op(B_wide)
        Buffer b(k * n);
        for (index_t p = 0; p < k; ++p)
          for (index_t j = 0; j < n; ++j)
            (tb ? b[j * k + p] : b[p * n + j]) = tb ? b_wide[j * k + p] : b_wide[p * wide + j];
        Buffer narrow(m * n), full(c0);
        for (index_t i = 0; i < m; ++i) std::copy_n(c0.data() + i * wide, n, narrow.data() + i * n);
        ops::gemm_bias(false, tb, m, n, k, 0.9f, a.data(), k, b.data(), tb ? k : n, beta, bias_wide.data(),
                       narrow.data(), n);
        ops::gemm_bias(false, tb, m, wide, k, 0.9f, a.data(), k, b_wide.data(), tb ? k : wide, beta, bias_wide.data(),
                       full.data(), wide);
        index_t differ = 0;
        for (index_t i = 0; i < m; ++i)
          for (index_t j = 0; j < n; ++j) differ += narrow[i * n + j] != full[i * wide + j] ? 1 : 0;
        BOOST_TEST(differ == 0, "m=" << m << " n=" << n << " k=" << k << (tb ? " Bᵀ" : " B") << " beta " << beta << ": "
                                     << differ << " elements differ from the full panel's");
      }
}

// The rows-outer loop order (the packed B block in L2, C written a row tile at a time along its rows; the automatic
// choice for a wide C) against the panels-outer one: the same bits, for every transpose, with and without a bias,
// β = 0 and β ≠ 0, one and several k steps, a narrow last panel of one vector (pair_kernel), of a vector and a part
// (narrow_tile) or none, rows that make one or several blocks and unequal tiles, 1 and 2 threads; under this CPU's
// blocking and, for every compiled tile, blocks small enough that both orders cut C into many blocks each way. The
// rows-outer products are also checked against the reference (padding untouched, β = 0 leaves NaN in C unread).
BOOST_AUTO_TEST_CASE(rows_outer_order_has_the_bits_of_panels_outer) {
  struct OrderScope {
    ~OrderScope() { ops::set_gemm_loop_order(ops::GemmLoopOrder::automatic); }
  } restore_order;
  const int saved_threads = ops::num_threads();
  Random rng(408);
  const index_t width = ops::build_vector_floats();
  std::vector<ops::GemmBlocking> blockings{ops::gemm_blocking()};
  for (const ops::MicroTile& tile : ops::gemm_tiles()) {
    const index_t nr = tile.vectors * width;
    blockings.push_back({tile.rows, tile.vectors, nr, 13, 2 * tile.rows, 2 * nr});
  }
  int count = 0;
  for (const ops::GemmBlocking& blocking : blockings) {
    const BlockingScope scope(blocking);
    const index_t nr = blocking.nr;
    for (const index_t n : {4 * nr, 3 * nr + width, 3 * nr + width + 3, 9 * nr + 1})
      for (const index_t m : {index_t{37}, 2 * blocking.mc + 7})
        for (const index_t k : {index_t{30}, 2 * blocking.kc + 5}) {
          const bool ta = count % 2 == 1, tb = count % 4 >= 2, with_bias = count % 3 == 0;
          const float beta = count % 5 < 2 ? 0.0f : 0.5f;
          const int threads = count % 2 == 0 ? 1 : 2;
          ++count;
          const Buffer a = rng.buffer(m * k, -1.0f, 1.0f), b = rng.buffer(k * n, -1.0f, 1.0f);
          const Buffer bias = rng.buffer(n, -1.0f, 1.0f), c0 = rng.buffer(m * n, -1.0f, 1.0f);
          const auto product_in = [&](ops::GemmLoopOrder order) {
            ops::set_gemm_loop_order(order);
            ops::set_num_threads(threads);
            Buffer c(c0);
            ops::gemm_bias(ta, tb, m, n, k, 0.9f, a.data(), ta ? m : k, b.data(), tb ? k : n, beta,
                           with_bias ? bias.data() : nullptr, c.data(), n);
            return c;
          };
          const Buffer panels = product_in(ops::GemmLoopOrder::panels_outer);
          const Buffer rows = product_in(ops::GemmLoopOrder::rows_outer);
          index_t differ = 0;
          for (index_t i = 0; i < m * n; ++i) differ += panels[i] != rows[i] ? 1 : 0;
          BOOST_TEST(differ == 0, blocking_str(blocking)
                                      << " m=" << m << " n=" << n << " k=" << k << (ta ? " Aᵀ" : " A")
                                      << (tb ? "·Bᵀ" : "·B") << (with_bias ? " bias" : "") << " beta " << beta
                                      << " threads " << threads << ": " << differ
                                      << " elements differ between the orders");
          ops::set_gemm_loop_order(ops::GemmLoopOrder::rows_outer);
          check_case({ta, tb, m, n, k, -0.6f, beta, 1, 2, 3}, rng);
        }
  }
  ops::set_num_threads(saved_threads);
}

// gemm_bias = gemm + the bias row, on every path: blocked (narrow last panel, several k steps so the bias must be
// added once), few rows with B in place (short and long rows of B), dot products (B transposed), and k = 0.
BOOST_AUTO_TEST_CASE(bias_row_on_every_path) {
  Random rng(404);
  struct Case {
    bool ta, tb;
    index_t m, n, k;
    float beta;
  };
  const Case cases[] = {{false, false, 100, 45, 300, 0.0f}, {true, false, 70, 33, 17, 0.5f},
                        {false, false, 20, 70, 33, 1.0f},   {false, true, 20, 39, 45, 0.0f},
                        {false, true, 3, 5, 0, 0.5f},       {true, true, 65, 17, 3, 0.0f},
                        {false, false, 20, 1100, 400, 0.5f}};
  for (const Case& g : cases) {
    const index_t lda = g.ta ? g.m : g.k, ldb = g.tb ? g.k : g.n;
    const Buffer a = rng.buffer(std::max<index_t>(1, g.m * g.k), -1, 1),
                 b = rng.buffer(std::max<index_t>(1, g.k * g.n), -1, 1);
    const Buffer bias = rng.buffer(g.n, -1, 1), c0 = rng.buffer(g.m * g.n, -1, 1);
    Buffer got(c0), want(c0);
    ops::gemm_bias(g.ta, g.tb, g.m, g.n, g.k, 0.9f, a.data(), lda, b.data(), ldb, g.beta, bias.data(), got.data(), g.n);
    ops::ref::gemm(g.ta, g.tb, g.m, g.n, g.k, 0.9f, a.data(), lda, b.data(), ldb, g.beta, want.data(), g.n);
    for (index_t i = 0; i < g.m; ++i)
      for (index_t j = 0; j < g.n; ++j) want[i * g.n + j] += bias[j];
    const std::string what = "gemm_bias m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) +
                             " k=" + std::to_string(g.k) + (g.ta ? " Aᵀ" : "") + (g.tb ? " Bᵀ" : "");
    test::check_close(got.span(), want.span(), 1e-5, 1e-5 * std::sqrt(static_cast<double>(g.k + 1)), what);
  }
}

// k = 0 or α = 0: C = β·C (β = 0 gives zeros even over NaN).
BOOST_AUTO_TEST_CASE(empty_product_scales_c) {
  float c[6] = {1, 2, 3, 4, 5, 6};
  const float a[6] = {1, 1, 1, 1, 1, 1};
  ops::gemm(false, false, 2, 3, 0, 2.0f, a, 1, a, 3, 0.5f, c, 3);
  for (int i = 0; i < 6; ++i) BOOST_TEST(c[i] == 0.5f * static_cast<float>(i + 1));
  ops::gemm(false, false, 2, 3, 2, 0.0f, a, 2, a, 3, 2.0f, c, 3);
  for (int i = 0; i < 6; ++i) BOOST_TEST(c[i] == static_cast<float>(i + 1));
  float nan_c[6] = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  ops::gemm(true, true, 2, 3, 0, 1.0f, a, 2, a, 1, 0.0f, nan_c, 3);
  for (float v : nan_c) BOOST_TEST(v == 0.0f);
}

BOOST_AUTO_TEST_CASE(empty_output_touches_nothing) {
  ops::gemm(false, false, 0, 5, 5, 1.0f, nullptr, 5, nullptr, 5, 0.0f, nullptr, 5);
  ops::gemm(true, false, 5, 0, 5, 1.0f, nullptr, 5, nullptr, 1, 0.0f, nullptr, 1);
  BOOST_TEST(true);
}

// The counter bench/lm_throughput derives a step's GFLOP/s from: m·n·k per product that does work, nothing for
// products with k = 0, α = 0 or an empty C.
// The per-shape timing: only the products run while it is on, one entry per shape and transposition, the calls
// counted, the most time first; turning it on again starts a new table.
BOOST_AUTO_TEST_CASE(shape_timing_table) {
  Random rng(407);
  const Buffer a = rng.buffer(160 * 160, -1, 1), b = rng.buffer(160 * 160, -1, 1);
  Buffer c = rng.buffer(160 * 160, -1, 1);
  const auto run = [&](bool tb, index_t m, index_t n, index_t k) {
    ops::gemm(false, tb, m, n, k, 1.0f, a.data(), k, b.data(), tb ? k : n, 0.0f, c.data(), n);
  };
  run(false, 3, 4, 5);  // before: not timed
  ops::set_gemm_shape_timing(true);
  for (int i = 0; i < 3; ++i) run(false, 2, 3, 4);
  run(true, 2, 3, 4);         // the same sizes with B transposed: another entry
  run(false, 160, 160, 160);  // ~10⁶ times the work of the small ones: the most time
  run(false, 7, 5, 0);        // k = 0: still a call of that shape
  ops::set_gemm_shape_timing(false);
  run(false, 3, 4, 5);  // after: not timed
  const std::vector<ops::GemmShapeTime> table = ops::gemm_shape_times();
  BOOST_TEST_REQUIRE(table.size() == 4u);
  BOOST_TEST((table[0].m == 160 && table[0].n == 160 && table[0].k == 160 && table[0].calls == 1));
  for (std::size_t i = 0; i < table.size(); ++i) {
    BOOST_TEST(table[i].seconds >= 0.0);
    if (i > 0) BOOST_TEST(table[i - 1].seconds >= table[i].seconds);
  }
  const auto find = [&](bool tb, index_t m, index_t n, index_t k) -> const ops::GemmShapeTime* {
    for (const ops::GemmShapeTime& e : table)
      if (!e.trans_a && e.trans_b == tb && e.m == m && e.n == n && e.k == k) return &e;
    return nullptr;
  };
  BOOST_TEST_REQUIRE(find(false, 2, 3, 4) != nullptr);
  BOOST_TEST(find(false, 2, 3, 4)->calls == 3u);
  BOOST_TEST_REQUIRE(find(true, 2, 3, 4) != nullptr);
  BOOST_TEST(find(true, 2, 3, 4)->calls == 1u);
  BOOST_TEST(find(false, 7, 5, 0) != nullptr);
  BOOST_TEST(find(false, 3, 4, 5) == nullptr);
  ops::set_gemm_shape_timing(true);
  ops::set_gemm_shape_timing(false);
  BOOST_TEST(ops::gemm_shape_times().empty());
}

BOOST_AUTO_TEST_CASE(multiply_add_counter) {
  Random rng(5);
  const Buffer a = padded_matrix(rng, 7, 5, 5), b = padded_matrix(rng, 5, 9, 9);
  Buffer c(7 * 9);
  const std::uint64_t before = ops::gemm_multiply_adds();
  ops::gemm(false, false, 7, 9, 5, 1.0f, a.data(), 5, b.data(), 9, 0.0f, c.data(), 9);
  BOOST_TEST(ops::gemm_multiply_adds() - before == 7u * 9u * 5u);
  ops::gemm(false, false, 7, 9, 0, 1.0f, a.data(), 5, b.data(), 9, 0.0f, c.data(), 9);
  ops::gemm(false, false, 7, 9, 5, 0.0f, a.data(), 5, b.data(), 9, 1.0f, c.data(), 9);
  ops::gemm(false, false, 0, 9, 5, 1.0f, a.data(), 5, b.data(), 9, 0.0f, c.data(), 9);
  BOOST_TEST(ops::gemm_multiply_adds() - before == 7u * 9u * 5u);
}

// The process derives its blocking from this CPU with the tiles it compiles, and that blocking meets the model.
BOOST_AUTO_TEST_CASE(blocking_is_derived_from_this_cpu) {
  const ops::CpuDescription& cpu = ops::this_cpu();
  const ops::SimdTarget target = ops::simd_target(cpu, ops::build_vector_floats());
  const ops::GemmBlocking want = ops::derive_gemm_blocking(cpu, target, ops::gemm_tiles());
  const ops::GemmBlocking got = ops::gemm_blocking();
  BOOST_TEST_MESSAGE("this CPU: " << ops::describe(cpu) << "; GEMM blocking " << blocking_str(got));
  BOOST_TEST((got.mr == want.mr && got.nv == want.nv && got.kc == want.kc && got.mc == want.mc && got.nc == want.nc));
  for (const std::string& v : ops::blocking_violations(cpu, target, got)) BOOST_ERROR("violated: " << v);
}

// Every compiled micro-tile, with blocks small enough that every loop runs several times and every edge case
// (narrow panels, short k steps, row tiles of every height) occurs, against the reference on odd shapes.
BOOST_AUTO_TEST_CASE(every_compiled_tile_with_small_blocks) {
  const index_t width = ops::build_vector_floats();
  Random rng(11);
  for (const ops::MicroTile& tile : ops::gemm_tiles()) {
    const index_t nr = tile.vectors * width;
    const BlockingScope scope({tile.rows, tile.vectors, nr, 13, 2 * tile.rows, 2 * nr});
    for (const bool ta : {false, true})
      for (const bool tb : {false, true})
        for (const index_t m : {1, 7, 33, 70})
          for (const index_t n : {1, 17, 65})
            for (const index_t k : {1, 30, 100}) check_case({ta, tb, m, n, k, 1.5f, 0.5f, 1, 2, 3}, rng);
  }
}

// The blockings derived for other CPUs (TAPEGRAD_CPU_CACHES descriptions: Sapphire Rapids, Zen 4, Zen 3, a tiny
// cache) run on this one: correct, and the same bits with 1 and 2 threads.
BOOST_AUTO_TEST_CASE(other_cpus_blockings_are_thread_count_independent) {
  const int saved_threads = ops::num_threads();
  Random rng(12);
  for (const char* spec : {"l1d=48K/12,l2=2M/16,l3=105M/15@112", "l1d=32K/8,l2=1M/8,l3=32M/16@16",
                           "l1d=32K/8,l2=512K/8,l3=32M/16@16", "l1d=4K/2,l2=32K/4"}) {
    const ops::GemmBlocking blocking = blocking_for_caches(spec);
    BOOST_TEST_MESSAGE(spec << ": " << blocking_str(blocking));
    const BlockingScope scope(blocking);
    for (const bool ta : {false, true})
      for (const bool tb : {false, true}) {
        const index_t m = 150, n = 170, k = 600;  // above the fork threshold, several k steps with every kc derived
        const Buffer a = rng.buffer(m * k, -1.0f, 1.0f), b = rng.buffer(k * n, -1.0f, 1.0f);
        const std::vector<float> one = product(1, ta, tb, m, n, k, a, b), two = product(2, ta, tb, m, n, k, a, b);
        BOOST_TEST((one == two), spec << " " << blocking_str(blocking) << (ta ? " Aᵀ" : " A") << (tb ? "·Bᵀ" : "·B")
                                      << ": 1 and 2 threads differ");
        check_case({ta, tb, 37, 45, 260, 0.75f, 0.5f}, rng);
      }
  }
  ops::set_num_threads(saved_threads);
}

BOOST_AUTO_TEST_CASE(set_blocking_refuses_what_is_not_compiled) {
  const ops::GemmBlocking good = ops::gemm_blocking();
  ops::GemmBlocking b = good;
  b.mr = 31;  // no such tile
  BOOST_CHECK_EXCEPTION(ops::set_gemm_blocking(b), UsageError,
                        [](const UsageError& e) { return std::string(e.what()).find("31x") != std::string::npos; });
  b = good;
  b.mc = good.mr * 3 + 1;
  BOOST_CHECK_EXCEPTION(ops::set_gemm_blocking(b), UsageError, [](const UsageError& e) {
    return std::string(e.what()).find("mc must be") != std::string::npos;
  });
  b = good;
  b.nc = good.nr + 1;
  BOOST_CHECK_THROW(ops::set_gemm_blocking(b), UsageError);
  b = good;
  b.kc = 0;
  BOOST_CHECK_THROW(ops::set_gemm_blocking(b), UsageError);
  const ops::GemmBlocking after = ops::gemm_blocking();  // a refused blocking changes nothing
  BOOST_TEST((after.mr == good.mr && after.kc == good.kc && after.mc == good.mc && after.nc == good.nc));
}

BOOST_AUTO_TEST_SUITE_END()
