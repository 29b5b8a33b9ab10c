// One rank's lines of a text file, by byte range (see shard_reader.hpp).
//
// Rank r's lines are those starting in [b_r, b_{r+1}), b_r = ⌊B·r/N⌋. The first line starting at or after a byte
// offset x is
//   start(x) = 0 when x = 0;  B when x ≥ B;  else 1 + the offset of the first '\n' at or after x − 1 (or B)
// so rank r reads [start(b_r), start(b_{r+1})) — the next rank's start is this rank's end, and no line is cut.
#include "lm/ngram/shard_reader.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

// Something is wrong with the file: reading it whole throws the error one process would give.
[[noreturn]] void fail_as_one_process(const std::string& path, TextEncoding encoding, const std::string& what) {
  TokenCorpus::read_words(path, encoding);
  throw FormatError(where(path) + what);  // when the whole-file reader accepts what the shard reader did not
}

// start(x) of the file comment.
std::uint64_t line_start_at_or_after(std::ifstream& in, std::uint64_t x, std::uint64_t size) {
  if (x == 0) return 0;
  if (x >= size) return size;
  in.clear();
  in.seekg(static_cast<std::streamoff>(x - 1));
  std::vector<char> buf(1 << 16);
  std::uint64_t pos = x - 1;
  while (pos < size) {
    in.read(buf.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(buf.size(), size - pos)));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) throw IoError("read failed");
    if (const void* nl = std::memchr(buf.data(), '\n', got))
      return pos + static_cast<std::uint64_t>(static_cast<const char*>(nl) - buf.data()) + 1;
    pos += got;
  }
  return size;
}

}  // namespace

WordShard read_word_shard(const std::string& path, TextEncoding encoding, nn::Communicator& comm) {
  const auto ranks = static_cast<std::uint64_t>(comm.size()), rank = static_cast<std::uint64_t>(comm.rank());
  std::error_code ec;
  const std::uint64_t size = std::filesystem::is_regular_file(path, ec) ? std::filesystem::file_size(path, ec) : 0;
  std::ifstream in(path, std::ios::binary);
  if (!in || ec || size == 0) fail_as_one_process(path, encoding, "cannot read the file");

  // This rank's bytes: the lines starting in [B·r/N, B·(r+1)/N).
  // ⌊B·r/N⌋ = q·r + ⌊m·r/N⌋ with B = q·N + m, without overflowing B·r.
  const auto bound = [&](std::uint64_t r) { return size / ranks * r + size % ranks * r / ranks; };
  std::uint64_t first = 0, last = 0;
  try {
    first = line_start_at_or_after(in, bound(rank), size);
    last = line_start_at_or_after(in, bound(rank + 1), size);
  } catch (const IoError&) {
    fail_as_one_process(path, encoding, "read failed");
  }
  std::string bytes(last - first, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(first));
  if (!bytes.empty() && !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    fail_as_one_process(path, encoding, "read failed");

  // The file's line number of this shard's first line: 1 + the line ends of the ranks before.
  const std::uint64_t line_ends = static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  const std::vector<std::vector<std::byte>> all =
      comm.allgather(nn::as_message(std::span<const std::uint64_t>(&line_ends, 1)));
  std::uint64_t line_offset = 0;
  for (std::uint64_t r = 0; r < rank; ++r) line_offset += nn::from_message<std::uint64_t>(all[r]).at(0);

  // The checks and the splitting of TokenCorpus::parse_words, on this shard.
  WordShard out;
  out.sentences = TokenCorpus(path);
  if (bytes.find('\0') != std::string::npos) fail_as_one_process(path, encoding, "binary data");
  std::shared_ptr<const std::string> text;
  try {
    text = std::make_shared<const std::string>(decode_text(std::move(bytes), encoding, path));
  } catch (const FormatError&) {
    fail_as_one_process(path, encoding, "invalid text");
  }
  out.sentences.keep_alive(text);
  std::vector<std::string_view> words;
  bool reserved = false;
  for_each_line(*text, [&](std::size_t number, std::string_view line) {
    words.clear();
    for_each_field(line, [&](std::string_view w) {
      if (w == "<s>" || w == "</s>") reserved = true;
      words.push_back(w);
    });
    if (!words.empty() && !reserved) out.sentences.add_sentence(words, {}, line_offset + number);
  });
  if (reserved) fail_as_one_process(path, encoding, "a reserved token (<s> or </s>)");

  std::int64_t sentences = static_cast<std::int64_t>(out.sentences.num_sentences());
  comm.allreduce_sum(std::span<std::int64_t>(&sentences, 1));
  if (sentences == 0) fail_as_one_process(path, encoding, "no sentence (only blank lines)");
  out.total_sentences = static_cast<std::uint64_t>(sentences);
  return out;
}

}  // namespace tapegrad::lm
