// Checkpoint integrity: the CRC-32 of the data section that every file records (a flipped data byte is refused, a
// file without a checksum still loads) and the finite-values rule (a NaN or ±∞ is never written, and refused when a
// file holds one, naming the tensor). The expected CRCs are the published check values of the algorithm, or computed
// here bit by bit — not by the table-driven code under test.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>

#include "nn/checkpoint.hpp"
#include "nn/crc32.hpp"
#include "nn/finite_values.hpp"
#include "ops/error.hpp"
#include "optim_test_util.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace st = tapegrad::nn::safetensors;
using nn::CheckpointError;

namespace {
std::span<const std::byte> as_bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// CRC-32 one bit at a time, straight from the definition (reflected polynomial 0xEDB88320, ~0 in and out).
std::uint32_t crc32_bitwise(std::span<const std::byte> bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::byte b : bytes) {
    c ^= static_cast<std::uint32_t>(b);
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  }
  return ~c;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void spit(const std::filesystem::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }
std::uint64_t header_length(const std::string& bytes) {
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return n;
}
// The bytes with the checksum entry of the header blanked out with spaces (JSON whitespace, so the header keeps its
// length and the data its offsets): the file an older tapegrad or another tool would have written.
std::string without_checksum(std::string bytes) {
  const std::string key = "\"tapegrad.checksum\":\"crc32:";
  const std::size_t at = bytes.find(key);
  BOOST_REQUIRE(at != std::string::npos && at < 8 + header_length(bytes));
  std::size_t end = at + key.size() + 8 + 1;  // 8 hex digits and the closing quote
  if (bytes[end] == ',') ++end;
  bytes.replace(at, end - at, std::string(end - at, ' '));
  return bytes;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint_integrity)

BOOST_AUTO_TEST_CASE(crc32_matches_the_published_check_values) {
  BOOST_TEST(nn::crc32(as_bytes("123456789")) == 0xCBF43926u);
  BOOST_TEST(nn::crc32(as_bytes("The quick brown fox jumps over the lazy dog")) == 0x414FA339u);
  BOOST_TEST(nn::crc32(as_bytes("")) == 0u);
  // Every length and start offset around the 8-byte step against the bit-by-bit definition; and in two pieces.
  std::mt19937 rng(7);
  std::string data(300, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (std::size_t start = 0; start < 9; ++start)
    for (std::size_t len = 0; start + len <= data.size(); len += 7) {
      const auto piece = as_bytes(data).subspan(start, len);
      BOOST_TEST(nn::crc32(piece) == crc32_bitwise(piece), "start " << start << " length " << len);
      const std::size_t cut = len / 3;
      BOOST_TEST(nn::crc32(piece.subspan(cut), nn::crc32(piece.first(cut))) == crc32_bitwise(piece));
    }
}

BOOST_AUTO_TEST_CASE(the_writer_records_the_crc_of_the_data_section) {
  ScratchDir dir;
  const std::vector<float> a = {1.0f, -2.0f, 3.5f};
  const std::vector<std::uint64_t> r = {1, 2, 3, 4};
  const std::vector<st::TensorRef> tensors = {{"a", st::DType::F32, {3}, std::as_bytes(std::span(a))},
                                              {"r", st::DType::U64, {4}, std::as_bytes(std::span(r))}};
  st::write(dir / "c.safetensors", tensors, {{"note", "x"}});
  const std::string bytes = slurp(dir / "c.safetensors");
  const std::uint32_t crc = crc32_bitwise(as_bytes(bytes).subspan(8 + header_length(bytes)));
  char want[16];
  std::snprintf(want, sizeof want, "crc32:%08x", crc);
  const st::File f = st::File::read(dir / "c.safetensors");
  BOOST_TEST(f.metadata().at("tapegrad.checksum") == want);
  BOOST_TEST(f.metadata().at("note") == "x");
  // The caller cannot supply the key itself.
  BOOST_CHECK_THROW(st::write(dir / "d.safetensors", tensors, {{"tapegrad.checksum", "crc32:00000000"}}), UsageError);
}

// Issue 13: a flipped byte in the data section loaded silently. Now every single-byte change of the data is
// refused, naming the file.
BOOST_AUTO_TEST_CASE(a_flipped_data_byte_is_refused_by_the_checksum) {
  ScratchDir dir;
  TinyClassifier src(1);
  nn::SGD sgd(src.parameters(), {.lr = 0.1f, .momentum = 0.9f});
  src.compute_gradients();
  sgd.step();
  Rng rng_src(2);
  nn::save_checkpoint(dir / "good.safetensors", {.model = &src, .optimizer = &sgd, .rng = &rng_src});
  const std::string good = slurp(dir / "good.safetensors");
  const std::size_t data_start = 8 + header_length(good);
  BOOST_REQUIRE(good.size() > data_start);
  const auto path = dir / "flip.safetensors";
  for (std::size_t i = data_start; i < good.size(); ++i) {
    std::string bytes = good;
    bytes[i] = static_cast<char>(bytes[i] ^ 0x10);
    spit(path, bytes);
    TinyClassifier m(3);
    nn::SGD opt(m.parameters(), {.lr = 0.1f, .momentum = 0.9f});
    Rng r(4);
    const float before = m.linear.W.value()[0];
    const std::string msg =
        error_of<CheckpointError>([&] { nn::load_checkpoint(path, {.model = &m, .optimizer = &opt, .rng = &r}); });
    BOOST_TEST(contains(msg, path.string()), msg);
    BOOST_TEST(contains(msg, "data corrupted: checksum mismatch"), "byte " << i << ": " << msg);
    BOOST_TEST(m.linear.W.value()[0] == before);
    // Reading only the metadata checks the data too.
    BOOST_CHECK_THROW(nn::read_checkpoint_metadata(path), CheckpointError);
  }
}

BOOST_AUTO_TEST_CASE(a_file_without_a_checksum_still_loads) {
  ScratchDir dir;
  TinyClassifier src(1);
  nn::save_checkpoint(dir / "good.safetensors", {.model = &src}, {{"epoch", "2"}});
  spit(dir / "old.safetensors", without_checksum(slurp(dir / "good.safetensors")));
  BOOST_TEST(!st::File::read(dir / "old.safetensors").metadata().contains("tapegrad.checksum"));
  TinyClassifier m(3);
  const nn::Metadata meta = nn::load_checkpoint(dir / "old.safetensors", {.model = &m});
  BOOST_TEST(meta.at("epoch") == "2");
  BOOST_TEST(std::memcmp(m.linear.W.value().data(), src.linear.W.value().data(), 6 * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(a_malformed_checksum_is_refused) {
  ScratchDir dir;
  TinyClassifier src(1);
  nn::save_checkpoint(dir / "good.safetensors", {.model = &src});
  const std::string good = slurp(dir / "good.safetensors");
  const std::size_t at = good.find("\"crc32:") + 1;
  BOOST_REQUIRE(at < 8 + header_length(good));
  // Values of the same length as "crc32:" + 8 digits, so the header keeps its length.
  for (const std::string bad : {"CRC32:00000000", "crc32:1234567x", "crc32:ABCDEF12", "adler:00000000"}) {
    std::string bytes = good;
    bytes.replace(at, bad.size(), bad);
    const std::string msg = error_of<CheckpointError>([&] { st::File::parse(bytes, "m.safetensors"); });
    BOOST_TEST(contains(msg, "m.safetensors"), msg);
    BOOST_TEST(contains(msg, "'tapegrad.checksum'"), bad << ": " << msg);
  }
}

// Issue 13: NaN/∞ weights in a checkpoint loaded silently ("perplexity nan"). Now the loader refuses them, naming
// the file and the tensor, and leaves the model as it was.
BOOST_AUTO_TEST_CASE(non_finite_values_in_a_file_are_refused_naming_the_tensor) {
  ScratchDir dir;
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<float> good_w = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, good_b = {0.0f, 1.0f};
  const std::vector<float> nan_w = {0.1f, 0.2f, 0.3f, 0.4f, nan, 0.6f}, inf_b = {0.0f, -inf};
  const auto write = [&](const std::string& name, const std::vector<float>& w, const std::vector<float>& b) {
    const std::vector<st::TensorRef> tensors = {{"linear.W", st::DType::F32, {3, 2}, std::as_bytes(std::span(w))},
                                                {"linear.b", st::DType::F32, {2}, std::as_bytes(std::span(b))}};
    st::write(dir / name, tensors, {});
    return dir / name;
  };
  const std::vector<std::pair<std::filesystem::path, std::string>> cases = {
      {write("nan.safetensors", nan_w, good_b), "tensor 'linear.W' holds nan at element 4"},
      {write("inf.safetensors", good_w, inf_b), "tensor 'linear.b' holds -inf at element 1"},
  };
  for (const auto& [file, expected] : cases) {
    const std::filesystem::path path = file;  // a lambda may not capture a structured binding (clang 14)
    TinyClassifier m(3);
    const float before = m.linear.W.value()[4];
    const std::string msg = error_of<CheckpointError>([&] { nn::load_checkpoint(path, {.model = &m}); });
    BOOST_TEST(contains(msg, path.string()), msg);
    BOOST_TEST(contains(msg, expected), msg);
    BOOST_TEST(m.linear.W.value()[4] == before);
  }
  TinyClassifier m(3);
  nn::load_checkpoint(write("finite.safetensors", good_w, good_b), {.model = &m});
  BOOST_TEST(m.linear.W.value()[4] == 0.5f);
}

BOOST_AUTO_TEST_CASE(non_finite_values_are_never_written) {
  ScratchDir dir;
  TinyClassifier good(1);
  const auto path = dir / "m.safetensors";
  nn::save_checkpoint(path, {.model = &good});
  const std::string before = slurp(path);

  TinyClassifier m(2);
  m.linear.b.value()[1] = std::numeric_limits<float>::quiet_NaN();
  std::string msg = error_of<CheckpointError>([&] { nn::save_checkpoint(path, {.model = &m}); });
  BOOST_TEST(contains(msg, path.string()), msg);
  BOOST_TEST(contains(msg, "not written: tensor 'linear.b' holds nan at element 1"), msg);
  BOOST_TEST(slurp(path) == before);  // the file already there is left as it was
  BOOST_TEST(dir.files().size() == 1u);

  // Optimizer state too.
  TinyClassifier f(3);
  nn::SGD sgd(f.parameters(), {.lr = 0.1f, .momentum = 0.9f});
  f.compute_gradients();
  sgd.step();
  sgd.state_slots()[0].tensors[0][2] = std::numeric_limits<float>::infinity();
  msg = error_of<CheckpointError>([&] { nn::save_checkpoint(dir / "o.safetensors", {.model = &f, .optimizer = &sgd}); });
  BOOST_TEST(contains(msg, "holds inf at element 2"), msg);
  BOOST_TEST(!std::filesystem::exists(dir / "o.safetensors"));
}

BOOST_AUTO_TEST_CASE(first_non_finite_finds_the_first_one) {
  std::vector<float> v(10000, 1.0f);
  BOOST_TEST(!nn::first_non_finite(v).has_value());
  v[9999] = -std::numeric_limits<float>::infinity();
  v[5000] = std::numeric_limits<float>::quiet_NaN();
  const auto at = nn::first_non_finite(v);
  BOOST_REQUIRE(at.has_value());
  BOOST_TEST(at->index == 5000u);
  BOOST_TEST(nn::describe(*at) == "holds nan at element 5000");
  v[5000] = std::numeric_limits<float>::max();  // the largest finite value is finite
  BOOST_TEST(nn::first_non_finite(v)->index == 9999u);
  BOOST_TEST(nn::describe(v[9999]) == "-inf");
  // Unaligned file data.
  std::string bytes(1 + 3 * 4, '\0');
  const float row[3] = {0.0f, 2.0f, std::numeric_limits<float>::infinity()};
  std::memcpy(bytes.data() + 1, row, sizeof row);
  BOOST_TEST(nn::first_non_finite_f32_bytes(as_bytes(bytes).subspan(1))->index == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
