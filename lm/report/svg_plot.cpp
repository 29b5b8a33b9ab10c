// svg_line_plot: data ranges, "nice" tick values, and the SVG elements.
#include "lm/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "ops/text.hpp"

namespace tapegrad::lm {

namespace {

const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

std::string num(double v, int digits = 4) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Tick values covering [lo, hi] at a step of 1, 2 or 5 times a power of ten (about `count` ticks).
std::vector<double> linear_ticks(double lo, double hi, int count) {
  const double raw = (hi - lo) / std::max(count, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

}  // namespace

std::string svg_line_plot(const std::vector<PlotSeries>& series, const PlotOptions& o) {
  const auto usable = [&](double x, double y) { return std::isfinite(x) && std::isfinite(y) && (!o.log_y || y > 0); };
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const PlotSeries& s : series)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], s.y[i])) {
        const double y = o.log_y ? std::log10(s.y[i]) : s.y[i];
        x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]), y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // no data: an empty frame
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  const double pad = (y1 - y0) * 0.05;
  y0 -= pad, y1 += pad;
  if (!o.log_y && y0 < 0 && y1 - pad >= 0 && y0 + pad >= 0) y0 = 0;

  const double left = 78, right = 180, top = 44, bottom = 56;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  const auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  const auto py = [&](double y) { return top + ph - ((o.log_y ? std::log10(y) : y) - y0) / (y1 - y0) * ph; };

  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << o.width << "\" height=\"" << o.height
      << "\" viewBox=\"0 0 " << o.width << ' ' << o.height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << o.width / 2 << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" << xml_escape(o.title)
      << "</text>\n";
  // grid and ticks
  for (double t : linear_ticks(x0, x1, 8)) {
    svg << "<line x1=\"" << num(px(t), 6) << "\" y1=\"" << top << "\" x2=\"" << num(px(t), 6) << "\" y2=\"" << top + ph
        << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << num(px(t), 6) << "\" y=\"" << top + ph + 16
        << "\" text-anchor=\"middle\">" << num(t) << "</text>\n";
  }
  std::vector<double> yticks;
  if (o.log_y) {
    // 1, 2 and 5 × each power of ten over up to 3 decades; over more, every k-th power of ten alone (≤ ~10 ticks)
    const double decades = y1 - y0;
    const double stride = decades <= 3 ? 1 : std::max(1.0, std::ceil(decades / 10));
    const std::vector<double> mantissas = decades <= 3 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
    for (double e = std::floor(y0 / stride) * stride; e <= std::ceil(y1); e += stride)
      for (double m : mantissas) {
        const double v = m * std::pow(10.0, e);
        if (std::log10(v) >= y0 && std::log10(v) <= y1) yticks.push_back(v);
      }
  } else {
    yticks = linear_ticks(y0, y1, 6);
  }
  for (double t : yticks) {
    svg << "<line x1=\"" << left << "\" y1=\"" << num(py(t), 6) << "\" x2=\"" << left + pw << "\" y2=\""
        << num(py(t), 6) << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << left - 6 << "\" y=\"" << num(py(t) + 4, 6)
        << "\" text-anchor=\"end\">" << num(t) << "</text>\n";
  }
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"#333\"/>\n"
      << "<text x=\"" << left + pw / 2 << "\" y=\"" << o.height - 14 << "\" text-anchor=\"middle\">"
      << xml_escape(o.x_label) << "</text>\n"
      << "<text transform=\"translate(18," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << xml_escape(o.y_label) << (o.log_y ? " (log scale)" : "") << "</text>\n";
  // series
  for (std::size_t k = 0; k < series.size(); ++k) {
    const PlotSeries& s = series[k];
    const std::string color = s.color.empty() ? kPalette[k % std::size(kPalette)] : s.color;
    std::string points;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
      if (usable(s.x[i], s.y[i])) points += num(px(s.x[i]), 6) + "," + num(py(s.y[i]), 6) + " ";
    svg << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\""
        << (s.dashed ? " stroke-dasharray=\"6,4\"" : "") << " points=\"" << points << "\"/>\n";
    if (s.x.size() <= 60)
      for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        if (usable(s.x[i], s.y[i]))
          svg << "<circle cx=\"" << num(px(s.x[i]), 6) << "\" cy=\"" << num(py(s.y[i]), 6) << "\" r=\"3\" fill=\""
              << color << "\"/>\n";
    const double ly = top + 12 + 20.0 * static_cast<double>(k);
    svg << "<line x1=\"" << left + pw + 14 << "\" y1=\"" << ly << "\" x2=\"" << left + pw + 40 << "\" y2=\"" << ly
        << "\" stroke=\"" << color << "\" stroke-width=\"2\"" << (s.dashed ? " stroke-dasharray=\"6,4\"" : "")
        << "/>\n<text x=\"" << left + pw + 46 << "\" y=\"" << ly + 4 << "\">" << xml_escape(s.name) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace tapegrad::lm
