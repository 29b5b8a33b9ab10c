// Reading a gzip-compressed tar archive (.tgz, as `npm pack` makes) into memory, without unpacking it to disk or
// running an external program: zlib inflates the stream, and a small reader walks the tar records.
//
// Tar layout (POSIX ustar): a sequence of 512-byte blocks. Each member is one header block, then its data padded to
// a multiple of 512; two zero blocks end the archive. Header fields used here (offset, size): name (0, 100), size
// (124, 12, octal), checksum (148, 8, octal: the sum of all header bytes with this field read as spaces), type flag
// (156, 1: '0' or NUL regular file, '5' directory, 'x' pax header for the next member, 'g' global pax header,
// 'L' GNU long name for the next member), prefix (345, 155, ustar: the path is prefix + "/" + name).
#pragma once

#include <string>
#include <vector>

namespace tapegrad::lm {

struct ArchiveMember {
  std::string path;  // as stored, e.g. "package/ca01"
  std::string data;
};

// The regular files of the archive, in archive order. Throws IoError (unreadable) or FormatError (not gzip, a bad
// header checksum, a truncated member).
std::vector<ArchiveMember> read_tar_gz(const std::string& path);

// The same on an uncompressed tar image in memory (`source` names it in messages).
std::vector<ArchiveMember> parse_tar(const std::string& tar, const std::string& source);

}  // namespace tapegrad::lm
