// The Brown reader and protocol split on a miniature corpus built here (folder and .tgz), and the .tgz reader on
// hand-made tar records. The full corpus is checked against its protocol (docs/data.md) in test_brown_corpus.cpp.
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "lm/text/brown.hpp"
#include "lm/text/error.hpp"
#include "lm/text/tar_gz.hpp"
#include "lm_test_util.hpp"

using namespace tapegrad::lm;
using tapegrad::lm::test::check_throws;
using tapegrad::lm::test::TempDir;

namespace {

// One ustar record: header (name, octal size, type, magic, checksum) then the data padded to 512 bytes.
std::string tar_record(const std::string& name, const std::string& data, char type = '0') {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 124, 12, "%011zo", data.size());
  h[156] = type;
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  std::string padded = data;
  padded.resize((data.size() + 511) / 512 * 512, '\0');
  return h + padded;
}

std::string tar_end() { return std::string(1024, '\0'); }

std::string write_gzip(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir.path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  return path;
}

// The miniature corpus: ca01 has two sentences (indented, blank lines around), cb02 one; the other files are not
// Brown text files and must be ignored.
const char* kCa01 = "\n\n\tThe/at cat/nn sat/vbd ./.\n\n\n\tand/or/cc //in the/at cat/nn\n";
const char* kCb02 = "the/at cat/nn ran/vbd\n";

void write_folder(const TempDir& dir, const std::string& sub) {
  std::filesystem::create_directories(dir.path(sub));
  dir.write(sub + "/cb02", kCb02);
  dir.write(sub + "/ca01", kCa01);
  dir.write(sub + "/README", "not/a brown/file\n");
  dir.write(sub + "/cs01", "beyond/r\n");
  dir.write(sub + "/ca1", "short/name\n");
}

std::vector<std::string> words(const TokenCorpus& c, std::size_t i) {
  const auto s = c.sentence(i);
  return {s.begin(), s.end()};
}

void check_mini(const BrownCorpus& b) {
  BOOST_TEST(b.num_files() == 2u);
  BOOST_TEST(b.file_name(0) == "ca01");
  BOOST_TEST(b.file_name(1) == "cb02");
  BOOST_TEST(b.sentences().num_sentences() == 3u);
  BOOST_TEST(b.num_words() == 11u);
  // Split at the last '/': "and/or/cc" -> "and/or", "//in" -> "/".
  BOOST_TEST(words(b.sentences(), 1) == (std::vector<std::string>{"and/or", "/", "the", "cat"}),
             boost::test_tools::per_element());
  BOOST_TEST(std::string(b.sentences().tags(1)[0]) == "cc");
  BOOST_TEST(b.sentences().line(1) == 6u);
  BOOST_TEST(b.sentence_file(2) == 1u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(brown)

BOOST_AUTO_TEST_CASE(reads_the_protocol_files_from_a_folder) {
  TempDir dir;
  write_folder(dir, "package");
  check_mini(BrownCorpus::read(dir.path("package")));
  check_mini(BrownCorpus::read(dir.path("")));  // the parent of package/ works too
}

BOOST_AUTO_TEST_CASE(reads_the_tarball_without_unpacking) {
  TempDir dir;
  const std::string tar = tar_record("package/package.json", "{}") + tar_record("package/cb02", kCb02) +
                          tar_record("package/README", "x/y\n") + tar_record("package/ca01", kCa01) + tar_end();
  check_mini(BrownCorpus::read(write_gzip(dir, "mini.tgz", tar)));
}

// Stream (positions): The cat sat . </s> | and/or / the cat </s> | the cat ran </s>
//                      0   1   2   3  4     5     6  7   8    9     10  11  12   13
// train [0, 7), valid [7, 12), test [12, 14); vocabulary from train with min count 1: The cat sat . and/or /
//   train: "The cat sat ." and the cut "and/or /"             6 words + 1 </s>, 2 lines
//   valid: "the cat" (the continuation), the cut "the cat"   4 words + 1 </s>, "the" is <unk> (case kept)
//   test:  "ran"                                              1 word + 1 </s>, "ran" is <unk>
BOOST_AUTO_TEST_CASE(split_cuts_sentences_at_positions_and_maps_unknown_words) {
  TempDir dir;
  write_folder(dir, "package");
  BrownOptions o;
  o.train_end = 7;
  o.valid_end = 12;
  o.min_count = 1;
  const BrownSplits s = BrownCorpus::read(dir.path("package")).split(o);
  BOOST_TEST(s.vocab.size() == 8u);  // 6 words + <unk> + </s>
  BOOST_TEST(s.train_types == 7u);   // 6 words + </s>
  BOOST_TEST(s.train.words == 6u);
  BOOST_TEST(s.train.eos == 1u);
  BOOST_TEST(s.train.unk == 0u);
  BOOST_TEST(s.train.lines.to_text() == "The cat sat .\nand/or /\n");
  BOOST_TEST(s.train.lines.to_text(/*tags=*/true) == "at nn vbd .\ncc in\n");
  BOOST_TEST(s.valid.words == 4u);
  BOOST_TEST(s.valid.eos == 1u);
  BOOST_TEST(s.valid.unk == 2u);
  BOOST_TEST(s.valid.lines.to_text() == "<unk> cat\n<unk> cat\n");
  BOOST_TEST(s.test.words == 1u);
  BOOST_TEST(s.test.eos == 1u);
  BOOST_TEST(s.test.unk == 1u);
  BOOST_TEST(s.test.lines.to_text() == "<unk>\n");
  BOOST_TEST(s.test.lines.to_text(true) == "vbd\n");
}

BOOST_AUTO_TEST_CASE(bad_corpora_are_rejected_clearly) {
  TempDir dir;
  check_throws<IoError>([&] { BrownCorpus::read(dir.path("nothing-here")); }, {"nothing-here", "no such file"});
  std::filesystem::create_directories(dir.path("empty"));
  check_throws<FormatError>([&] { BrownCorpus::read(dir.path("empty")); }, {"no Brown corpus files"});
  std::filesystem::create_directories(dir.path("bad"));
  dir.write("bad/ca01", "good/jj\nno_tag_here x/y\n");
  check_throws<FormatError>([&] { BrownCorpus::read(dir.path("bad")); }, {"ca01:2:", "no_tag_here", "word/tag"});
  const std::string text = dir.write("plain.tgz", "this is not an archive\n");
  check_throws<FormatError>([&] { BrownCorpus::read(text); }, {"plain.tgz", "tar"});
}

BOOST_AUTO_TEST_CASE(tar_reader_handles_pax_names_and_detects_damage) {
  // A pax header renames the next member; directories are skipped.
  const std::string pax = "31 path=package/long-name-ca01\n";
  const std::string tar =
      tar_record("package/", "", '5') + tar_record("PaxHeader", pax, 'x') + tar_record("short", "data") + tar_end();
  const std::vector<ArchiveMember> m = parse_tar(tar, "mem");
  BOOST_TEST_REQUIRE(m.size() == 1u);
  BOOST_TEST(m[0].path == "package/long-name-ca01");
  BOOST_TEST(m[0].data == "data");

  std::string damaged = tar;
  damaged[3 * 512 + 10] ^= 1;  // a byte of the third header ("short")
  check_throws<FormatError>([&] { parse_tar(damaged, "mem"); }, {"checksum"});
  check_throws<FormatError>([&] { parse_tar(tar.substr(0, 3 * 512 + 100), "mem"); }, {"truncated"});
}

BOOST_AUTO_TEST_SUITE_END()
