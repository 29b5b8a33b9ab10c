// Helpers for the kernel tests: the sizes every kernel is checked on, seeded random buffers (optionally starting one
// float past an aligned address), and element-by-element comparisons that report the first mismatch.
#pragma once

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "ops/aligned.hpp"
#include "ops/shape.hpp"

namespace tapegrad::test {

// Every length 0…70 (all tail lengths around every SIMD width), then lengths past the OpenMP threshold (32768).
inline std::vector<index_t> kernel_sizes() {
  std::vector<index_t> sizes;
  for (index_t n = 0; n <= 70; ++n) sizes.push_back(n);
  for (index_t n : {1000, 4099, 70001}) sizes.push_back(n);
  return sizes;
}

// n floats in 64-byte-aligned storage, starting `offset` floats past the aligned address (offset 1 = unaligned).
class Buffer {
 public:
  explicit Buffer(index_t n, index_t offset = 0)
      : storage_(allocate_aligned(static_cast<std::size_t>(n + offset + 1))), offset_(offset), size_(n) {}
  Buffer(const Buffer& other) : Buffer(other.size_, other.offset_) { std::copy(other.begin(), other.end(), begin()); }
  Buffer& operator=(const Buffer&) = delete;

  float* data() { return storage_.get() + offset_; }
  const float* data() const { return storage_.get() + offset_; }
  index_t size() const { return size_; }
  float& operator[](index_t i) { return data()[i]; }
  float operator[](index_t i) const { return data()[i]; }
  float* begin() { return data(); }
  float* end() { return data() + size_; }
  const float* begin() const { return data(); }
  const float* end() const { return data() + size_; }
  std::span<const float> span() const { return {data(), static_cast<std::size_t>(size_)}; }

 private:
  AlignedBuffer storage_;
  index_t offset_;
  index_t size_;
};

// Seeded source of test data (std::mt19937: the same values on every platform).
class Random {
 public:
  explicit Random(unsigned seed) : gen_(seed) {}

  float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen_); }
  index_t integer(index_t lo, index_t hi) { return std::uniform_int_distribution<index_t>(lo, hi)(gen_); }

  // A buffer of n values uniform in [lo, hi).
  Buffer buffer(index_t n, float lo, float hi, index_t offset = 0) {
    Buffer b(n, offset);
    for (float& x : b) x = uniform(lo, hi);
    return b;
  }
  // Values with magnitude in [lo, hi) and a random sign (keeps divisors away from zero).
  Buffer signed_buffer(index_t n, float lo, float hi, index_t offset = 0) {
    Buffer b(n, offset);
    for (float& x : b) x = uniform(lo, hi) * (gen_() % 2 ? 1.0f : -1.0f);
    return b;
  }
  std::vector<std::int32_t> ids(index_t n, index_t vocab) {
    std::vector<std::int32_t> v(static_cast<std::size_t>(n));
    for (auto& id : v) id = static_cast<std::int32_t>(integer(0, vocab - 1));
    return v;
  }

 private:
  std::mt19937 gen_;
};

// got[i] == want[i] bit for bit (NaN never equal); reports the first mismatch and returns whether all matched.
inline bool check_equal(std::span<const float> got, std::span<const float> want, const std::string& what) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == want[i])) {
      BOOST_ERROR(what << ": element " << i << " of " << got.size() << " is " << got[i] << ", expected " << want[i]);
      return false;
    }
  return true;
}

// |got[i] − want[i]| ≤ tolerance(i) for every i (NaN always fails); reports the first mismatch.
inline bool check_close(std::span<const float> got, std::span<const float> want,
                        const std::function<double(std::size_t)>& tolerance, const std::string& what) {
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - static_cast<double>(want[i]));
    if (!(err <= tolerance(i))) {
      BOOST_ERROR(what << ": element " << i << " of " << got.size() << " is " << got[i] << ", expected " << want[i]
                       << " (error " << err << " > tolerance " << tolerance(i) << ")");
      return false;
    }
  }
  return true;
}

// Relative-plus-absolute tolerance: |got − want| ≤ abs + rel·|want|.
inline bool check_close(std::span<const float> got, std::span<const float> want, double rel, double abs,
                        const std::string& what) {
  return check_close(
      got, want, [&](std::size_t i) { return abs + rel * std::fabs(static_cast<double>(want[i])); }, what);
}

// One unit roundoff of float (half an ulp at 1): 2^−24.
inline constexpr double kUnitRoundoff = 5.9604644775390625e-08;

}  // namespace tapegrad::test
