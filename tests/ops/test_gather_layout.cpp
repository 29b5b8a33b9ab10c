// Embedding gather / scatter-add and the data-movement kernels against their scalar twins. These kernels only copy
// or add in the same order as the twins, so every comparison is bit-exact. scatter_add_rows is checked with heavily
// repeated ids (a vocabulary of 5 rows), where a kernel splitting the ids between threads would lose updates.
#include <boost/test/unit_test.hpp>
#include <string>
#include <utility>
#include <vector>

#include "kernel_test_util.hpp"
#include "ops/gather.hpp"
#include "ops/layout.hpp"
#include "ops/reference.hpp"

namespace {

using namespace tapegrad;
using test::Buffer;
using test::Random;

std::vector<std::pair<index_t, index_t>> matrix_shapes() {
  std::vector<std::pair<index_t, index_t>> shapes;
  for (index_t n = 0; n <= 70; ++n) {
    shapes.emplace_back(n, 3);
    shapes.emplace_back(3, n);
    shapes.emplace_back(n, n);
  }
  for (auto s : {std::pair<index_t, index_t>{1000, 37}, {37, 1000}, {300, 257}, {4099, 17}, {1, 70001}, {70001, 1}})
    shapes.push_back(s);
  return shapes;
}

std::string label(const std::string& name, index_t rows, index_t cols) {
  return name + " (" + std::to_string(rows) + "×" + std::to_string(cols) + ")";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gather)

BOOST_AUTO_TEST_CASE(gather_rows) {
  Random rng(601);
  const index_t vocab = 11;
  for (auto [n_ids, cols] : matrix_shapes()) {
    const Buffer table = rng.buffer(vocab * cols, -1.0f, 1.0f);
    const auto ids = rng.ids(n_ids, vocab);
    Buffer got(n_ids * cols), want(n_ids * cols);
    ops::gather_rows(n_ids, cols, table.data(), ids.data(), got.data());
    ops::ref::gather_rows(n_ids, cols, table.data(), ids.data(), want.data());
    test::check_equal(got.span(), want.span(), label("gather_rows", n_ids, cols));
  }
}

BOOST_AUTO_TEST_CASE(scatter_add_rows_with_repeated_ids) {
  Random rng(602);
  const index_t vocab = 5;
  auto shapes = matrix_shapes();
  shapes.emplace_back(4099, 600);  // several column chunks, past the OpenMP threshold
  for (auto [n_ids, cols] : shapes) {
    const Buffer g_out = rng.buffer(n_ids * cols, -1.0f, 1.0f), table0 = rng.buffer(vocab * cols, -1.0f, 1.0f);
    const auto ids = rng.ids(n_ids, vocab);
    Buffer got(table0), want(table0);
    ops::scatter_add_rows(n_ids, cols, g_out.data(), ids.data(), got.data());
    ops::ref::scatter_add_rows(n_ids, cols, g_out.data(), ids.data(), want.data());
    test::check_equal(got.span(), want.span(), label("scatter_add_rows", n_ids, cols));
  }
}

// By hand: ids [2, 0, 2] over a 3×2 table of zeros.
BOOST_AUTO_TEST_CASE(scatter_add_rows_by_hand) {
  const float g_out[6] = {1, 2, 3, 4, 5, 6};
  const std::int32_t ids[3] = {2, 0, 2};
  float table[6] = {};
  ops::scatter_add_rows(3, 2, g_out, ids, table);
  const float want[6] = {3, 4, 0, 0, 6, 8};
  for (int i = 0; i < 6; ++i) BOOST_TEST(table[i] == want[i]);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(layout)

BOOST_AUTO_TEST_CASE(copy_and_add_block) {
  Random rng(603);
  for (auto [rows, cols] : matrix_shapes()) {
    const index_t ld_src = cols + 3, ld_dst = cols + 1;
    const Buffer src = rng.buffer(rows * ld_src, -1.0f, 1.0f), dst0 = rng.buffer(rows * ld_dst, -1.0f, 1.0f);
    Buffer got(dst0), want(dst0);
    ops::copy_block(rows, cols, src.data(), ld_src, got.data(), ld_dst);
    ops::ref::copy_block(rows, cols, src.data(), ld_src, want.data(), ld_dst);
    test::check_equal(got.span(), want.span(), label("copy_block", rows, cols));
    ops::add_block_acc(rows, cols, src.data(), ld_src, got.data(), ld_dst);
    ops::ref::add_block_acc(rows, cols, src.data(), ld_src, want.data(), ld_dst);
    test::check_equal(got.span(), want.span(), label("add_block_acc", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(concat_cols) {
  Random rng(604);
  for (auto [rows, cols] : matrix_shapes()) {
    // three parts: cols, 1 and a zero-width one in the middle
    const index_t widths[] = {cols, 0, 1};
    const Buffer p0 = rng.buffer(rows * cols, -1.0f, 1.0f), p2 = rng.buffer(rows, -1.0f, 1.0f);
    const float* parts[] = {p0.data(), nullptr, p2.data()};
    Buffer got(rows * (cols + 1)), want(rows * (cols + 1));
    ops::concat_cols(rows, parts, widths, got.data());
    ops::ref::concat_cols(rows, parts, widths, want.data());
    test::check_equal(got.span(), want.span(), label("concat_cols", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(slice_cols_and_backward) {
  Random rng(605);
  for (auto [rows, cols] : matrix_shapes()) {
    const index_t begin = cols / 3, width = cols - begin - cols / 4;
    const Buffer x = rng.buffer(rows * cols, -1.0f, 1.0f), gy = rng.buffer(rows * width, -1.0f, 1.0f);
    Buffer got(rows * width), want(rows * width);
    ops::slice_cols(rows, cols, begin, width, x.data(), got.data());
    ops::ref::slice_cols(rows, cols, begin, width, x.data(), want.data());
    test::check_equal(got.span(), want.span(), label("slice_cols", rows, cols));
    Buffer gx(x), gx_want(x);
    ops::slice_cols_backward_acc(rows, cols, begin, width, gy.data(), gx.data());
    ops::ref::slice_cols_backward_acc(rows, cols, begin, width, gy.data(), gx_want.data());
    test::check_equal(gx.span(), gx_want.span(), label("slice_cols_backward_acc", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(transpose_and_acc) {
  Random rng(606);
  for (auto [rows, cols] : matrix_shapes()) {
    const Buffer x = rng.buffer(rows * cols, -1.0f, 1.0f), y0 = rng.buffer(rows * cols, -1.0f, 1.0f);
    Buffer got(rows * cols), want(rows * cols);
    ops::transpose(rows, cols, x.data(), got.data());
    ops::ref::transpose(rows, cols, x.data(), want.data());
    test::check_equal(got.span(), want.span(), label("transpose", rows, cols));
    Buffer acc(y0), acc_want(y0);
    ops::transpose_acc(rows, cols, x.data(), acc.data());
    ops::ref::transpose_acc(rows, cols, x.data(), acc_want.data());
    test::check_equal(acc.span(), acc_want.span(), label("transpose_acc", rows, cols));
  }
}

BOOST_AUTO_TEST_CASE(empty_with_null_pointers) {
  ops::copy_block(0, 4, nullptr, 4, nullptr, 4);
  ops::copy_block(4, 0, nullptr, 0, nullptr, 0);
  ops::add_block_acc(0, 4, nullptr, 4, nullptr, 4);
  ops::slice_cols(0, 4, 1, 2, nullptr, nullptr);
  ops::slice_cols_backward_acc(3, 4, 2, 0, nullptr, nullptr);
  ops::transpose(0, 5, nullptr, nullptr);
  ops::transpose_acc(5, 0, nullptr, nullptr);
  ops::gather_rows(0, 3, nullptr, nullptr, nullptr);
  ops::scatter_add_rows(0, 3, nullptr, nullptr, nullptr);
  ops::concat_cols(0, {}, {}, nullptr);
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
