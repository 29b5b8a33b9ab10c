// write_text_file: the one way lm/ writes a text file (splits, vocabularies, learning curves, plots) — whole or not
// at all. A failed write leaves the previous file as it was and no temporary file behind, and says which file.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>

#include "lm/text/error.hpp"
#include "lm/text/text_file.hpp"
#include "lm_test_util.hpp"
#include "support/file_size_limit.hpp"

using namespace tapegrad::lm;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

BOOST_AUTO_TEST_SUITE(text_file)

BOOST_AUTO_TEST_CASE(writes_and_replaces_the_whole_text) {
  TempDir dir;
  const std::string path = dir.path("out.txt");
  write_text_file(path, "first version\n");
  write_text_file(path, "café — zweite Fassung\n");  // non-ASCII bytes pass through untouched
  BOOST_TEST(read_file(path) == "café — zweite Fassung\n");
}

BOOST_AUTO_TEST_CASE(a_missing_folder_is_an_io_error_naming_the_file) {
  TempDir dir;
  const std::string path = dir.path("no-such-folder/out.txt");
  check_throws<IoError>([&] { write_text_file(path, "x"); }, {"no-such-folder/out.txt"});
  BOOST_TEST(!std::filesystem::exists(path));
}

// The file-size limit makes write() fail with EFBIG half way through: the old file must survive whole.
BOOST_AUTO_TEST_CASE(a_failed_write_keeps_the_old_file) {
  TempDir dir;
  const std::string path = dir.path("curve.csv");
  write_text_file(path, "old\n");
  const std::string big(200000, 'x');
  {
    const tapegrad::testing::FileSizeLimit limit(64 * 1024);
    check_throws<IoError>([&] { write_text_file(path, big); }, {"curve.csv"});
  }
  BOOST_TEST(read_file(path) == "old\n");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path(""))) ++files;
  BOOST_TEST(files == 1u);  // no temporary file left behind
}

BOOST_AUTO_TEST_SUITE_END()
