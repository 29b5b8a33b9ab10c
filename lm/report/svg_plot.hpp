// A small SVG line plot, written without any plotting library: axes with ticks, one polyline (with point markers)
// per series, a legend, optional log-scale y. Used for learning curves and gradient-flow figures.
#pragma once

#include <string>
#include <vector>

namespace tapegrad::lm {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;  // equal lengths; non-finite or (log scale) non-positive points are skipped
  std::string color;         // CSS colour; empty picks from a palette
  bool dashed = false;
};

struct PlotOptions {
  std::string title, x_label, y_label;
  bool log_y = false;
  int width = 760, height = 460;
};

// The plot as a standalone SVG document (deterministic: the same data give the same text).
std::string svg_line_plot(const std::vector<PlotSeries>& series, const PlotOptions& options);

}  // namespace tapegrad::lm
