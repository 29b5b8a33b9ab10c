// Small text helpers every layer shares, kept at the bottom of the stack beside the error types: escaping text for
// XML (the SVG plots of lm/report, the HTML-like labels of the tape diagrams) and splitting a comma list (CLI flags,
// benchmark options).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tapegrad {

// s with & < > " replaced by their XML entities: safe inside an element or a double-quoted attribute.
std::string xml_escape(std::string_view s);

// "lstm,gru,,rnn" → {"lstm", "gru", "rnn"}: the items between commas, empty ones dropped.
std::vector<std::string> split_list(std::string_view list);

}  // namespace tapegrad
