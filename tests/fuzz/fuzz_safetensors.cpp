// libFuzzer target: the safetensors layout reader (nn/safetensors.hpp) on arbitrary bytes. A file it accepts must
// hand out every tensor's bytes within the file, and survive a round trip: written with safetensors::write and read
// again, it holds the same metadata (the checksum aside: the writer records its own) and the same tensors (name,
// dtype, shape, bytes).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "nn/safetensors.hpp"
#include "ops/error.hpp"

namespace st = tapegrad::nn::safetensors;
using tapegrad::fuzz::require;

namespace {

bool same_bytes(std::span<const std::byte> a, std::span<const std::byte> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// The metadata without the checksum, which the writer adds itself (and computes over its own layout).
st::Metadata without_checksum(st::Metadata metadata) {
  metadata.erase(std::string(st::kChecksumKey));
  return metadata;
}

void require_round_trip(const st::File& file) {
  std::vector<st::TensorRef> refs;
  for (const st::TensorInfo& t : file.tensors()) refs.push_back({t.name, t.dtype, t.shape, file.data(t)});
  const std::string path = tapegrad::fuzz::scratch_dir() / "written.safetensors";
  const st::Metadata metadata = without_checksum(file.metadata());
  try {
    st::write(path, refs, metadata);
  } catch (const tapegrad::Error& e) {
    require(false, std::string("a file that reads is written again: ") + e.what());
  }
  const st::File again = st::File::read(path);  // any error here (the checksum included) is a finding: let it crash
  require(again.metadata().contains(std::string(st::kChecksumKey)), "the writer records the checksum");
  require(without_checksum(again.metadata()) == metadata, "round trip keeps the metadata");
  require(again.tensors().size() == file.tensors().size(), "round trip keeps every tensor");
  for (const st::TensorInfo& t : file.tensors()) {
    const st::TensorInfo* u = again.find(t.name);
    require(u != nullptr, "round trip keeps every tensor name");
    require(u->dtype == t.dtype && u->shape == t.shape, "round trip keeps dtype and shape");
    require(same_bytes(file.data(t), again.data(*u)), "round trip keeps the data");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const st::File file = st::File::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    for (const st::TensorInfo& t : file.tensors()) {
      const std::span<const std::byte> bytes = file.data(t);
      require(bytes.size() == t.end - t.begin, "data() is the tensor's byte range");
      require(file.find(t.name) == &t, "find() finds every tensor");
      // Touch every byte, so a range outside the file is an ASan report.
      std::byte sum{0};
      for (std::byte b : bytes) sum ^= b;
      (void)sum;
    }
    require_round_trip(file);
  } catch (const tapegrad::Error&) {
    // A clean rejection (CheckpointError naming the file).
  }
  return 0;
}
