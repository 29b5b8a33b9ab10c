// tapegrad: the command-line entry point. Parses the command line (apps/command_line.hpp: snake_case flags, "did you
// mean") with the parser of apps/commands.cpp and runs one subcommand; a user's mistake — a bad flag (refused while
// parsing, before any work: apps/flag_checks.hpp), a library error, a file-system error — is a message on stderr and
// exit status 2; anything else exits 3.
#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "apps/command_line.hpp"
#include "apps/commands.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  tapegrad::cli::Cli cli = tapegrad::cli::make_cli();  // every subcommand (apps/commands.cpp)
  try {
    tapegrad::cli::parse_command_line(*cli.app, std::vector<std::string>(argv, argv + argc));
  } catch (const CLI::ParseError& e) {
    const int status = cli.app->exit(e);  // prints the help, the version or the message naming the flag
    return status == 0 ? 0 : 2;
  }
  try {
    if (const tapegrad::cli::Command run = cli.parsed()) return run();
  } catch (const tapegrad::Error& e) {
    std::cerr << "tapegrad: error: " << e.what() << '\n';
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // Name the path(s) and the system's reason, as a library error would.
    std::cerr << "tapegrad: error: " << describe(e) << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tapegrad: unexpected error: " << e.what() << '\n';
    return 3;
  }
  return 1;
}
