// Rendering tape diagrams in-process with Graphviz's C libraries (cgraph parses the DOT text, gvc lays it out with
// the `dot` engine and renders it), and writing them to files whose extension chooses the format:
//   .dot / .gv   the DOT text itself (no Graphviz involved)
//   .svg .png .pdf   rendered
// Files are written to a temporary file next to the target and renamed over it, so a failed render never leaves a
// partial or corrupt output (an existing file stays as it was). Every failure throws tapegrad::Error naming the file.
//
// Graphviz finds its layout and output plugins through the registry file `config6a` in its plugin directory
// (Debian: /usr/lib/x86_64-linux-gnu/graphviz/, written when libgvc6 is installed by `libgvc6-config-update -c`,
// Debian's `dot -c`; GVBINDIR overrides the directory). Without it nothing renders: render_dot() checks that the `dot`
// layout and the wanted output format are registered and otherwise throws an Error that says how to rebuild it.
// All renders share one Graphviz context, created on first use and never freed (render.cpp says why), behind a mutex.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "autograd/viz/dot.hpp"

namespace tapegrad::autograd {

enum class GraphFormat { Dot, Svg, Png, Pdf };

// The format a file name asks for, by its extension (case-insensitive). Throws Error naming the file otherwise.
GraphFormat graph_format_of(const std::filesystem::path& file);
const char* graph_format_name(GraphFormat format);  // "dot", "svg", "png", "pdf"

// Lays out DOT text with the dot engine and renders it; returns the bytes of the result (for Dot, the text as given).
// Throws Error with Graphviz's own messages when the text does not parse, the layout fails, or a plugin is missing.
std::string render_dot(std::string_view dot, GraphFormat format);

// Writes DOT text to `file` in the format of its extension (rendering it if needed), atomically (see above).
void write_graph(std::string_view dot, const std::filesystem::path& file);

// to_dot(tape, options), then write_graph.
void render_tape(const Tape& tape, const std::filesystem::path& file, const DotOptions& options = {});

}  // namespace tapegrad::autograd
