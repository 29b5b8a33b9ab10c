// libFuzzer target: the tar reader (lm/text/tar_gz.hpp). An input starting with the gzip magic bytes goes through
// read_tar_gz from a file (zlib, then the tar records); any other input is an uncompressed tar image for parse_tar.
// Property: every member's data lies within the input (ASan checks the reads) and the members have paths.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "lm/text/tar_gz.hpp"
#include "ops/error.hpp"

using tapegrad::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    const std::vector<tapegrad::lm::ArchiveMember> members =
        gzip ? tapegrad::lm::read_tar_gz(tapegrad::fuzz::scratch_file("input.tgz", bytes))
             : tapegrad::lm::parse_tar(bytes, "fuzz.tar");
    std::size_t total = 0;
    for (const auto& m : members) total += m.data.size();
    // An uncompressed image cannot hold more member bytes than it has.
    if (!gzip) require(total <= size, "members hold no more bytes than the archive");
  } catch (const tapegrad::Error&) {
    // A clean rejection (IoError / FormatError naming the archive).
  }
  return 0;
}
