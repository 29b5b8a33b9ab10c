// The subcommands of the tapegrad CLI: each registers its flags on the parser and returns the code to exit with.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace tapegrad::cli {

using Command = std::function<int()>;

// `tapegrad demo`: records a small recurrent graph, runs backward, prints the tape and checks the gradients.
Command add_demo_command(CLI::App& app);
// `tapegrad graph`: draws the tape of a tiny model (MLP, unrolled RNN/LSTM/GRU) as SVG/PNG/PDF/DOT.
Command add_graph_command(CLI::App& app);

}  // namespace tapegrad::cli
