// Colours, heat scale, legend and escaping of the tape diagrams.
#include "autograd/viz/dot_style.hpp"

#include <algorithm>
#include <cmath>

#include "autograd/node_stats.hpp"
#include "autograd/viz/dot.hpp"
#include "ops/text.hpp"

namespace tapegrad::autograd::dot_style {

const char* fill(Role role) {
  switch (role) {
    case Role::Parameter:
      return "#fde3a7";  // amber: weights, shared by every step
    case Role::Constant:
      return "#e4e4e4";  // grey: data, no gradient wanted
    case Role::Interior:
      return "#d7e7f7";  // blue: computed values
    case Role::Output:
      return "#f5c6d6";  // pink: what nothing else consumes — the loss
  }
  return "#ffffff";
}

const char* role_name(Role role) {
  switch (role) {
    case Role::Parameter:
      return "parameter";
    case Role::Constant:
      return "input / constant";
    case Role::Interior:
      return "interior value";
    case Role::Output:
      return "loss / output";
  }
  return "?";
}

int heat_class(double x, double lo, double hi) {
  if (!(hi > lo)) return (kHeatClasses + 1) / 2;
  const double u = std::clamp((x - lo) / (hi - lo), 0.0, 1.0);
  return 1 + std::min(kHeatClasses - 1, static_cast<int>(u * kHeatClasses));
}

double heat_class_center(int heat_class, double lo, double hi) {
  return lo + (hi - lo) * (heat_class - 0.5) / kHeatClasses;
}

std::string record_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '{' || c == '}' || c == '|' || c == '<' || c == '>' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

namespace {

std::string row(const std::string& cell_attributes, const std::string& text) {
  return "<TR><TD " + cell_attributes + ">" + text + "</TD></TR>";
}

}  // namespace

std::string legend(bool heat, double lo, double hi, bool grad_flow) {
  std::string rows = row("BORDER=\"0\"", "<B>legend</B>");
  if (heat) {
    rows += row("BORDER=\"0\"", "fill: log‖∂J/∂v‖");
    for (int k = kHeatClasses; k >= 1; k -= 2) {
      const std::string font = k >= kHeatClasses - 1 ? "<FONT COLOR=\"white\">" : "<FONT>";
      rows +=
          row("BGCOLOR=\"/ylorrd9/" + std::to_string(k) + "\"",
              font + "‖∂J/∂v‖ ≈ " + xml_escape(format_stat(std::pow(10.0, heat_class_center(k, lo, hi)))) + "</FONT>");
    }
    rows += row(std::string("BGCOLOR=\"") + kZeroGradFill + "\"", "‖∂J/∂v‖ = 0");
    rows += row(std::string("BGCOLOR=\"") + kNoGradFill + "\"", "no gradient");
  } else {
    for (Role r : {Role::Parameter, Role::Constant, Role::Interior, Role::Output})
      rows += row(std::string("BGCOLOR=\"") + fill(r) + "\"", role_name(r));
    rows += row(std::string("BORDER=\"2\" COLOR=\"") + kGradColor + "\"", "received ∂J/∂v (backward)");
  }
  if (grad_flow)
    rows += row("BORDER=\"0\"", std::string("<FONT COLOR=\"") + kGradColor + "\">- - ▸ gradient flow</FONT>");
  return std::string(kDotLegendNode) +
         " [shape=plain, style=solid, fontsize=10, label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"2\" "
         "CELLPADDING=\"3\">" +
         rows + "</TABLE>>];\n";
}

}  // namespace tapegrad::autograd::dot_style
