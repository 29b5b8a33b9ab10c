// Rendering diagrams with Graphviz in-process (autograd/viz/render.hpp): SVG, PNG and PDF files with the right magic
// bytes, .dot written as is, formats chosen by extension, and failures that name the file and leave nothing behind.
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "autograd/viz/dot_test_util.hpp"
#include "autograd/viz/render.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::autograd;
using namespace tapegrad::testing;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system's temp directory, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("tapegrad-test-dot-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::size_t entries() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {})); }
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool error_names(const Error& e, const std::string& what) {
  return std::string(e.what()).find(what) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dot_render)

BOOST_AUTO_TEST_CASE(format_follows_the_extension) {
  BOOST_TEST((graph_format_of("a/b.svg") == GraphFormat::Svg));
  BOOST_TEST((graph_format_of("b.PNG") == GraphFormat::Png));
  BOOST_TEST((graph_format_of("c.pdf") == GraphFormat::Pdf));
  BOOST_TEST((graph_format_of("d.dot") == GraphFormat::Dot));
  BOOST_TEST((graph_format_of("e.gv") == GraphFormat::Dot));
  BOOST_CHECK_EXCEPTION(graph_format_of("f.jpeg"), Error, [](const Error& e) { return error_names(e, "f.jpeg"); });
  BOOST_CHECK_THROW(graph_format_of("noextension"), Error);
}

BOOST_AUTO_TEST_CASE(renders_svg_png_and_pdf_files) {
  TempDir dir;
  LstmTape l(2);
  l.tape.backward(l.loss);
  DotOptions o;
  o.show_grad_flow = true;
  o.title = "LSTM, 2 steps";

  render_tape(l.tape, dir.path / "lstm.svg", o);
  const std::string svg = read_file(dir.path / "lstm.svg");
  BOOST_TEST(svg.rfind("<?xml", 0) == 0u);
  BOOST_TEST(svg.find("<svg") != std::string::npos);
  BOOST_TEST(svg.find("LSTM, 2 steps") != std::string::npos);
  BOOST_TEST(svg.find("forget_gate") != std::string::npos);
  BOOST_TEST(svg.find("sigmoid(v") != std::string::npos);

  render_tape(l.tape, dir.path / "lstm.png", o);
  const std::string png = read_file(dir.path / "lstm.png");
  BOOST_TEST(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0u);

  render_tape(l.tape, dir.path / "lstm.pdf", o);
  BOOST_TEST(read_file(dir.path / "lstm.pdf").rfind("%PDF-", 0) == 0u);

  render_tape(l.tape, dir.path / "lstm.dot", o);
  BOOST_TEST(read_file(dir.path / "lstm.dot") == to_dot(l.tape, o));
  BOOST_TEST(dir.entries() == 4u);  // no temporary files left
}

BOOST_AUTO_TEST_CASE(in_memory_render) {
  const std::string svg = render_dot("digraph { a -> b }", GraphFormat::Svg);
  BOOST_TEST(svg.find("<svg") != std::string::npos);
  BOOST_TEST(render_dot("digraph { a -> b }", GraphFormat::Dot) == "digraph { a -> b }");
  BOOST_CHECK_EXCEPTION(render_dot("digraph { a -> ; }", GraphFormat::Png), Error,
                        [](const Error& e) { return error_names(e, "syntax error"); });
}

BOOST_AUTO_TEST_CASE(unknown_extension_is_an_error_naming_the_file) {
  TempDir dir;
  MlpTape m;
  const fs::path target = dir.path / "mlp.jpeg";
  BOOST_CHECK_EXCEPTION(render_tape(m.tape, target), Error,
                        [&](const Error& e) { return error_names(e, target.string()); });
  BOOST_TEST(dir.entries() == 0u);
}

BOOST_AUTO_TEST_CASE(unwritable_path_is_an_error_naming_the_file) {
  TempDir dir;
  MlpTape m;
  const fs::path target = dir.path / "no-such-dir" / "mlp.svg";
  BOOST_CHECK_EXCEPTION(render_tape(m.tape, target), Error,
                        [&](const Error& e) { return error_names(e, target.string()); });
  BOOST_TEST(dir.entries() == 0u);
}

// A render that fails leaves an existing file as it was, and no temporary file.
BOOST_AUTO_TEST_CASE(failed_render_keeps_the_old_file) {
  TempDir dir;
  const fs::path target = dir.path / "figure.svg";
  std::ofstream(target) << "old contents";
  BOOST_CHECK_EXCEPTION(write_graph("digraph { a -> ; }", target), Error, [&](const Error& e) {
    return error_names(e, target.string()) && error_names(e, "syntax error");
  });
  BOOST_TEST(read_file(target) == "old contents");
  BOOST_TEST(dir.entries() == 1u);
  // And a successful one replaces it.
  write_graph("digraph { a -> b }", target);
  BOOST_TEST(read_file(target).find("<svg") != std::string::npos);
  BOOST_TEST(dir.entries() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
