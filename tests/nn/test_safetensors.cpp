// The safetensors layer on its own: files built byte by byte (so each test states exactly what is in the file), a
// valid one read back, and one malformed file per check — each must throw CheckpointError naming the source and the
// problem, never crash (the suite also runs under ASan/UBSan). Then the writer's layout and its atomic replace.
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <fstream>
#include <random>

#include "nn/safetensors.hpp"
#include "ops/error.hpp"
#include "optim_test_util.hpp"
#include "support/file_size_limit.hpp"

using namespace tapegrad;
using namespace tapegrad::testing;
namespace st = tapegrad::nn::safetensors;
using nn::CheckpointError;

namespace {
// 8-byte little-endian n, then the header, then the data.
std::string file_bytes(const std::string& header, const std::string& data, std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}
std::string file_bytes(const std::string& header, const std::string& data) {
  return file_bytes(header, data, header.size());
}
std::string floats(std::initializer_list<float> values) {
  std::string s(values.size() * 4, '\0');
  std::memcpy(s.data(), std::data(values), s.size());
  return s;
}
// The message of parsing `bytes`; it must throw CheckpointError and name the source.
std::string parse_error(const std::string& bytes) {
  const std::string msg = error_of<CheckpointError>([&] { st::File::parse(bytes, "bad.safetensors"); });
  BOOST_TEST(contains(msg, "bad.safetensors"), msg);
  return msg;
}
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(safetensors)

// Two tensors, "b" stored first: the reader returns them in offset order, with their data, and the metadata.
BOOST_AUTO_TEST_CASE(reads_a_valid_file) {
  const std::string header =
      R"({"__metadata__":{"epoch":"3","vocab":"a b"},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
      R"("b":{"dtype":"U8","shape":[2,4],"data_offsets":[0,8]},"s":{"dtype":"F32","shape":[],"data_offsets":[16,20]},)"
      R"("z":{"dtype":"F64","shape":[0,3],"data_offsets":[20,20]}})";
  const std::string data = std::string("ABCDEFGH") + floats({1.5f, -2.0f}) + floats({7.0f});
  const st::File f = st::File::parse(file_bytes(header, data), "ok");
  BOOST_TEST(f.metadata().at("epoch") == "3");
  BOOST_TEST(f.metadata().at("vocab") == "a b");
  BOOST_REQUIRE(f.tensors().size() == 4u);
  BOOST_TEST(f.tensors()[0].name == "b");
  const st::TensorInfo* a = f.find("a");
  BOOST_REQUIRE(a != nullptr);
  BOOST_TEST((a->dtype == st::DType::F32));
  BOOST_TEST((a->shape == std::vector<std::uint64_t>{2}));
  float values[2];
  std::memcpy(values, f.data(*a).data(), 8);
  BOOST_TEST(values[0] == 1.5f);
  BOOST_TEST(values[1] == -2.0f);
  BOOST_TEST(std::string(reinterpret_cast<const char*>(f.data(*f.find("b")).data()), 8) == "ABCDEFGH");
  BOOST_TEST(f.find("s")->shape.empty());  // a scalar: one element
  BOOST_TEST(f.data(*f.find("z")).size() == 0u);
  BOOST_TEST(f.find("missing") == nullptr);
  // Spaces after the JSON are allowed (the writer pads to a multiple of 8).
  BOOST_TEST(st::File::parse(file_bytes(header + "     ", data), "ok").tensors().size() == 4u);
}

BOOST_AUTO_TEST_CASE(truncated_or_empty) {
  BOOST_TEST(contains(parse_error(""), "too short"));
  BOOST_TEST(contains(parse_error("\x02\0\0"), "too short"));
  // A valid file cut inside the header and inside the data.
  const std::string good = file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", floats({1, 2}));
  BOOST_TEST(contains(parse_error(good.substr(0, 20)), "exceeds"));
  BOOST_TEST(contains(parse_error(good.substr(0, good.size() - 1)), "outside the data section"));
}

BOOST_AUTO_TEST_CASE(oversized_header_length) {
  BOOST_TEST(contains(parse_error(file_bytes("{}", "", std::uint64_t{1} << 40)), "exceeds the limit"));
  BOOST_TEST(contains(parse_error(file_bytes("{}", "", ~std::uint64_t{0})), "exceeds the limit"));
  BOOST_TEST(contains(parse_error(file_bytes("{}", "", 100)), "exceeds the 2 bytes"));
}

BOOST_AUTO_TEST_CASE(header_not_json) {
  BOOST_TEST(contains(parse_error(file_bytes("", "")), "does not start with '{'"));
  BOOST_TEST(contains(parse_error(file_bytes("[1, 2]", "")), "does not start with '{'"));
  BOOST_TEST(contains(parse_error(file_bytes(R"({"a": )", "")), "not valid JSON"));
  BOOST_TEST(contains(parse_error(file_bytes(R"({"a": 1} x)", "")), "not valid JSON"));
  BOOST_TEST(contains(parse_error(file_bytes("{\"\xff\xfe\": 1}", "")), "not valid JSON"));       // not UTF-8
  BOOST_TEST(contains(parse_error(file_bytes(std::string("{}\0\0", 4), "")), "not valid JSON"));  // NUL padding
}

BOOST_AUTO_TEST_CASE(bad_metadata) {
  BOOST_TEST(contains(parse_error(file_bytes(R"({"__metadata__":{"epoch":3}})", "")), "'epoch' is not a string"));
  BOOST_TEST(contains(parse_error(file_bytes(R"({"__metadata__":["x"]})", "")), "__metadata__ is not a JSON object"));
}

BOOST_AUTO_TEST_CASE(bad_entries) {
  const auto entry = [](const std::string& body, const std::string& data = "") {
    return parse_error(file_bytes(R"({"t":)" + body + "}", data));
  };
  BOOST_TEST(contains(entry("3"), "tensor 't': entry is not a JSON object"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":[1]})"), "no \"data_offsets\""));
  BOOST_TEST(contains(entry(R"({"dtype":"F33","shape":[1],"data_offsets":[0,4]})", "abcd"), "unknown dtype 'F33'"));
  BOOST_TEST(contains(entry(R"({"dtype":7,"shape":[1],"data_offsets":[0,4]})", "abcd"), "dtype is not a string"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})", "abcd"), "element -1"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":[1.5],"data_offsets":[0,4]})", "abcd"), "element 1.5"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":1,"data_offsets":[0,4]})", "abcd"), "shape is not an array"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0]})", "abcd"), "data_offsets"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":[1],"data_offsets":[0,"4"]})", "abcd"), "data_offsets"));
  BOOST_TEST(contains(entry(R"({"dtype":"F32","shape":[0],"data_offsets":[4,0]})", "abcd"), "begin > end"));
}

BOOST_AUTO_TEST_CASE(size_does_not_match_shape_and_dtype) {
  // F32 [2] needs 8 bytes, the offsets give 4.
  BOOST_TEST(contains(parse_error(file_bytes(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "abcd")),
                      "needs 8 bytes"));
  // 2³²·2³²·16 overflows 64 bits.
  BOOST_TEST(contains(parse_error(file_bytes(
                          R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})", "abcd")),
                      "overflows"));
}

BOOST_AUTO_TEST_CASE(offsets_out_of_range) {
  BOOST_TEST(contains(parse_error(file_bytes(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", "abcd")),
                      "outside the data section of 4 bytes"));
  BOOST_TEST(contains(
      parse_error(file_bytes(R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}})", "")),
      "begin > end"));
}

BOOST_AUTO_TEST_CASE(overlap_gap_and_uncovered_bytes) {
  // a [0, 8) and b [4, 12) share bytes 4…7.
  BOOST_TEST(contains(parse_error(file_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                             std::string(12, 'x'))),
                      "overlap"));
  // Two names for the same bytes overlap too.
  BOOST_TEST(contains(parse_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                             std::string(4, 'x'))),
                      "overlap"));
  BOOST_TEST(contains(parse_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                             std::string(12, 'x'))),
                      "gap in the data section: bytes [4, 8)"));
  BOOST_TEST(contains(
      parse_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(8, 'x'))),
      "4 trailing bytes"));
  BOOST_TEST(contains(parse_error(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                             R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                             std::string(8, 'x'))),
                      "names 'a' more than once"));
}

// Random bytes, and random bytes behind a plausible header length: always a CheckpointError.
BOOST_AUTO_TEST_CASE(garbage_bytes) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes(rng() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (trial % 2 == 1 && bytes.size() >= 8) {
      const std::uint64_t n = rng() % (bytes.size() - 7);
      std::memcpy(bytes.data(), &n, 8);
    }
    BOOST_CHECK_THROW(st::File::parse(bytes, "garbage"), CheckpointError);
  }
}

// Writer: header padded to 8k bytes, U64 before F32 (alignment), offsets contiguous; reads back the same.
BOOST_AUTO_TEST_CASE(writer_layout_and_read_back) {
  ScratchDir dir;
  const float w[3] = {1.0f, 2.0f, 3.0f};
  const std::uint64_t words[2] = {0x0102030405060708u, 42u};
  const std::vector<st::TensorRef> tensors = {
      {"w", st::DType::F32, {3}, std::as_bytes(std::span(w))},
      {"state", st::DType::U64, {2}, std::as_bytes(std::span(words))},
  };
  st::write(dir / "x.safetensors", tensors, {{"note", "héllo \"quoted\"\nline"}});
  const std::string bytes = slurp(dir / "x.safetensors");
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  BOOST_TEST(n % 8 == 0u);
  BOOST_TEST(bytes.size() == 8 + n + 3 * 4 + 2 * 8);
  const st::File f = st::File::read(dir / "x.safetensors");
  BOOST_TEST(f.metadata().at("note") == "héllo \"quoted\"\nline");
  BOOST_TEST(f.find("state")->begin == 0u);  // the 8-byte dtype first
  BOOST_TEST(f.find("w")->begin == 16u);
  BOOST_TEST(std::memcmp(f.data(*f.find("w")).data(), w, sizeof w) == 0);
  BOOST_TEST(std::memcmp(f.data(*f.find("state")).data(), words, sizeof words) == 0);
  // Little-endian on disk: the first data byte is the low byte of words[0].
  BOOST_TEST(static_cast<unsigned char>(bytes[8 + n]) == 0x08u);
  BOOST_TEST(dir.files() == std::vector<std::string>{"x.safetensors"});  // no temporary file left
}

BOOST_AUTO_TEST_CASE(writer_refuses_inconsistent_input) {
  ScratchDir dir;
  const float w[2] = {1.0f, 2.0f};
  const auto bytes = std::as_bytes(std::span(w));
  using R = std::vector<st::TensorRef>;
  BOOST_TEST(contains(error_of<UsageError>([&] {
                        st::write(dir / "a", R{{"w", st::DType::F32, {3}, bytes}}, {});
                      }),
                      "comes with 8 bytes"));
  BOOST_TEST(
      contains(error_of<UsageError>([&] {
                 st::write(dir / "a", R{{"w", st::DType::F32, {2}, bytes}, {"w", st::DType::F32, {2}, bytes}}, {});
               }),
               "two tensors are named 'w'"));
  BOOST_TEST(contains(error_of<UsageError>([&] {
                        st::write(dir / "a", R{{"__metadata__", st::DType::F32, {2}, bytes}}, {});
                      }),
                      "__metadata__"));
  BOOST_CHECK_THROW(st::write(dir / "a", R{}, {{"k", "\xff"}}), UsageError);  // not UTF-8
  BOOST_TEST(dir.files().empty());
}

BOOST_AUTO_TEST_CASE(reading_missing_files_and_directories) {
  ScratchDir dir;
  BOOST_TEST(contains(error_of<CheckpointError>([&] { st::File::read(dir / "nope.safetensors"); }), "cannot open"));
  BOOST_TEST(contains(error_of<CheckpointError>([&] { st::File::read(dir.path()); }), "is a directory"));
}

BOOST_AUTO_TEST_CASE(writing_where_it_cannot) {
  ScratchDir dir;
  const std::string msg = error_of<CheckpointError>([&] { st::write(dir / "no-such-dir" / "x.safetensors", {}, {}); });
  BOOST_TEST(contains(msg, "no-such-dir/x.safetensors"), msg);
  BOOST_TEST(contains(msg, "temporary file"), msg);
  // A directory in the way: the rename fails, the temporary file is removed.
  std::filesystem::create_directory(dir / "taken");
  std::filesystem::create_directory(dir / "taken" / "inside");
  BOOST_TEST(contains(error_of<CheckpointError>([&] { st::write(dir / "taken", {}, {}); }), "renaming"));
  BOOST_TEST(dir.files() == std::vector<std::string>{"taken"});
}

// A write that fails half way (the file-size limit makes write() fail with EFBIG) leaves the old file whole and no
// temporary file; a successful one replaces the old file.
BOOST_AUTO_TEST_CASE(failed_write_keeps_the_old_file) {
  ScratchDir dir;
  const auto path = dir / "model.safetensors";
  const float small[1] = {1.0f};
  st::write(path, std::vector<st::TensorRef>{{"w", st::DType::F32, {1}, std::as_bytes(std::span(small))}}, {});
  const std::string old_bytes = slurp(path);

  std::vector<float> big(100000, 2.0f);  // 400 kB, over the limit set below
  const std::vector<st::TensorRef> big_tensors = {{"w", st::DType::F32, {100000}, std::as_bytes(std::span(big))}};
  std::string msg;
  {
    const tapegrad::testing::FileSizeLimit limit(64 * 1024);
    try {
      st::write(path, big_tensors, {});
    } catch (const CheckpointError& e) {
      msg = e.what();
    }
  }
  BOOST_TEST(contains(msg, "writing the temporary file failed"), msg);
  BOOST_TEST(slurp(path) == old_bytes);
  BOOST_TEST(dir.files() == std::vector<std::string>{"model.safetensors"});

  st::write(path, big_tensors, {});
  BOOST_TEST(st::File::read(path).find("w")->shape == std::vector<std::uint64_t>{100000});
}

BOOST_AUTO_TEST_CASE(dtype_table) {
  BOOST_TEST(st::dtype_size(st::DType::F32) == 4u);
  BOOST_TEST(st::dtype_size(st::DType::BF16) == 2u);
  BOOST_TEST(st::dtype_size(st::DType::U64) == 8u);
  BOOST_TEST(st::dtype_size(st::DType::BOOL) == 1u);
  BOOST_TEST(st::dtype_name(st::DType::I64) == "I64");
  BOOST_TEST((st::dtype_from_name("F64") == st::DType::F64));
  BOOST_TEST(!st::dtype_from_name("f32").has_value());  // names are case-sensitive
}

BOOST_AUTO_TEST_SUITE_END()
