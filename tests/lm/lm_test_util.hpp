// Helpers for the lm tests: a temporary folder removed at the end of the test, files written into it, and a check
// that a call throws an exception of a given type whose message contains given pieces (file, line, reason).
#pragma once

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "ops/random.hpp"

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

// Train, valid and test files of random sentences over 11 words (~780 tokens; seeded, so always the same text):
// varied enough that a model cannot reach zero loss and every epoch changes the parameters. Returns the folder.
inline std::string write_varied_data(const TempDir& dir) {
  const std::vector<std::string> words = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "big", "red"};
  Rng rng(3);
  const auto lines = [&](int n) {
    std::string t;
    for (int i = 0; i < n; ++i) {
      const auto len = 3 + rng.uniform_int(6);
      for (std::uint64_t w = 0; w < len; ++w) t += (w ? " " : "") + words[rng.uniform_int(words.size())];
      t += "\n";
    }
    return t;
  };
  dir.write("train.txt", lines(120));
  dir.write("valid.txt", lines(20));
  dir.write("test.txt", lines(20));
  return dir.path("");
}

}  // namespace tapegrad::lm::test
