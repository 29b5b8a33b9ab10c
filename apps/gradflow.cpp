// `tapegrad gradflow`: measures how far back through time the gradient of a loss reaches in recurrent language
// models — ‖∂J_T/∂h_k‖ for every k ≤ T (lm/neural/gradflow.hpp) — at initialisation and, given checkpoints, after
// training; prints how many steps back it stays above 1% and 0.01% of its value at the last step, and writes a CSV
// and an SVG plot (log scale, one line per model and state).
//   tapegrad gradflow --model rnn,lstm,gru --steps 100 --data data/tinyshakespeare.txt --level char -o out/gradflow
//   tapegrad gradflow --checkpoint out/rnn.safetensors --checkpoint out/lstm.safetensors --data … -o out/gradflow
#include "lm/neural/gradflow.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/report/svg_plot.hpp"
#include "lm/text/dataset.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"
#include "ops/parallel.hpp"
#include "ops/text.hpp"

namespace tapegrad::cli {

namespace {

struct GradflowOptions {
  std::string models = "rnn,lstm,gru";
  std::vector<std::string> checkpoints;
  std::string data, level = "char", output = "out/gradflow";
  index_t emsize = 64, nhid = 128, nlayers = 1;
  lm::GradientFlowOptions flow;
  std::uint64_t init_seed = 1;
  int threads = 0;
  bool json = false;  // stdout: one JSON object per model, then one naming the files
};

struct Curve {
  std::string name;  // "lstm (init)", "lstm (trained)"
  lm::GradientFlow flow;
};

// -o is a folder (created if missing) or an .svg file (its folder too): why it cannot be written, or "".
std::string output_problem(const std::string& output) {
  return std::filesystem::path(output).extension() == ".svg" ? flag::output_file_problem(output, true)
                                                             : flag::output_folder_problem(output);
}

int run_gradflow(const GradflowOptions& o) {
  // The default -o is checked here, before any model is measured (a given -o was checked while parsing).
  if (const std::string why = output_problem(o.output); !why.empty()) throw UsageError("-o: " + why);
  if (o.threads > 0) ops::set_num_threads(o.threads);
  std::vector<Curve> curves;
  const auto measure = [&](const std::string& name, lm::LanguageModel& model, const std::vector<std::int32_t>& stream) {
    std::cerr << "gradflow: " << name << " — " << model.config().describe() << "\n";
    curves.push_back({name, lm::gradient_flow(model, stream, o.flow)});
  };
  if (!o.checkpoints.empty()) {
    for (const std::string& path : o.checkpoints) {
      lm::SavedModel saved = lm::SavedModel::load(path);
      // the text encoded with the checkpoint's own vocabulary and level
      const lm::TokenCorpus corpus = saved.level == lm::TokenLevel::Word ? lm::TokenCorpus::read_words(o.data)
                                                                         : lm::TokenCorpus::read_chars(o.data);
      const std::vector<std::int32_t> stream = lm::to_stream(saved.vocab.encode(corpus));
      const std::string kind = lm::model_kind_name(saved.config.kind);
      Rng init(o.init_seed);
      lm::LanguageModel fresh(saved.config, init);
      measure(kind + " (init)", fresh, stream);
      measure(kind + " (trained)", *saved.model, stream);
    }
  } else {
    const lm::LmDataset data = lm::LmDataset::load(o.data, {lm::parse_level(o.level), 1});
    for (const std::string& name : split_list(o.models)) {
      lm::ModelConfig c;
      c.kind = lm::parse_model_kind(name);
      if (!c.recurrent()) throw UsageError("gradflow: --model " + name + " has no hidden state (use rnn, lstm or gru)");
      c.vocab = static_cast<index_t>(data.vocab.size()), c.emsize = o.emsize, c.nhid = o.nhid, c.nlayers = o.nlayers;
      Rng init(o.init_seed);
      lm::LanguageModel model(c, init);
      measure(name + " (init)", model, data.valid);
    }
  }

  // -o: a folder (gradflow.csv and gradflow.svg inside) or an .svg file (its CSV beside it: same name, .csv)
  const std::filesystem::path out(o.output);
  const bool one_file = out.extension() == ".svg";
  const std::string svg_path = one_file ? out.string() : (out / "gradflow.svg").string();
  const std::string csv_path =
      one_file ? std::filesystem::path(out).replace_extension(".csv").string() : (out / "gradflow.csv").string();
  if (const std::filesystem::path dir = one_file ? out.parent_path() : out; !dir.empty())
    std::filesystem::create_directories(dir);
  std::ostringstream csv;
  csv << "model,steps_back,gradient_norm,relative\n";
  std::vector<lm::PlotSeries> series;
  const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c"};
  if (!o.json)
    std::printf("%-18s %12s %12s %12s %12s %10s %10s\n", "model", "‖∂J/∂h_T‖", "10 back", "50 back", "last",
                "reach 1%", "reach 1e-4");
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const Curve& c = curves[i];
    const std::vector<double>& n = c.flow.norms;
    lm::PlotSeries s{c.name,
                     {},
                     {},
                     colors[(i / (o.checkpoints.empty() ? 1 : 2)) % 3],
                     c.name.find("(init)") != std::string::npos && !o.checkpoints.empty()};
    for (std::size_t d = 0; d < n.size(); ++d) {
      csv << c.name << ',' << d << ',' << n[d] << ',' << n[d] / n[0] << '\n';
      s.x.push_back(static_cast<double>(d));
      s.y.push_back(n[d] / n[0]);
    }
    series.push_back(std::move(s));
    const auto at = [&](std::size_t d) { return d < n.size() ? n[d] : NAN; };
    if (o.json) {  // {"type":"model","model":"lstm (init)","norm_last":…,"norms":[…],"reach_1e-2":…,"reach_1e-4":…}
      std::cout << nlohmann::json{{"type", "model"},
                                  {"model", c.name},
                                  {"steps", o.flow.steps},
                                  {"norm_last", n[0]},
                                  {"norm_10_back", at(10)},
                                  {"norm_50_back", at(50)},
                                  {"norm_first", n.back()},
                                  {"reach_1e-2", c.flow.reach(1e-2)},
                                  {"reach_1e-4", c.flow.reach(1e-4)},
                                  {"norms", n}}
                       .dump()
                << std::endl;
      continue;
    }
    std::printf("%-18s %12.4g %12.4g %12.4g %12.4g %10lld %10lld\n", c.name.c_str(), n[0], at(10), at(50), n.back(),
                static_cast<long long>(c.flow.reach(1e-2)), static_cast<long long>(c.flow.reach(1e-4)));
  }
  lm::write_text_file(csv_path, csv.str());
  lm::PlotOptions po;
  po.title = "gradient reaching h_{T−d}: ‖∂J_T/∂h_{T−d}‖ / ‖∂J_T/∂h_T‖, T = " + std::to_string(o.flow.steps);
  po.x_label = "steps back d";
  po.y_label = "relative gradient norm";
  po.log_y = true;
  po.width = 820;
  lm::write_text_file(svg_path, lm::svg_line_plot(series, po));
  if (o.json)
    std::cout << nlohmann::json{{"type", "files"}, {"csv", csv_path}, {"svg", svg_path}}.dump() << std::endl;
  else
    std::cout << "reach: steps back until the norm falls below 1% (1e-4) of its value at the last step\n"
              << "wrote " << csv_path << " and " << svg_path << "\n";
  return 0;
}

}  // namespace

Command add_gradflow_command(CLI::App& app) {
  auto o = std::make_shared<GradflowOptions>();
  CLI::App* sub = app.add_subcommand("gradflow", "how far back through time the gradient reaches in RNN/LSTM/GRU LMs");
  sub->add_option("--model", o->models, "models at initialisation (comma list of rnn, lstm, gru)")
      ->capture_default_str();
  sub->add_option("--checkpoint", o->checkpoints,
                  "trained models (repeatable): each measured as trained and at initialisation");
  sub->add_option("--data", o->data,
                  "text the windows are taken from: a file (with --checkpoint, encoded with the checkpoint's "
                  "vocabulary), or for models at initialisation a file or data folder (its validation split)")
      ->required();
  sub->add_option("--level", o->level, "word | char (models at initialisation)")->capture_default_str();
  sub->add_option("--emsize", o->emsize, "embedding size (models at initialisation)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxWidth));
  sub->add_option("--nhid", o->nhid, "hidden units (models at initialisation)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxWidth));
  sub->add_option("--nlayers", o->nlayers, "layers (models at initialisation)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxLayers));
  sub->add_option("--steps", o->flow.steps, "T: the loss is at step T, gradients measured at every k ≤ T")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxSteps));
  sub->add_option("--batch", o->flow.batch, "windows averaged over")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxBatch));
  sub->add_option("--seed", o->flow.seed, "seed of the window positions")->capture_default_str();
  sub->add_option("--init-seed", o->init_seed, "seed of the initial weights")->capture_default_str();
  sub->add_option("--threads", o->threads, "kernel threads (0: the cores not busy with other processes)")->check(flag::threads());
  sub->add_option("-o,--output", o->output,
                  "a folder for gradflow.csv and gradflow.svg, or a file NAME.svg (with NAME.csv beside it)")
      ->capture_default_str()
      ->check(CLI::Validator(output_problem, "writable", "OUTPUT"));
  sub->add_flag("--json", o->json,
                "stdout: one JSON object per model (norms, reach) and one naming the files written, nothing else");
  return [o] { return run_gradflow(*o); };
}

}  // namespace tapegrad::cli
