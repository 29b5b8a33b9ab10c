// safetensors: validation of a file read into memory, and the atomic writer (layout and checks in safetensors.hpp).
#include "nn/safetensors.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "nn/atomic_file.hpp"
#include "nn/crc32.hpp"

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian and tapegrad copies it byte for byte: little-endian hosts only");

namespace tapegrad::nn::safetensors {

namespace {
struct DTypeRow {
  DType dtype;
  std::string_view name;
  std::size_t size;
};
constexpr std::array<DTypeRow, 15> kDTypes = {{
    {DType::BOOL, "BOOL", 1},
    {DType::U8, "U8", 1},
    {DType::I8, "I8", 1},
    {DType::F8_E4M3, "F8_E4M3", 1},
    {DType::F8_E5M2, "F8_E5M2", 1},
    {DType::U16, "U16", 2},
    {DType::I16, "I16", 2},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::U32, "U32", 4},
    {DType::I32, "I32", 4},
    {DType::F32, "F32", 4},
    {DType::U64, "U64", 8},
    {DType::I64, "I64", 8},
    {DType::F64, "F64", 8},
}};

const DTypeRow& row(DType dtype) {
  for (const DTypeRow& r : kDTypes)
    if (r.dtype == dtype) return r;
  return kDTypes[0];  // unreachable: every enumerator has a row
}

constexpr const char* kMetadataKey = "__metadata__";

// "[2, 3]"
std::string shape_str(const std::vector<std::uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// numel(shape)·element size, or nullopt on overflow.
std::optional<std::uint64_t> byte_count(const std::vector<std::uint64_t>& shape, std::size_t element_size) {
  std::uint64_t n = element_size;
  for (std::uint64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n)) return std::nullopt;
  return n;
}

// A JSON value for an error message: numbers as written, anything else by its type (never the dump of a structure,
// whose nesting a hostile file chooses).
std::string describe(const nlohmann::json& v) {
  if (v.is_number()) return v.dump();
  if (v.is_string()) return "\"" + v.get<std::string>().substr(0, 40) + "\"";
  return std::string(v.type_name());
}

// Throws CheckpointError "checkpoint '<source>': <problem>".
[[noreturn]] void bad(const std::string& source, const std::string& problem) {
  throw CheckpointError("checkpoint '" + source + "': " + problem);
}

// One header entry → TensorInfo, every field checked.
TensorInfo parse_entry(const std::string& source, const std::string& name, const nlohmann::json& entry,
                       std::uint64_t data_size) {
  const std::string where = "tensor '" + name + "': ";
  if (!entry.is_object()) bad(source, where + "entry is not a JSON object");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(key)) bad(source, where + "entry has no \"" + key + "\"");

  TensorInfo info;
  info.name = name;
  const nlohmann::json& dtype = entry["dtype"];
  if (!dtype.is_string()) bad(source, where + "dtype is not a string");
  const auto known = dtype_from_name(dtype.get_ref<const std::string&>());
  if (!known) bad(source, where + "unknown dtype '" + dtype.get<std::string>() + "'");
  info.dtype = *known;

  const nlohmann::json& shape = entry["shape"];
  if (!shape.is_array()) bad(source, where + "shape is not an array");
  for (const nlohmann::json& d : shape) {
    if (!d.is_number_unsigned()) bad(source, where + "shape has the element " + describe(d) + ", not an integer ≥ 0");
    info.shape.push_back(d.get<std::uint64_t>());
  }

  const nlohmann::json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2) bad(source, where + "data_offsets is not a pair [begin, end]");
  for (const nlohmann::json& o : offsets)
    if (!o.is_number_unsigned())
      bad(source, where + "data_offsets has the element " + describe(o) + ", not an integer ≥ 0");
  info.begin = offsets[0].get<std::uint64_t>();
  info.end = offsets[1].get<std::uint64_t>();
  const std::string range = "data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + "]";
  if (info.begin > info.end) bad(source, where + range + " has begin > end");
  if (info.end > data_size)
    bad(source, where + range + " lie outside the data section of " + std::to_string(data_size) + " bytes");

  const auto bytes = byte_count(info.shape, row(info.dtype).size);
  if (!bytes) bad(source, where + "shape " + shape_str(info.shape) + " is too large (size overflows 64 bits)");
  if (*bytes != info.end - info.begin)
    bad(source, where + "shape " + shape_str(info.shape) + " of dtype " + std::string(row(info.dtype).name) +
                    " needs " + std::to_string(*bytes) + " bytes but " + range + " span " +
                    std::to_string(info.end - info.begin));
  return info;
}

constexpr std::string_view kChecksumPrefix = "crc32:";

// "crc32:cbf43926"
std::string checksum_text(std::uint32_t crc) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc);
  return std::string(kChecksumPrefix) + hex;
}

// The CRC a checksum value records: "crc32:" and exactly eight lowercase hex digits; nullopt otherwise.
std::optional<std::uint32_t> parse_checksum(const std::string& text) {
  if (text.size() != kChecksumPrefix.size() + 8 || !text.starts_with(kChecksumPrefix)) return std::nullopt;
  std::uint32_t crc = 0;
  for (char c : std::string_view(text).substr(kChecksumPrefix.size())) {
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    crc = crc << 4 | static_cast<std::uint32_t>(digit);
  }
  return crc;
}
}  // namespace

std::string_view dtype_name(DType dtype) { return row(dtype).name; }
std::size_t dtype_size(DType dtype) { return row(dtype).size; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const DTypeRow& r : kDTypes)
    if (r.name == name) return r.dtype;
  return std::nullopt;
}

// ---- Reading --------------------------------------------------------------------------------------------------------

File File::read(const std::filesystem::path& path) {
  const std::string source = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) bad(source, "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) bad(source, "cannot open the file for reading");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0 || !in) bad(source, "cannot determine the file's size");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (in.gcount() != size) bad(source, "reading the file failed (it changed size while being read?)");
  return parse(std::move(bytes), source);
}

File File::parse(std::string bytes, std::string source) {
  File f;
  f.source_ = std::move(source);
  f.bytes_ = std::move(bytes);
  const std::string& src = f.source_;
  const std::uint64_t size = f.bytes_.size();

  // 1. The header length: 8 bytes, little-endian.
  if (size < 8)
    bad(src, "file is " + std::to_string(size) + " bytes, too short for the 8-byte header length (truncated?)");
  std::uint64_t n = 0;
  std::memcpy(&n, f.bytes_.data(), 8);
  if (n > kMaxHeaderBytes)
    bad(src, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes) +
                 " bytes (corrupt, or not a safetensors file)");
  if (n > size - 8)
    bad(src, "header length " + std::to_string(n) + " exceeds the " + std::to_string(size - 8) +
                 " bytes that follow it (truncated, or not a safetensors file)");
  f.data_start_ = 8 + n;
  const std::uint64_t data_size = size - f.data_start_;

  // 2. The header: a JSON object, every name once.
  const char* header = f.bytes_.data() + 8;
  if (n == 0 || header[0] != '{') bad(src, "header does not start with '{' (not a safetensors file)");
  // JSON text never holds a NUL byte (not even escaped in a string), and nlohmann's parser would stop at one as at
  // the end of input, accepting whatever follows it.
  if (std::memchr(header, '\0', n) != nullptr) bad(src, "header is not valid JSON: it contains a NUL byte");
  std::set<std::string> names;
  std::string repeated;
  const auto on_event = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed.is_string() &&
        !names.insert(parsed.get<std::string>()).second && repeated.empty())
      repeated = parsed.get<std::string>();
    return true;
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(header, header + n, on_event);
  } catch (const nlohmann::json::exception& e) {
    bad(src, std::string("header is not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) bad(src, "header is not a JSON object");
  if (!repeated.empty()) bad(src, "header names '" + repeated + "' more than once");

  // 3. Metadata and entries.
  for (const auto& [key, value] : doc.items()) {
    if (key == kMetadataKey) {
      if (!value.is_object()) bad(src, "__metadata__ is not a JSON object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) bad(src, "__metadata__ value of '" + k + "' is not a string");
        f.metadata_.emplace(k, v.get<std::string>());
      }
      continue;
    }
    f.tensors_.push_back(parse_entry(src, key, value, data_size));
  }

  // 4. Sorted by offset, the tensors tile the data section: each begins where the previous one ended.
  std::sort(f.tensors_.begin(), f.tensors_.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t covered = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& t : f.tensors_) {
    if (t.begin < covered)
      bad(src, "tensors '" + previous->name + "' [" + std::to_string(previous->begin) + ", " +
                   std::to_string(previous->end) + "] and '" + t.name + "' [" + std::to_string(t.begin) + ", " +
                   std::to_string(t.end) + "] overlap");
    if (t.begin > covered)
      bad(src, "gap in the data section: bytes [" + std::to_string(covered) + ", " + std::to_string(t.begin) +
                   ") belong to no tensor");
    covered = t.end;
    previous = &t;
  }
  if (covered != data_size)
    bad(src, "the data section has " + std::to_string(data_size - covered) +
                 " trailing bytes that belong to no tensor (data section " + std::to_string(data_size) +
                 " bytes, tensors end at " + std::to_string(covered) + ")");

  // 5. The checksum of the data, when the file records one.
  if (const auto it = f.metadata_.find(std::string(kChecksumKey)); it != f.metadata_.end()) {
    const auto recorded = parse_checksum(it->second);
    if (!recorded)
      bad(src, "metadata '" + std::string(kChecksumKey) + "' = \"" + it->second.substr(0, 40) +
                   "\" is not \"crc32:\" followed by 8 lowercase hex digits");
    const std::uint32_t actual =
        crc32({reinterpret_cast<const std::byte*>(f.bytes_.data()) + f.data_start_, data_size});
    if (actual != *recorded)
      bad(src, "data corrupted: checksum mismatch (the header records " + it->second + ", the data has " +
                   checksum_text(actual) + ")");
  }
  return f;
}

const TensorInfo* File::find(std::string_view name) const {
  for (const TensorInfo& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

std::span<const std::byte> File::data(const TensorInfo& tensor) const {
  const auto* base = reinterpret_cast<const std::byte*>(bytes_.data()) + data_start_;
  return {base + tensor.begin, static_cast<std::size_t>(tensor.end - tensor.begin)};
}

// ---- Writing --------------------------------------------------------------------------------------------------------

void write(const std::filesystem::path& path, std::span<const TensorRef> tensors, const Metadata& metadata) {
  // Layout: decreasing element size (stable, so equal sizes keep the caller's order); with the data section
  // starting at a multiple of 8, every tensor then starts at a multiple of its element size.
  if (metadata.contains(std::string(kChecksumKey)))
    throw UsageError("safetensors::write: the metadata key '" + std::string(kChecksumKey) +
                     "' is reserved for the checksum the writer adds");
  std::vector<const TensorRef*> order;
  std::set<std::string_view> names;
  for (const TensorRef& t : tensors) {
    if (t.name == kMetadataKey) throw UsageError("safetensors::write: '__metadata__' cannot name a tensor");
    if (!names.insert(t.name).second) throw UsageError("safetensors::write: two tensors are named '" + t.name + "'");
    const auto bytes = byte_count(t.shape, dtype_size(t.dtype));
    if (!bytes || *bytes != t.bytes.size())
      throw UsageError("safetensors::write: tensor '" + t.name + "' of shape " + shape_str(t.shape) + " and dtype " +
                       std::string(dtype_name(t.dtype)) + " comes with " + std::to_string(t.bytes.size()) + " bytes");
    order.push_back(&t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const TensorRef* a, const TensorRef* b) { return dtype_size(a->dtype) > dtype_size(b->dtype); });

  // The checksum of the data section: the tensors' bytes in layout order.
  std::uint32_t crc = 0;
  for (const TensorRef* t : order) crc = crc32(t->bytes, crc);
  Metadata with_checksum = metadata;
  with_checksum.emplace(kChecksumKey, checksum_text(crc));

  // The header, in layout order after __metadata__ (ordered_json keeps insertion order).
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  nlohmann::ordered_json meta = nlohmann::ordered_json::object();
  for (const auto& [k, v] : with_checksum) meta[k] = v;
  doc[kMetadataKey] = std::move(meta);
  std::uint64_t offset = 0;
  for (const TensorRef* t : order) {
    const std::uint64_t end = offset + t->bytes.size();
    doc[t->name] = {{"dtype", dtype_name(t->dtype)}, {"shape", t->shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }
  std::string header;
  try {
    header = doc.dump();
  } catch (const nlohmann::json::type_error& e) {  // a name or value that is not valid UTF-8
    throw UsageError(std::string("safetensors::write: ") + e.what());
  }
  header.append((8 - header.size() % 8) % 8, ' ');  // 8 + N ≡ 0 (mod 8)

  std::uint64_t n = header.size();
  AtomicFile out(path);
  out.write(std::as_bytes(std::span(&n, 1)));
  out.write(std::as_bytes(std::span(header.data(), header.size())));
  // Tensors whose bytes follow one another in memory (the parameters of a ParameterBlock, an optimizer's state slot)
  // go out in one write.
  std::span<const std::byte> run;
  for (const TensorRef* t : order) {
    if (t->bytes.empty()) continue;
    if (!run.empty() && run.data() + run.size() == t->bytes.data()) {
      run = {run.data(), run.size() + t->bytes.size()};
      continue;
    }
    if (!run.empty()) out.write(run);
    run = t->bytes;
  }
  if (!run.empty()) out.write(run);
  out.commit();
}

}  // namespace tapegrad::nn::safetensors
