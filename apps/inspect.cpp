// `tapegrad inspect`: what a trained neural sentence classifier (`tapegrad classify train --model bilstm --save
// FILE.safetensors`) does inside (lm/classify/inspect.hpp).
//   inspect --checkpoint M --sentence "the film is not good" [-o out.svg] [--json]
//            per token and direction of the first LSTM (GRU) layer: the gate means, ‖c_t‖, ‖h_t‖ and P(class | the
//            sentence cut after the token) as a table on stdout; the same with every unit's gates as an SVG heat map
//   inspect negation --checkpoint M [--data DIR] [--part test|valid] [--seed S] [--examples N] [--json]
//            the negation study on the MR fixed split's test part (fold 0): negators removed vs a random-token control
#include <filesystem>
#include <iostream>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/classify/inspect.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"

namespace tapegrad::cli {

namespace {

struct InspectFlags {
  std::string checkpoint, output, data, part = "test";
  std::vector<std::string> sentence;
  bool json = false, absolute = false;
  std::uint64_t seed = 1;
  std::size_t examples = 3;
};

const char* const kHowToTrain = "`tapegrad classify train --model bilstm --save FILE.safetensors`";

std::unique_ptr<lm::NeuralClassifier> load_classifier(const std::string& path) {
  if (path.empty()) throw UsageError("inspect: give --checkpoint FILE, a classifier saved by " + std::string(kHowToTrain));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw lm::IoError(lm::where(path) + "no such file");
  try {
    return lm::NeuralClassifier::load(path);
  } catch (const Error& e) {
    throw lm::FormatError(std::string(e.what()) + " (inspect reads a neural classifier saved by " + kHowToTrain + ")");
  }
}

int run_sentence(const InspectFlags& f) {
  std::string text;
  for (const std::string& s : f.sentence) text += (text.empty() ? "" : " ") + s;
  const std::vector<std::string> tokens = lm::split_on_space(text);
  if (tokens.empty()) throw UsageError("inspect: give a sentence with --sentence \"…\" (tokens separated by spaces)");
  const auto model = load_classifier(f.checkpoint);
  const lm::SentenceTrace trace = lm::inspect_sentence(*model, tokens);
  if (!f.output.empty()) lm::write_text_file(f.output, lm::trace_svg(trace, {.absolute = f.absolute}));
  if (f.json) {
    std::cout << lm::trace_json(trace) << '\n';
    return 0;
  }
  std::cout << lm::trace_table(trace);
  if (!f.output.empty()) std::cout << "wrote " << f.output << '\n';
  return 0;
}

int run_negation(const InspectFlags& f) {
  if (f.part != "test" && f.part != "valid")
    throw UsageError("--part '" + f.part + "': expected test (fold 0) or valid (fold 1)");
  const auto model = load_classifier(f.checkpoint);
  std::string folder = f.data, how = "--data";
  if (folder.empty()) {
    const char* env = std::getenv("TAPEGRAD_DATA");
    folder = env && *env ? (std::filesystem::path(env) / "mr").string() : "data/mr";
    how = env && *env ? "the default, $TAPEGRAD_DATA/mr" : "the default when TAPEGRAD_DATA is not set";
  }
  if (!lm::is_mr_folder(folder))
    throw lm::IoError(lm::where(folder) + "holds no rt-polarity.neg and rt-polarity.pos (" + how +
                      "; the negation study reads the MR test sentences)");
  const lm::FixedSplit split = lm::fixed_split(lm::read_mr(folder));
  lm::LabelledCorpus part = f.part == "test" ? split.test : split.valid;
  part.source = folder + " (" + f.part + ": fold " + (f.part == "test" ? "0" : "1") + ")";
  const lm::NegationStudy study = lm::negation_study(*model, part, f.seed, f.examples);
  std::cout << (f.json ? lm::negation_json(study) + "\n" : lm::negation_report(study));
  return 0;
}

}  // namespace

Command add_inspect_command(CLI::App& app) {
  auto f = std::make_shared<InspectFlags>();
  CLI::App* inspect = app.add_subcommand(
      "inspect", "look inside a trained neural sentence classifier: gates, state norms and prefix probabilities per "
                 "token (table, SVG heat map), or the negation study (`inspect negation`)");
  inspect->require_subcommand(0, 1);
  const std::string checkpoint_help = "a neural classifier saved by " + std::string(kHowToTrain);
  inspect->add_option("--checkpoint", f->checkpoint, checkpoint_help);
  inspect->add_option("--sentence", f->sentence,
                      "the sentence: tokens separated by spaces, quoted or as several words (MR is lower-cased and "
                      "writes contractions as one token: isn't, not is n't)");
  inspect->add_option("-o,--output", f->output, "write the heat-map figure to this SVG file")
      ->check(flag::output_file());
  inspect->add_flag("--absolute", f->absolute,
                    "per-unit maps on the 0-1 activation scale (default: each unit's deviation from its mean over the "
                    "sentence, on a diverging scale)");
  inspect->add_flag("--json", f->json, "the whole trace (every unit's gates) as JSON on stdout");

  CLI::App* negation = inspect->add_subcommand(
      "negation", "remove the negator (\"not\", \"n't\", a contraction) from each MR test sentence holding one: how "
                  "often does the prediction flip, against removing random other tokens; gates at the negators");
  negation->add_option("--checkpoint", f->checkpoint, checkpoint_help)->required();
  negation->add_option("--data", f->data,
                       "a folder holding rt-polarity.neg and rt-polarity.pos (default: $TAPEGRAD_DATA/mr, else data/mr)");
  negation->add_option("--part", f->part, "the fixed split's test (fold 0) or valid (fold 1) part")->capture_default_str();
  negation->add_option("--seed", f->seed, "seed of the control's random token choice")->capture_default_str();
  negation->add_option("--examples", f->examples, "show the gates around the negator for this many sentences")
      ->capture_default_str()
      ->check(flag::whole(0, flag::kMaxCount));
  negation->add_flag("--json", f->json, "the results as JSON on stdout");

  return [f, negation] { return negation->parsed() ? run_negation(*f) : run_sentence(*f); };
}

}  // namespace tapegrad::cli
