// tapegrad: the command-line entry point. Dispatches to one subcommand; library errors become a message on stderr
// and a non-zero exit.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "ops/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tapegrad: a tape-based autodiff framework and language-modelling toolkit"};
  app.set_version_flag("--version", std::string("tapegrad 0.1.0"));
  app.require_subcommand(1);

  std::vector<std::pair<CLI::App*, tapegrad::cli::Command>> commands;
  const std::size_t before = app.get_subcommands({}).size();
  tapegrad::cli::Command demo = tapegrad::cli::add_demo_command(app);
  commands.emplace_back(app.get_subcommands({})[before], demo);
  tapegrad::cli::Command graph = tapegrad::cli::add_graph_command(app);
  commands.emplace_back(app.get_subcommands({}).back(), graph);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, run] : commands)
      if (sub->parsed()) return run();
  } catch (const tapegrad::Error& e) {
    std::cerr << "tapegrad: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tapegrad: unexpected error: " << e.what() << '\n';
    return 3;
  }
  return 1;
}
