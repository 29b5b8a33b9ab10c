// The subcommands of the tapegrad CLI: each registers its flags on the parser and returns the code to exit with.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace tapegrad::nn {
class Communicator;
}

namespace tapegrad::cli {

// The processes this run is one of (nn/distributed/world.hpp): set by main() before any command runs; a single
// process until then, and in programs that never set it (the CLI fuzz target).
nn::Communicator& communicator();
void set_communicator(nn::Communicator& communicator);
// The subcommands that run on several ranks (`train`, `ngram train`); main() refuses the others under mpirun.
bool runs_on_several_ranks(const CLI::App& root);

using Command = std::function<int()>;

// The whole command line of `tapegrad`: the root parser (its name, --version, one subcommand required) with every
// subcommand registered, each beside the code that runs it. apps/main.cpp parses with it; so does the CLI fuzz
// target (tests/fuzz/fuzz_cli.cpp), so both see the same flags. The Commands own the variables the flags are parsed
// into: keep the struct alive until the command has run.
struct Cli {
  std::unique_ptr<CLI::App> app;
  std::vector<std::pair<CLI::App*, Command>> commands;  // in registration order (the order of --help)

  // The code of the subcommand the parser saw (an empty Command when none was parsed).
  Command parsed() const;
};
Cli make_cli();

// `tapegrad demo`: records a small recurrent graph, runs backward, prints the tape and checks the gradients.
Command add_demo_command(CLI::App& app);
// `tapegrad graph`: draws the tape of a tiny model (MLP, unrolled RNN/LSTM/GRU) as SVG/PNG/PDF/DOT.
Command add_graph_command(CLI::App& app);

// `tapegrad data brown`: reads the Brown corpus (folder or .tgz), splits it by the protocol and writes the splits.
Command add_data_command(CLI::App& app);

// `tapegrad ngram train|eval|score|topk|generate`: n-gram language models (MLE, add-k, Kneser-Ney; ARPA files).
Command add_ngram_command(CLI::App& app);

// `tapegrad tag train|eval|predict`: part-of-speech taggers of the Brown corpus (most frequent tag, trigram HMM).
Command add_tag_command(CLI::App& app);

// `tapegrad train`: trains a neural language model (window, rnn, lstm, gru) with truncated BPTT.
Command add_train_command(CLI::App& app);

// `tapegrad eval | generate | predict | score`: use a neural language model saved by `tapegrad train`.
Command add_eval_command(CLI::App& app);
Command add_generate_command(CLI::App& app);
Command add_predict_command(CLI::App& app);
Command add_score_command(CLI::App& app);

// `tapegrad classify train|eval|predict`: sentence classification (MR polarity): baselines, cross-validation.
Command add_classify_command(CLI::App& app);

// `tapegrad train-conditioned`: trains a class-conditioned language model (MR polarity); `generate --label` uses it.
Command add_train_conditioned_command(CLI::App& app);
// `tapegrad inspect [negation]`: a trained neural classifier's gates, state norms and prefix probabilities per token
// (table, SVG heat map), and the negation study on the MR test sentences.
Command add_inspect_command(CLI::App& app);

// `tapegrad gradflow`: ‖∂J_T/∂h_k‖ through time for RNN/LSTM/GRU language models, at init and after training.
Command add_gradflow_command(CLI::App& app);

// `tapegrad cpu`: the CPU's caches and ISA as detected (or set by TAPEGRAD_CPU_CACHES) and the GEMM blocking derived.
Command add_cpu_command(CLI::App& app);

}  // namespace tapegrad::cli
