// The look of the tape diagrams (dot.cpp): colours by role, the heat scale, the legend, and DOT escaping. Kept apart
// from the graph-building code so the palette can be read (and changed) in one place.
#pragma once

#include <string>
#include <string_view>

namespace tapegrad::autograd::dot_style {

enum class Role { Parameter, Constant, Interior, Output };

const char* fill(Role role);                               // fill colour of a record of this role
const char* role_name(Role role);                          // as the legend says it
inline constexpr const char* kGradColor = "#d95f02";       // outline of nodes with a gradient, and gradient-flow edges
inline constexpr const char* kEdgeColor = "#606060";       // forward data flow
inline constexpr const char* kParamEdgeColor = "#c9a227";  // data flow out of a parameter (shared weights)
inline constexpr const char* kNoGradFill = "#ffffff";      // heat: a node without gradient
inline constexpr const char* kZeroGradFill = "#c6dbef";    // heat: a gradient that is exactly zero
inline constexpr int kHeatClasses = 9;                     // Graphviz's built-in "ylorrd9" colour scheme, 1 … 9

// Heat class (1 … kHeatClasses) of log₁₀‖g‖ = x on the scale [lo, hi] (all classes equal when lo == hi).
int heat_class(double x, double lo, double hi);
// The log₁₀‖g‖ at the middle of a heat class.
double heat_class_center(int heat_class, double lo, double hi);

// Text made safe inside a record label (escapes \ { } | < > ") / a quoted DOT string. (Inside an HTML-like label:
// xml_escape, ops/text.hpp.)
std::string record_escape(std::string_view s);
std::string quote(std::string_view s);

// The legend: one node (kDotLegendNode) whose label is an HTML table. heat: the heat scale over [lo, hi] instead of
// the roles; grad_flow: a row explaining the dashed edges.
std::string legend(bool heat, double lo, double hi, bool grad_flow);

}  // namespace tapegrad::autograd::dot_style
