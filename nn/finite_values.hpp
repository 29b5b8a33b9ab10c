// Finding NaN and ±∞ in float data: the check behind "no non-finite value is ever saved or trusted" — checkpoints
// refuse to write or load them (nn/checkpoint.hpp), training stops on them (lm/training/trainer.hpp).
//
//   if (auto bad = nn::first_non_finite_parameter(model))
//     throw Error("parameter '" + bad->name + "' holds " + nn::describe(bad->value) + " at element " + ...);
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "nn/module.hpp"

namespace tapegrad::nn {

struct NonFiniteValue {
  std::size_t index = 0;  // element index (row-major)
  float value = 0;        // NaN, +∞ or −∞
};

// The first NaN or ±∞ in `values`, or nullopt when all are finite.
std::optional<NonFiniteValue> first_non_finite(std::span<const float> values);
// The same over little-endian F32 data as it lies in a file (any alignment; size a multiple of 4).
std::optional<NonFiniteValue> first_non_finite_f32_bytes(std::span<const std::byte> bytes);

struct NonFiniteParameter {
  std::string name;  // the parameter's full name
  NonFiniteValue at;
};
// The first parameter of `model` (in parameters() order) holding a NaN or ±∞.
std::optional<NonFiniteParameter> first_non_finite_parameter(Module& model);

// "nan", "inf", "-inf"
std::string describe(float non_finite);
// "holds nan at element 17"
std::string describe(const NonFiniteValue& v);

}  // namespace tapegrad::nn
