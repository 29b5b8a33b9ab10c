// Graphviz rendering (gvc + cgraph) and atomic file output for tape diagrams. Graphviz keeps process-wide state (its
// error handler, its plugin loader), so every call into it holds one mutex.
#include "autograd/viz/render.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "ops/error.hpp"

namespace tapegrad::autograd {

namespace {

std::mutex graphviz_mutex;
std::string* graphviz_messages = nullptr;  // where the error handler collects, while the mutex is held

// Graphviz reports errors and warnings through this handler (in pieces: "Error", ": ", the message).
int collect_message(char* message) {
  if (graphviz_messages) *graphviz_messages += message;
  return 0;
}

// Installs collect_message for one scope and restores the previous handler.
class MessageCapture {
 public:
  explicit MessageCapture(std::string& messages) : previous_(agseterrf(collect_message)) {
    graphviz_messages = &messages;
  }
  ~MessageCapture() {
    graphviz_messages = nullptr;
    agseterrf(previous_);
  }
  MessageCapture(const MessageCapture&) = delete;
  MessageCapture& operator=(const MessageCapture&) = delete;

 private:
  agusererrf previous_;
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "(Graphviz gave no message)" : s;
}

// The names of the plugins of one kind ("layout", "device") that the context has registered.
std::vector<std::string> plugins(GVC_t* gvc, const char* kind) {
  int size = 0;
  char** list = gvPluginList(gvc, kind, &size, nullptr);
  std::vector<std::string> names;
  for (int k = 0; k < size; ++k) {
    names.emplace_back(list[k]);
    std::free(list[k]);
  }
  std::free(list);
  return names;
}

// Throws unless the context has a plugin of this kind and name. The lists are read once per kind: gvPluginList leaks
// the duplicate names it skips, so asking on every render would leak a little every time.
void require_plugin(GVC_t* gvc, const char* kind, const char* name) {
  static std::map<std::string, std::vector<std::string>> known;
  auto it = known.find(kind);
  if (it == known.end()) it = known.emplace(kind, plugins(gvc, kind)).first;
  const auto& names = it->second;
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  throw Error(std::string("Graphviz has no '") + name + "' " + kind +
              " plugin registered. Its plugin registry (config6a in the plugin directory, e.g. "
              "/usr/lib/x86_64-linux-gnu/graphviz/; GVBINDIR overrides the directory) is missing or incomplete: "
              "rebuild it as root with `dot -c` (Debian: `libgvc6-config-update -c`, or reinstall libgvc6)");
}

// The Graphviz context of the process: created on first use and deliberately never freed. Graphviz 2.43's
// cairo/pango text-layout plugin keeps a static pointer to the name of the last font it measured, and that name lives
// in the context's font dictionary: after gvFreeContext and a new gvContext, the next label measurement compares
// against freed memory (AddressSanitizer: heap-use-after-free in libgvplugin_pango, freed by gvFreeContext → dtclose).
// One context for all renders avoids that, and loads the plugin registry once. Call with graphviz_mutex held.
GVC_t* context() {
  static GVC_t* gvc = nullptr;
  if (!gvc) gvc = gvContext();
  return gvc;
}

struct GraphDeleter {
  void operator()(Agraph_t* g) const { agclose(g); }
};

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

}  // namespace

GraphFormat graph_format_of(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".dot" || ext == ".gv") return GraphFormat::Dot;
  if (ext == ".svg") return GraphFormat::Svg;
  if (ext == ".png") return GraphFormat::Png;
  if (ext == ".pdf") return GraphFormat::Pdf;
  throw Error("cannot write the diagram '" + file.string() + "': unknown file extension '" + ext +
              "' (expected .svg, .png, .pdf, .dot or .gv)");
}

const char* graph_format_name(GraphFormat format) {
  switch (format) {
    case GraphFormat::Dot:
      return "dot";
    case GraphFormat::Svg:
      return "svg";
    case GraphFormat::Png:
      return "png";
    case GraphFormat::Pdf:
      return "pdf";
  }
  return "?";
}

std::string render_dot(std::string_view dot, GraphFormat format) {
  if (format == GraphFormat::Dot) return std::string(dot);
  const char* name = graph_format_name(format);
  std::lock_guard lock(graphviz_mutex);
  std::string messages;
  MessageCapture capture(messages);

  GVC_t* gvc = context();
  if (!gvc) throw Error("Graphviz: could not create a rendering context: " + trimmed(messages));
  require_plugin(gvc, "layout", "dot");
  require_plugin(gvc, "device", name);

  const std::string text(dot);  // cgraph reads a NUL-terminated string
  std::unique_ptr<Agraph_t, GraphDeleter> graph(agmemread(text.c_str()));
  if (!graph) throw Error("Graphviz could not parse the DOT text: " + trimmed(messages));
  if (gvLayout(gvc, graph.get(), "dot") != 0) throw Error("Graphviz could not lay out the graph: " + trimmed(messages));
  char* data = nullptr;
  unsigned int length = 0;
  const int rc = gvRenderData(gvc, graph.get(), name, &data, &length);
  std::string result;
  if (rc == 0 && data) result.assign(data, length);
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, graph.get());
  if (rc != 0 || result.empty())
    throw Error(std::string("Graphviz could not render ") + name + ": " + trimmed(messages));
  return result;
}

void write_graph(std::string_view dot, const std::filesystem::path& file) {
  const GraphFormat format = graph_format_of(file);
  std::string bytes;
  try {
    bytes = render_dot(dot, format);
  } catch (const Error& e) {
    throw Error("cannot write the diagram '" + file.string() + "': " + e.what());
  }

  // A temporary file in the target's directory (so the rename stays on one file system), unique in the process.
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  const std::filesystem::path tmp =
      dir / ("." + file.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error("cannot write the diagram '" + file.string() + "': " + errno_text(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int write_error = errno;
  const bool closed = std::fclose(f) == 0;
  const int close_error = errno;
  if (!written || !closed) {
    std::filesystem::remove(tmp);
    throw Error("cannot write the diagram '" + file.string() + "': " + errno_text(written ? close_error : write_error));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw Error("cannot write the diagram '" + file.string() + "': " + ec.message());
  }
}

void render_tape(const Tape& tape, const std::filesystem::path& file, const DotOptions& options) {
  graph_format_of(file);  // an unknown extension fails before any work
  write_graph(to_dot(tape, options), file);
}

}  // namespace tapegrad::autograd
