// libFuzzer target: the tapegrad CLI's argument layer. The input is a command line, arguments separated by NUL
// bytes; it is parsed as apps/main.cpp parses it — the parser of apps/commands.cpp (make_cli: every subcommand's
// flags and their CLI11 checks) read through apps/command_line.hpp (snake_case flags, "did you mean") — in process.
// Only parsing is fuzzed, not running the command: a command trains models and writes files, which would make every
// input take seconds and litter the disk (docs/fuzzing.md). A parse error (CLI::ParseError, --help and
// --version included) and tapegrad's own errors are clean rejections; anything else crashes.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/command_line.hpp"
#include "apps/commands.hpp"
#include "ops/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"tapegrad"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  if (!current.empty()) args.push_back(current);
  if (args.size() > 64) return 0;  // a command line of a few dozen words is plenty

  // The returned commands own the variables the flags are parsed into: cli lives until the parse is over.
  const tapegrad::cli::Cli cli = tapegrad::cli::make_cli();
  try {
    tapegrad::cli::parse_command_line(*cli.app, args);
  } catch (const CLI::ParseError&) {
    // Rejected (or --help / --version): what main() prints and exits with.
  } catch (const tapegrad::Error&) {
    // A validator that throws tapegrad's own error: a clean rejection too.
  }
  return 0;
}
