// tapegrad: the command-line entry point. Dispatches to one subcommand; a user's mistake — a bad flag (refused while
// parsing, before any work: apps/flag_checks.hpp), a library error, a file-system error — is a message on stderr and
// exit status 2; anything else exits 3.
#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

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
  // Named, so usage lines read "tapegrad …" however the binary was started (docs quote --help verbatim).
  CLI::App app{"tapegrad: a tape-based autodiff framework and language-modelling toolkit", "tapegrad"};
  app.set_version_flag("--version", std::string("tapegrad 0.1.0"));
  app.require_subcommand(1);

  // Each entry registers one subcommand; the command to run is the one the parser saw.
  using Adder = tapegrad::cli::Command (*)(CLI::App&);
  const Adder adders[] = {
      tapegrad::cli::add_demo_command,     tapegrad::cli::add_data_command,    tapegrad::cli::add_ngram_command,
      tapegrad::cli::add_graph_command,    tapegrad::cli::add_train_command,   tapegrad::cli::add_eval_command,
      tapegrad::cli::add_generate_command, tapegrad::cli::add_predict_command, tapegrad::cli::add_score_command, tapegrad::cli::add_gradflow_command,
      tapegrad::cli::add_tag_command, tapegrad::cli::add_classify_command,
      tapegrad::cli::add_train_conditioned_command, tapegrad::cli::add_inspect_command};
  std::vector<std::pair<CLI::App*, tapegrad::cli::Command>> commands;
  for (Adder add : adders) {
    const std::size_t before = app.get_subcommands({}).size();
    tapegrad::cli::Command run = add(app);
    commands.emplace_back(app.get_subcommands({})[before], std::move(run));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);  // prints the help, the version or the message naming the flag
    return status == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return run();
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
