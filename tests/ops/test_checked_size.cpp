// Checked sizes (ops/checked_size.hpp) and the paths that use them: a shape or an allocation whose element count or
// byte count would overflow is refused with tapegrad's error before anything is allocated (issue 13, D1: emsize 2⁶²
// wrapped n·sizeof(float) to 0 and crashed later). The tests catch tapegrad::Error, the type the old code also had,
// so they compile against it and fail there.
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "ops/aligned.hpp"
#include "ops/checked_size.hpp"
#include "ops/shape.hpp"
#include "ops/tensor.hpp"

using namespace tapegrad;

namespace {
constexpr std::int64_t kHuge = std::int64_t{1} << 62;  // 2⁶²: ×4 (bytes of a float) or ×8 wraps 64 bits
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// The message of the tapegrad::Error `f` throws ("" if it throws none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(checked_size)

BOOST_AUTO_TEST_CASE(products_in_range_are_exact) {
  BOOST_TEST(checked_product({}, "nothing") == 1);
  BOOST_TEST(checked_product({3, 0, 7}, "empty") == 0);
  BOOST_TEST(checked_product({1 << 20, 1 << 20, 1 << 20}, "cube") == std::int64_t{1} << 60);
  BOOST_TEST(checked_mul(kMax, 1, "max") == kMax);
  BOOST_TEST(checked_add(kMax - 1, 1, "max") == kMax);
  BOOST_TEST(checked_bytes(std::uint64_t{1} << 40, 4, "floats") == std::size_t{1} << 42);
}

BOOST_AUTO_TEST_CASE(overflowing_products_name_what_was_sized) {
  const std::string product = error_of([] { checked_product({kHuge, 8}, "embedding table"); });
  BOOST_TEST(product.find("embedding table") != std::string::npos, product);
  BOOST_TEST(product.find("4611686018427387904") != std::string::npos, product);
  BOOST_TEST(!error_of([] { checked_mul(kMax, 2, "x"); }).empty());
  BOOST_TEST(!error_of([] { checked_add(kMax, 1, "x"); }).empty());
  BOOST_TEST(!error_of([] { checked_mul(-1, 2, "x"); }).empty());
  const std::string bytes = error_of([] { checked_bytes(std::uint64_t{1} << 62, 4, "float buffer"); });
  BOOST_TEST(bytes.find("float buffer") != std::string::npos, bytes);
  BOOST_TEST(!error_of([] { checked_bytes(std::numeric_limits<std::uint64_t>::max(), 2, "x"); }).empty());
}

BOOST_AUTO_TEST_CASE(a_shape_whose_element_count_overflows_cannot_be_made) {
  // Old code: Shape{2⁶², 8} was accepted and numel() overflowed (signed overflow, UBSan) to 0.
  const std::string message = error_of([] { Shape{kHuge, 8}; });
  BOOST_TEST(message.find("4611686018427387904×8") != std::string::npos, message);
  BOOST_TEST(!error_of([] { Shape{kHuge, 2, 2}; }).empty());
  BOOST_TEST(!error_of([] { Shape{kHuge, 1}.with_cols(4); }).empty());
  BOOST_TEST(!error_of([] { Shape{4, 4}.with_front(kHuge); }).empty());
  const Shape representable{kHuge};  // fine: nothing is allocated for a Shape
  BOOST_TEST(representable.numel() == kHuge);
  const Shape empty{0, kMax};
  BOOST_TEST(empty.numel() == 0);
}

BOOST_AUTO_TEST_CASE(a_float_buffer_whose_byte_count_wraps_is_refused_before_allocating) {
  // Old code: n·sizeof(float) wrapped to 0 and a tiny buffer came back for 2⁶² floats.
  const std::uint64_t before = aligned_allocation_count();
  const std::string message = error_of([] { allocate_aligned(std::size_t{1} << 62); });
  BOOST_TEST(message.find("4611686018427387904") != std::string::npos, message);
  BOOST_TEST(!error_of([] { aligned_bytes(std::numeric_limits<std::size_t>::max() - 10); }).empty());
  BOOST_TEST(aligned_allocation_count() == before);  // nothing was allocated
}

BOOST_AUTO_TEST_CASE(a_tensor_of_an_overflowing_shape_is_refused) {
  BOOST_TEST(!error_of([] { Tensor t(Shape{kHuge, 8}); }).empty());
  BOOST_TEST(!error_of([] { Tensor t(Shape{std::int64_t{1} << 61, 4}); }).empty());  // 2⁶³ elements: overflows
}

BOOST_AUTO_TEST_CASE(byte_counts_read_as_people_write_them) {
  BOOST_TEST(format_bytes(100) == "100 bytes");
  BOOST_TEST(format_bytes(1500) == "1.5 kB");
  BOOST_TEST(format_bytes(2.5e9) == "2.5 GB");
  BOOST_TEST(format_bytes(640e6) == "640 MB");
  BOOST_TEST(physical_memory_bytes() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
