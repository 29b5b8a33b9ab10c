// World: MPI or a single process, from the launcher's environment (see world.hpp).
#include "nn/distributed/world.hpp"

#include <cstdlib>
#include <string>

#include "ops/error.hpp"
#ifdef TAPEGRAD_HAVE_MPI
#include "nn/distributed/mpi_communicator.hpp"
#endif

namespace tapegrad::nn {

namespace {
// The integer value of an environment variable, or −1 when unset or not a number.
int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return -1;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n >= 0 && n < (1L << 30)) ? static_cast<int>(n) : -1;
}
}  // namespace

LaunchInfo detect_launch() {
  struct Source {
    const char* launcher;
    const char* rank;
    const char* size;
  };
  static constexpr Source sources[] = {
      {"OpenMPI", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
      {"PMIx", "PMIX_RANK", "PMIX_SIZE"},  // PMIX_SIZE is not always set: the size then comes from MPI itself
      {"PMI", "PMI_RANK", "PMI_SIZE"},
  };
  for (const Source& s : sources) {
    const int rank = env_int(s.rank);
    if (rank < 0) continue;
    const int size = env_int(s.size);
    return {s.launcher, rank, size > 0 ? size : 0};  // 0: unknown until MPI is initialised
  }
  return {};
}

bool built_with_mpi() {
#ifdef TAPEGRAD_HAVE_MPI
  return true;
#else
  return false;
#endif
}

World::World() {
  const LaunchInfo launch = detect_launch();
  if (launch.launcher.empty() || launch.size == 1) {
    communicator_ = std::make_unique<SoloCommunicator>();
    return;
  }
#ifdef TAPEGRAD_HAVE_MPI
  communicator_ = std::make_unique<MpiCommunicator>();
#else
  throw UsageError("started by " + launch.launcher + " as rank " + std::to_string(launch.rank) +
                   (launch.size > 0 ? " of " + std::to_string(launch.size) : std::string()) +
                   ", but this tapegrad was built without MPI: install libopenmpi-dev (scripts/setup.sh does) and "
                   "rebuild with -DTAPEGRAD_MPI=ON, or run it without mpirun");
#endif
}

World::~World() = default;

}  // namespace tapegrad::nn
