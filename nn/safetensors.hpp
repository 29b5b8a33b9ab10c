// The safetensors file layout (the format of Hugging Face's `safetensors` library), read and written without knowing
// what the tensors mean — checkpoint.hpp maps a model, an optimizer and an Rng onto it.
//
//   bytes [0, 8)        N, the header length: unsigned 64-bit little-endian
//   bytes [8, 8 + N)    the header: a UTF-8 JSON object, possibly followed by spaces
//                         { "__metadata__": {"key": "string value", …},            (optional; strings only)
//                           "<tensor name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, … }
//   bytes [8 + N, EOF)  the data section: each tensor's elements, row-major, little-endian, at
//                       [begin, end) relative to the start of the data section
//
// Reading validates the whole file before anything is returned, the way the reference implementation does and
// more: the file holds the 8-byte length; N ≤ 100 MiB and N ≤ file size − 8; the header starts with '{' and is a
// JSON object without repeated names; __metadata__ holds only strings; every entry has a known dtype, a shape of
// non-negative integers and offsets begin ≤ end within the data section, with end − begin = numel·dtype size (no
// overflow); and the tensors, sorted by offset, tile the data section exactly: no overlap, no gap, no trailing bytes.
// Every failure is a CheckpointError whose message starts with the file's name.
//
// The checksum. write() records the CRC-32 (nn/crc32.hpp) of the whole data section in the metadata, under
// "tapegrad.checksum", as "crc32:" and eight lowercase hex digits (e.g. "crc32:cbf43926"); metadata values are
// strings, so other safetensors readers load the file as before and may ignore the key. Reading a file that has the
// key checks it: a malformed value or a CRC that differs from the data's ("data corrupted: checksum mismatch") is a
// CheckpointError. A file without the key (an older tapegrad's, another tool's) is read without the check. The
// checksum covers the data only: a change to the header is caught by the layout checks, or not at all.
//
// Writing pads the header with spaces so the data section starts at a multiple of 8 and lays the tensors out by
// decreasing element size, so every tensor is aligned to its element size in the file (what the reference writer
// does too). Files go to a temporary name in the same directory, are flushed to disk, then renamed into place.
// The data is little-endian: tapegrad builds only for little-endian hosts (checked at compile time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nn/checkpoint_error.hpp"

namespace tapegrad::nn::safetensors {

// The element types of the format. tapegrad's tensors are F32; the others can be read past and written as raw bytes.
enum class DType { BOOL, U8, I8, F8_E4M3, F8_E5M2, U16, I16, F16, BF16, U32, I32, F32, U64, I64, F64 };

std::string_view dtype_name(DType dtype);                     // "F32"
std::optional<DType> dtype_from_name(std::string_view name);  // nullopt for an unknown name
std::size_t dtype_size(DType dtype);                          // bytes per element

using Metadata = std::map<std::string, std::string>;

inline constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;  // 100 MiB, the reference implementation's limit
inline constexpr std::string_view kChecksumKey = "tapegrad.checksum";  // metadata: "crc32:<8 hex digits>"

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0, end = 0;  // byte range in the data section
};

// A whole file, read into memory and validated.
class File {
 public:
  // Throws CheckpointError naming the path and the first problem found.
  static File read(const std::filesystem::path& path);
  // The same checks on bytes already in memory; `source` names them in messages.
  static File parse(std::string bytes, std::string source);

  const std::string& source() const { return source_; }
  // In the order of their data offsets.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find(std::string_view name) const;
  const Metadata& metadata() const { return metadata_; }
  // The raw bytes of a tensor of this file (end − begin bytes; copy them out with memcpy: no alignment promised).
  std::span<const std::byte> data(const TensorInfo& tensor) const;

 private:
  File() = default;
  std::string source_;
  std::string bytes_;             // the whole file
  std::uint64_t data_start_ = 0;  // 8 + N
  std::vector<TensorInfo> tensors_;
  Metadata metadata_;
};

// A tensor to write: bytes.size() must be numel(shape)·dtype_size(dtype).
struct TensorRef {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::uint64_t> shape;
  std::span<const std::byte> bytes;
};

// Writes a safetensors file atomically (temporary file in the same directory, flushed, renamed over `path`).
// Adds the checksum of the data to the metadata (kChecksumKey, which the caller's metadata must not hold).
// Throws UsageError for inconsistent input (a repeated or reserved name, a size that does not match the shape,
// metadata that is not valid UTF-8, a metadata key kChecksumKey) and CheckpointError naming the file when the file system fails; the temporary
// file is removed then, and a file already at `path` is left as it was.
void write(const std::filesystem::path& path, std::span<const TensorRef> tensors, const Metadata& metadata);

}  // namespace tapegrad::nn::safetensors
