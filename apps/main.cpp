// tapegrad: the command-line entry point. Dispatches to one subcommand; library errors become a message on stderr
// and a non-zero exit.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "apps/commands.hpp"
#include "ops/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tapegrad: a tape-based autodiff framework and language-modelling toolkit"};
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
