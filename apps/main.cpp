// tapegrad: the command-line entry point. Parses the command line (apps/command_line.hpp: snake_case flags, "did you
// mean") with the parser of apps/commands.cpp and runs one subcommand; a user's mistake — a bad flag (refused while
// parsing, before any work: apps/flag_checks.hpp), a library error, a file-system error — is a message on stderr and
// exit status 2; anything else exits 3.
// Started by mpirun (or srun) as one of several ranks (nn/distributed/world.hpp): only `train` and `ngram train` run,
// rank 0 alone speaks, and a rank that fails prints its rank, host and cause, then ends every rank (MPI_Abort) —
// the others would otherwise wait for it in their next collective.
#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/command_line.hpp"
#include "apps/commands.hpp"
#include "nn/distributed/world.hpp"
#include "ops/error.hpp"

namespace {

// "'out/m.safetensors': cannot create directories: Permission denied" (both paths when there are two).
std::string describe(const std::filesystem::filesystem_error& e) {
  std::string paths;
  for (const std::filesystem::path* p : {&e.path1(), &e.path2()})
    if (!p->empty()) paths += (paths.empty() ? "'" : " → '") + p->string() + "'";
  const std::string what = e.what();
  // what() is "filesystem error: <operation>: <reason> [path1] [path2]"; keep the operation and the reason.
  std::string operation = what;
  if (operation.starts_with("filesystem error: ")) operation.erase(0, 18);
  if (const std::size_t bracket = operation.find(" ["); bracket != std::string::npos) operation.erase(bracket);
  return (paths.empty() ? "" : paths + ": ") + operation;
}

// Prints one message on stderr in a single write: under mpirun the ranks' streams are forwarded chunk by chunk, and
// a message written in pieces could come out mixed with another rank's output.
void print_error(const std::string& message) {
  const std::string line = message + "\n";
  std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
  std::cerr.flush();
}

// Runs the parsed command; a failure is a message on stderr and the exit status (2: the user's mistake, 3: a bug).
int run_command(const tapegrad::cli::Command& run, const std::string& prefix) {
  try {
    if (run) return run();
  } catch (const tapegrad::Error& e) {
    print_error(prefix + "error: " + e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // Name the path(s) and the system's reason, as a library error would.
    print_error(prefix + "error: " + describe(e));
    return 2;
  } catch (const std::exception& e) {
    print_error(prefix + "unexpected error: " + e.what());
    return 3;
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::unique_ptr<tapegrad::nn::World> world;
  try {
    world = std::make_unique<tapegrad::nn::World>();
  } catch (const tapegrad::Error& e) {
    std::cerr << "tapegrad: error: " << e.what() << '\n';
    return 2;
  }
  tapegrad::nn::Communicator& comm = world->communicator();
  tapegrad::cli::set_communicator(comm);
  const bool several = comm.size() > 1;

  tapegrad::cli::Cli cli = tapegrad::cli::make_cli();  // every subcommand (apps/commands.cpp)
  try {
    tapegrad::cli::parse_command_line(*cli.app, std::vector<std::string>(argv, argv + argc));
  } catch (const CLI::ParseError& e) {
    // Every rank parsed the same command line: rank 0 alone prints the help or the message naming the flag.
    const int status = comm.is_root() ? cli.app->exit(e) : e.get_exit_code();
    return status == 0 ? 0 : 2;
  }
  if (several && !tapegrad::cli::runs_on_several_ranks(*cli.app)) {
    if (comm.is_root())
      std::cerr << "tapegrad: error: started as " << comm.size() << " ranks, but only `tapegrad train` and "
                << "`tapegrad ngram train` run on several ranks (docs/distributed.md); run this command without "
                << "mpirun\n";
    return 2;
  }
  const std::string prefix = several ? "tapegrad: " + comm.describe() + ": " : "tapegrad: ";
  const int status = run_command(cli.parsed(), prefix);
  // A rank that failed ends the job: the others may be waiting for it in a collective.
  if (several && status != 0) comm.abort(status);
  return status;
}
