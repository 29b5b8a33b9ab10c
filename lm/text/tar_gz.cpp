// .tgz reading: zlib's gzip reader for the compression, our own walk over the tar records (see tar_gz.hpp).
#include "lm/text/tar_gz.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "lm/text/error.hpp"

namespace tapegrad::lm {

namespace {

constexpr std::size_t kBlock = 512;

// A NUL-terminated (or full-width) text field of a header.
std::string field(const char* header, std::size_t offset, std::size_t width) {
  const char* p = header + offset;
  return std::string(p, strnlen(p, width));
}

// An octal number field (spaces and NULs around it allowed); base-256 (high bit set) for large sizes.
std::size_t number(const char* header, std::size_t offset, std::size_t width, const std::string& source) {
  const auto* p = reinterpret_cast<const unsigned char*>(header + offset);
  std::size_t value = 0;
  if (p[0] & 0x80) {
    for (std::size_t i = 1; i < width; ++i) value = value << 8 | p[i];
    return value;
  }
  std::size_t i = 0;
  while (i < width && (p[i] == ' ' || p[i] == 0)) ++i;
  for (; i < width && p[i] >= '0' && p[i] <= '7'; ++i) value = value * 8 + (p[i] - '0');
  for (; i < width; ++i)
    if (p[i] != ' ' && p[i] != 0) throw FormatError(where(source) + "tar header: malformed octal number");
  return value;
}

// The "path" record of a pax extended header: records are "LEN key=value\n", LEN counting the whole record.
std::string pax_path(std::string_view data) {
  std::string path;
  while (!data.empty()) {
    const std::size_t space = data.find(' ');
    if (space == std::string_view::npos) break;
    std::size_t len = 0;
    for (char c : data.substr(0, space)) len = len * 10 + static_cast<std::size_t>(c - '0');
    if (len <= space || len > data.size()) break;
    const std::string_view record = data.substr(space + 1, len - space - 2);  // without the final '\n'
    if (record.starts_with("path=")) path = std::string(record.substr(5));
    data.remove_prefix(len);
  }
  return path;
}

}  // namespace

std::vector<ArchiveMember> parse_tar(const std::string& tar, const std::string& source) {
  std::vector<ArchiveMember> members;
  std::string next_path;  // from a pax 'x' or GNU 'L' record, for the next member only
  std::size_t pos = 0;
  while (true) {
    if (pos + kBlock > tar.size()) throw FormatError(where(source) + "truncated tar archive (no end-of-archive)");
    const char* h = tar.data() + pos;
    if (std::all_of(h, h + kBlock, [](char c) { return c == 0; })) break;  // end of archive

    unsigned sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    if (sum != number(h, 148, 8, source))
      throw FormatError(where(source) + "tar header checksum mismatch at offset " + std::to_string(pos) +
                        " (not a tar archive, or a damaged one)");

    const std::size_t size = number(h, 124, 12, source);
    const char type = h[156];
    std::string path = field(h, 0, 100);
    if (std::string_view(h + 257, 5) == "ustar") {
      const std::string prefix = field(h, 345, 155);
      if (!prefix.empty()) path = prefix + "/" + path;
    }
    pos += kBlock;
    if (size > tar.size() - pos)
      throw FormatError(where(source) + "truncated tar archive: member '" + path + "' needs " + std::to_string(size) +
                        " bytes");
    std::string data = tar.substr(pos, size);
    pos += (size + kBlock - 1) / kBlock * kBlock;

    if (type == 'x') {
      next_path = pax_path(data);
    } else if (type == 'L') {
      next_path = std::string(data.c_str());
    } else if (type == '0' || type == '\0') {
      members.push_back({next_path.empty() ? path : next_path, std::move(data)});
      next_path.clear();
    } else {
      next_path.clear();  // directories, links, global headers: nothing to keep
    }
  }
  return members;
}

std::vector<ArchiveMember> read_tar_gz(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError(where(path) + "no such file");
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) throw IoError(where(path) + "cannot open: " + std::strerror(errno));
  std::string tar;
  char buffer[1 << 16];
  int n = 0;
  while ((n = gzread(in, buffer, sizeof buffer)) > 0) tar.append(buffer, static_cast<std::size_t>(n));
  int code = Z_OK;
  const std::string message = n < 0 ? gzerror(in, &code) : "";
  gzclose(in);
  if (n < 0) throw FormatError(where(path) + "not a valid gzip stream: " + message);
  if (tar.empty()) throw FormatError(where(path) + "the archive is empty");
  return parse_tar(tar, path);
}

}  // namespace tapegrad::lm
