// The list of tapegrad's subcommands, in one place: make_cli() registers them all on a fresh root parser.
#include "apps/commands.hpp"

#include "nn/distributed/communicator.hpp"

#include <string>

namespace tapegrad::cli {

Cli make_cli() {
  Cli cli;
  // Named, so usage lines read "tapegrad …" however the binary was started (docs quote --help verbatim).
  cli.app = std::make_unique<CLI::App>("tapegrad: a tape-based autodiff framework and language-modelling toolkit",
                                       "tapegrad");
  CLI::App& app = *cli.app;
  app.set_version_flag("--version", std::string("tapegrad 0.1.0"));
  app.require_subcommand(1);

  // Each entry registers one subcommand; the command to run is the one the parser saw.
  using Adder = Command (*)(CLI::App&);
  const Adder adders[] = {add_demo_command,     add_data_command,    add_ngram_command,   add_graph_command,
                          add_train_command,    add_eval_command,    add_generate_command, add_predict_command,
                          add_score_command,    add_gradflow_command, add_tag_command,     add_classify_command,
                          add_train_conditioned_command, add_inspect_command, add_cpu_command};
  for (Adder add : adders) {
    const std::size_t before = app.get_subcommands({}).size();
    Command run = add(app);
    cli.commands.emplace_back(app.get_subcommands({})[before], std::move(run));
  }
  return cli;
}

namespace {
nn::Communicator* current_communicator = nullptr;
}  // namespace

nn::Communicator& communicator() {
  return current_communicator != nullptr ? *current_communicator : nn::solo_communicator();
}
void set_communicator(nn::Communicator& communicator) { current_communicator = &communicator; }

bool runs_on_several_ranks(const CLI::App& root) {
  for (const CLI::App* sub : root.get_subcommands()) {
    if (sub->get_name() == "train") return true;
    if (sub->get_name() == "ngram")
      for (const CLI::App* action : sub->get_subcommands())
        if (action->get_name() == "train") return true;
  }
  return false;
}

Command Cli::parsed() const {
  for (const auto& [sub, run] : commands)
    if (sub->parsed()) return run;
  return {};
}

}  // namespace tapegrad::cli
