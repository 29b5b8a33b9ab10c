// Shape and Tensor: validation, printing, 64-byte alignment, deep copies, reshaping and borrowed storage.
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <vector>

#include "ops/error.hpp"
#include "ops/tensor.hpp"

namespace {

using namespace tapegrad;

bool aligned_64(const float* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(shape)

BOOST_AUTO_TEST_CASE(rank_numel_rows_cols) {
  const Shape s{20, 200};
  BOOST_TEST(s.rank() == 2);
  BOOST_TEST(s.numel() == 4000);
  BOOST_TEST(s.rows() == 20);
  BOOST_TEST(s.cols() == 200);
  const Shape t{2, 3, 4};
  BOOST_TEST(t.rows() == 6);
  BOOST_TEST(t.cols() == 4);
  const Shape scalar;
  BOOST_TEST(scalar.rank() == 0);
  BOOST_TEST(scalar.numel() == 1);
  BOOST_TEST(scalar.rows() == 1);
  BOOST_TEST(scalar.cols() == 1);
  const Shape empty{5, 0};
  BOOST_TEST(empty.numel() == 0);
  BOOST_TEST(empty.cols() == 0);
}

BOOST_AUTO_TEST_CASE(str) {
  BOOST_TEST(Shape({20, 200}).str() == "20×200");
  BOOST_TEST(Shape().str() == "[]");
  BOOST_TEST(Shape({7}).str() == "7");
  BOOST_TEST(Shape({1, 2, 3, 4}).str() == "1×2×3×4");
}

BOOST_AUTO_TEST_CASE(invalid_shapes_throw) {
  BOOST_CHECK_THROW(Shape({1, 2, 3, 4, 5}), ShapeError);
  BOOST_CHECK_THROW(Shape({3, -1}), ShapeError);
  BOOST_CHECK_THROW(Shape({3}).with_cols(-2), ShapeError);
}

BOOST_AUTO_TEST_CASE(with_cols_and_equality) {
  BOOST_TEST((Shape({4, 5}).with_cols(9) == Shape({4, 9})));
  BOOST_TEST((Shape().with_cols(3) == Shape({3})));
  BOOST_TEST((Shape({4, 5}) != Shape({5, 4})));
  BOOST_TEST((Shape({4}) != Shape({4, 1})));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tensor)

BOOST_AUTO_TEST_CASE(storage_is_64_byte_aligned) {
  for (const Shape& s : {Shape{1}, Shape{3}, Shape{17}, Shape{20, 200}, Shape{3, 5, 7}, Shape()}) {
    const Tensor t(s);
    BOOST_TEST(aligned_64(t.data()), "shape " << s.str());
  }
  Tensor copy(Tensor(Shape{5}, 1.0f));
  BOOST_TEST(aligned_64(copy.data()));
}

BOOST_AUTO_TEST_CASE(construction) {
  const Tensor empty;
  BOOST_TEST(empty.numel() == 0);
  BOOST_TEST((empty.shape() == Shape{0}));
  const Tensor zeros(Shape{2, 3});
  for (index_t i = 0; i < zeros.numel(); ++i) BOOST_TEST(zeros[i] == 0.0f);
  const Tensor sevens(Shape{4}, 7.0f);
  for (index_t i = 0; i < 4; ++i) BOOST_TEST(sevens[i] == 7.0f);
  const Tensor values(Shape{2, 2}, {1.0f, 2.0f, 3.0f, 4.0f});
  BOOST_TEST(values.at(1, 0) == 3.0f);
  BOOST_TEST(values.view().at(0, 1) == 2.0f);
  const Tensor scalar(Shape(), {42.0f});
  BOOST_TEST(scalar.numel() == 1);
  BOOST_TEST(scalar[0] == 42.0f);
}

BOOST_AUTO_TEST_CASE(value_count_mismatch_throws) {
  BOOST_CHECK_THROW(Tensor(Shape{2, 2}, {1.0f, 2.0f, 3.0f}), ShapeError);
  const std::vector<float> five(5, 1.0f);
  BOOST_CHECK_THROW(Tensor(Shape{2, 2}, std::span<const float>(five)), ShapeError);
}

BOOST_AUTO_TEST_CASE(copies_are_deep) {
  Tensor a(Shape{3}, {1.0f, 2.0f, 3.0f});
  Tensor b(a);
  b[0] = 10.0f;
  BOOST_TEST(a[0] == 1.0f);
  BOOST_TEST(b.data() != a.data());
  Tensor c(Shape{1});
  c = a;
  c[1] = 20.0f;
  BOOST_TEST(a[1] == 2.0f);
  BOOST_TEST((c.shape() == Shape{3}));
  const Tensor from_view(a.view());
  a[2] = 30.0f;
  BOOST_TEST(from_view[2] == 3.0f);
  const Tensor& same = c;
  c = same;  // self-assignment keeps the values
  BOOST_TEST(c[1] == 20.0f);
}

BOOST_AUTO_TEST_CASE(moves_transfer_storage) {
  Tensor a(Shape{4}, 2.0f);
  const float* storage = a.data();
  Tensor b(std::move(a));
  BOOST_TEST(b.data() == storage);
  BOOST_TEST(b[3] == 2.0f);
}

BOOST_AUTO_TEST_CASE(reshape) {
  Tensor t(Shape{2, 6}, 1.5f);
  const float* storage = t.data();
  t.reshape(Shape{3, 4});
  BOOST_TEST((t.shape() == Shape{3, 4}));
  BOOST_TEST(t.data() == storage);
  BOOST_CHECK_THROW(t.reshape(Shape{5, 2}), ShapeError);
  BOOST_TEST((t.shape() == Shape{3, 4}));
}

BOOST_AUTO_TEST_CASE(fill_and_print) {
  Tensor t(Shape{2, 2});
  t.fill(0.5f);
  BOOST_TEST(t[3] == 0.5f);
  BOOST_TEST(t.str() == "[0.5 0.5]\n[0.5 0.5]\n");
  const Tensor wide(Shape{1, 10}, 1.0f);
  BOOST_TEST(wide.str(2) == "[1 1 …]\n");
}

// A borrowing tensor is a window onto memory owned elsewhere: reads and writes go there, a copy owns its storage,
// assignment copies values into the window (and refuses another shape), a move moves the window.
BOOST_AUTO_TEST_CASE(borrowing_tensors_are_windows) {
  std::vector<float> memory = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f};
  Tensor w = Tensor::borrowing(memory.data() + 1, Shape{2, 3});
  BOOST_TEST(w.borrows());
  BOOST_TEST(w.data() == memory.data() + 1);
  BOOST_TEST(w.at(1, 0) == 5.0f);
  w[0] = 20.0f;
  BOOST_TEST(memory[1] == 20.0f);

  Tensor copy(w);
  BOOST_TEST(!copy.borrows());
  BOOST_TEST(copy.data() != w.data());
  BOOST_TEST(copy[0] == 20.0f);

  w = Tensor(Shape{2, 3}, {-1.0f, -2.0f, -3.0f, -4.0f, -5.0f, -6.0f});  // move-assigned: values copied in
  BOOST_TEST(w.data() == memory.data() + 1);
  BOOST_TEST(memory[6] == -6.0f);
  BOOST_TEST(memory[0] == 1.0f);  // outside the window: untouched
  w = copy;                       // copy-assigned: the same
  BOOST_TEST(w.data() == memory.data() + 1);
  BOOST_TEST(memory[1] == 20.0f);
  BOOST_CHECK_THROW(w = Tensor(Shape{6}), ShapeError);
  BOOST_TEST(memory[1] == 20.0f);

  Tensor moved(std::move(w));
  BOOST_TEST(moved.borrows());
  BOOST_TEST(moved.data() == memory.data() + 1);
  Tensor owner(Shape{3});
  owner = std::move(moved);  // an owning tensor takes the window over
  BOOST_TEST(owner.borrows());
  BOOST_TEST(owner.data() == memory.data() + 1);

  Tensor t(Shape{2}, {8.0f, 9.0f});
  t.borrow(memory.data() + 5);  // its own storage released, values not copied
  BOOST_TEST(t.borrows());
  BOOST_TEST(t[0] == 6.0f);  // memory[5], as the copy-assignment above left it
  BOOST_TEST((t.shape() == Shape{2}));
}

BOOST_AUTO_TEST_SUITE_END()
