// The SVG line plot: y tick labels on a log scale stay few and readable whatever the range the data span.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "lm/report/svg_plot.hpp"

using namespace tapegrad::lm;

namespace {

// The y-axis tick labels of a log-scale plot of one series falling from 1 to `lowest`.
std::vector<std::string> log_y_labels(double lowest) {
  PlotSeries s{"s", {0, 1}, {1.0, lowest}, "", false};
  PlotOptions o;
  o.log_y = true;
  const std::string svg = svg_line_plot({s}, o);
  std::vector<std::string> labels;
  const std::string marker = "text-anchor=\"end\">";  // y labels are right-aligned against the axis
  for (std::size_t at = svg.find(marker); at != std::string::npos; at = svg.find(marker, at + 1)) {
    const std::size_t begin = at + marker.size();
    labels.push_back(svg.substr(begin, svg.find('<', begin) - begin));
  }
  return labels;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(svg_plot)

BOOST_AUTO_TEST_CASE(log_ticks_use_1_2_5_over_a_few_decades) {
  const std::vector<std::string> labels = log_y_labels(0.01);  // 2 decades (plus padding)
  BOOST_TEST(labels.size() >= 6u);
  BOOST_TEST((std::find(labels.begin(), labels.end(), "0.2") != labels.end()));
  BOOST_TEST((std::find(labels.begin(), labels.end(), "0.05") != labels.end()));
}

BOOST_AUTO_TEST_CASE(log_ticks_stay_few_over_many_decades) {
  const std::vector<std::string> labels = log_y_labels(1e-12);  // 12 decades: powers of ten only, at most ~10
  BOOST_TEST(labels.size() >= 4u);
  BOOST_TEST(labels.size() <= 11u);
  for (const std::string& l : labels) {  // 1, 0.01, 1e-06, …
    const double e = std::log10(std::stod(l));
    BOOST_TEST(std::fabs(e - std::round(e)) < 1e-9, l << " is not a power of ten");
  }
}

BOOST_AUTO_TEST_SUITE_END()
