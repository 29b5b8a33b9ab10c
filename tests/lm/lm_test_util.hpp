// Helpers for the lm tests: a temporary folder removed at the end of the test, files written into it, and a check
// that a call throws an exception of a given type whose message contains given pieces (file, line, reason).
#pragma once

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

namespace tapegrad::lm::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tapegrad-lm-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` (bytes, as given) to `name` and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream out(path(name), std::ios::binary);
    out << content;
    return path(name);
  }

 private:
  std::filesystem::path path_;
};

// Runs f, expects an exception of type E whose what() contains every piece.
template <class E, class F>
void check_throws(F&& f, std::initializer_list<std::string> pieces) {
  try {
    f();
    BOOST_ERROR("expected an exception, none was thrown");
  } catch (const E& e) {
    const std::string message = e.what();
    for (const std::string& piece : pieces)
      BOOST_TEST(message.find(piece) != std::string::npos, "message '" << message << "' lacks '" << piece << "'");
  }
}

}  // namespace tapegrad::lm::test
