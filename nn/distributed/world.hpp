// World: the group of processes this program runs in, decided once at start-up from how it was launched.
//
//   tapegrad train …                     a single process: SoloCommunicator, MPI is not even initialised
//   mpirun -np 4 tapegrad train …        4 ranks over MPI (OpenMPI's mpirun, Slurm's srun with PMIx, …)
//
// The launcher is recognised by the environment it gives its processes (OMPI_COMM_WORLD_SIZE from OpenMPI,
// PMIX_RANK from a PMIx launcher such as srun --mpi=pmix, PMI_SIZE from MPICH-style launchers); without one, MPI is
// left alone, so a plain run starts as fast as before and needs no MPI runtime. A build without MPI
// (TAPEGRAD_MPI=OFF, or libopenmpi-dev missing) refuses to run as one of several ranks, with the reason, instead of
// letting each copy train on its own and overwrite the others' files.
//
// The world owns MPI's lifetime: MPI_Init_thread when it is made (MPI_THREAD_FUNNELED: only the main thread calls
// MPI; OpenMP's threads never do), MPI_Finalize when it is destroyed — one world per process, made in main().
#pragma once

#include <memory>
#include <string>

#include "nn/distributed/communicator.hpp"

namespace tapegrad::nn {

// What the environment says about the launch. size == 1 and launcher empty without an MPI launcher.
struct LaunchInfo {
  std::string launcher;  // "OpenMPI", "PMIx", "PMI", or empty
  int rank = 0;
  int size = 1;
};
LaunchInfo detect_launch();

// Whether this build can run on several ranks (it was built with MPI).
bool built_with_mpi();

class World {
 public:
  // Throws UsageError when launched as several ranks by a build without MPI, Error when MPI fails to start.
  World();
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  Communicator& communicator() { return *communicator_; }

 private:
  std::unique_ptr<Communicator> communicator_;
};

}  // namespace tapegrad::nn
