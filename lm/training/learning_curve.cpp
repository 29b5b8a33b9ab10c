// The learning curve as CSV (exact or rounded), read back, and plotted.
#include "lm/training/learning_curve.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "lm/report/svg_plot.hpp"
#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"  // write_text_file (atomic: a reader never sees half a file)

namespace tapegrad::lm {

std::string curve_csv(const std::vector<CurvePoint>& curve, bool exact) {
  std::ostringstream csv;
  csv << "epoch,lr,train_loss,train_ppl,valid_loss,valid_ppl,seconds,tokens_per_second\n";
  char line[512];
  for (const CurvePoint& p : curve) {
    if (exact)  // every double round-trips (checkpoints: a resumed run reports the same history)
      std::snprintf(line, sizeof line, "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", p.epoch, p.lr, p.train_loss,
                    std::exp(p.train_loss), p.valid_loss, std::exp(p.valid_loss), p.seconds, p.tokens_per_second);
    else
      std::snprintf(line, sizeof line, "%.4f,%.9g,%.6f,%.4f,%.6f,%.4f,%.2f,%.1f\n", p.epoch, p.lr, p.train_loss,
                    std::exp(p.train_loss), p.valid_loss, std::exp(p.valid_loss), p.seconds, p.tokens_per_second);
    csv << line;
  }
  return csv.str();
}

std::vector<CurvePoint> parse_curve_csv(const std::string& text, const std::string& source) {
  std::vector<CurvePoint> curve;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  for (int number = 2; std::getline(in, line); ++number) {
    CurvePoint p;
    double train_ppl = 0, valid_ppl = 0;
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &p.epoch, &p.lr, &p.train_loss, &train_ppl,
                    &p.valid_loss, &valid_ppl, &p.seconds, &p.tokens_per_second) != 8)
      throw FormatError(source + ": learning curve line " + std::to_string(number) + " is malformed");
    curve.push_back(p);
  }
  return curve;
}

void write_curve_files(const std::vector<CurvePoint>& curve, const std::string& title, const std::string& csv_path,
                       const std::string& svg_path) {
  write_text_file(csv_path, curve_csv(curve));
  PlotSeries train{"train", {}, {}, "#1f77b4", false}, valid{"valid", {}, {}, "#d62728", false};
  for (const CurvePoint& p : curve) {
    train.x.push_back(p.epoch);
    train.y.push_back(std::exp(p.train_loss));
    valid.x.push_back(p.epoch);
    valid.y.push_back(std::exp(p.valid_loss));
  }
  PlotOptions po;
  po.title = title;
  po.x_label = "epoch";
  po.y_label = "perplexity";
  po.log_y = true;
  write_text_file(svg_path, svg_line_plot({train, valid}, po));
}

}  // namespace tapegrad::lm
