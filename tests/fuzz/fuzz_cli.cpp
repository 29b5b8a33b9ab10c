// libFuzzer target: the tapegrad CLI's argument layer. The input is a command line, arguments separated by NUL
// bytes; it is parsed by the same parser apps/main.cpp builds (every subcommand's flags and their CLI11 checks), in
// process. Only parsing is fuzzed, not running the command: a command trains models and writes files, which would
// make every input take seconds and litter the disk (docs/fuzzing.md). A parse error (CLI::ParseError, --help and
// --version included) and tapegrad's own errors are clean rejections; anything else crashes.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "ops/error.hpp"

namespace {

// The subcommands apps/main.cpp registers, in its order. The returned commands own the variables the flags are parsed
// into, so they must outlive the parse.
std::vector<tapegrad::cli::Command> add_commands(CLI::App& app) {
  using Adder = tapegrad::cli::Command (*)(CLI::App&);
  const Adder adders[] = {
      tapegrad::cli::add_demo_command,    tapegrad::cli::add_data_command,     tapegrad::cli::add_ngram_command,
      tapegrad::cli::add_graph_command,   tapegrad::cli::add_train_command,    tapegrad::cli::add_eval_command,
      tapegrad::cli::add_generate_command, tapegrad::cli::add_predict_command, tapegrad::cli::add_score_command,
      tapegrad::cli::add_gradflow_command, tapegrad::cli::add_tag_command,     tapegrad::cli::add_classify_command,
      tapegrad::cli::add_train_conditioned_command, tapegrad::cli::add_inspect_command};
  std::vector<tapegrad::cli::Command> commands;
  for (Adder add : adders) commands.push_back(add(app));
  return commands;
}

}  // namespace

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

  CLI::App app{"tapegrad"};
  app.set_version_flag("--version", std::string("tapegrad"));
  app.require_subcommand(1);
  const std::vector<tapegrad::cli::Command> commands = add_commands(app);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
    // Rejected (or --help / --version): what main() prints and exits with.
  } catch (const tapegrad::Error&) {
    // A validator that throws tapegrad's own error: a clean rejection too.
  }
  return 0;
}
