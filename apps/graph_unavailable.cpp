// `tapegrad graph` in a build without diagrams (configured with -DTAPEGRAD_DIAGRAMS=OFF): the command exists, so
// scripts and help text stay the same, and says how to get the real one.
#include <CLI/CLI.hpp>

#include "apps/commands.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

Command add_graph_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("graph", "Draw a tape as a diagram (not in this build: it has no Graphviz)");
  cmd->allow_extras();
  return []() -> int {
    throw Error(
        "graph: this tapegrad was built without diagrams (TAPEGRAD_DIAGRAMS=OFF); install libgraphviz-dev and "
        "graphviz and configure with -DTAPEGRAD_DIAGRAMS=ON");
  };
}

}  // namespace tapegrad::cli
