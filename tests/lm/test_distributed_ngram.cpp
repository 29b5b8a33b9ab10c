// Distributed n-gram counting (lm/ngram/distributed_*.hpp, shard_reader.hpp) without MPI: 1–4 ranks as threads of
// this process (thread_communicator.hpp). The shards read by byte range must be the file's sentences, each once, in
// order, with their lines, and a bad file must fail with the message of one process. The merged counts on rank 0 must
// equal NgramCounts::build over the whole text — every trie level, count and suffix link — the vocabulary built across
// ranks must equal Vocab::build, and the ARPA text estimated from the merged counts must equal the single-process one.
// Faulty transports (a dropped message, a message delivered to the wrong owner) must make the comparison or the merge
// fail.
#include <boost/test/unit_test.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "lm/lm_test_util.hpp"
#include "lm/ngram/arpa.hpp"
#include "lm/ngram/distributed_counts.hpp"
#include "lm/ngram/distributed_vocab.hpp"
#include "lm/ngram/shard_reader.hpp"
#include "lm/ngram/train.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/error.hpp"
#include "lm/text/vocab.hpp"
#include "lm/thread_communicator.hpp"

using namespace tapegrad::lm;
using tapegrad::lm::test::Fault;
using tapegrad::lm::test::run_ranks;

namespace {

const std::string kData = TAPEGRAD_LM_TEST_DATA;  // tests/lm/data

// What differs between two NgramCounts ("" when nothing does): sizes, words, children ranges, counts, suffixes.
std::string difference(const NgramCounts& a, const NgramCounts& b) {
  if (a.vocab_size != b.vocab_size) return "vocab_size";
  if (a.sentences != b.sentences || a.tokens != b.tokens) return "sentences/tokens";
  if (a.order() != b.order()) return "order";
  for (int n = 1; n <= a.order(); ++n) {
    const std::string at = " at order " + std::to_string(n);
    if (a.trie.size(n) != b.trie.size(n))
      return "size" + at + ": " + std::to_string(a.trie.size(n)) + " vs " + std::to_string(b.trie.size(n));
    if (a.count[n - 1] != b.count[n - 1]) return "counts" + at;
    if (a.suffix[n - 1] != b.suffix[n - 1]) return "suffix links" + at;
    for (std::uint32_t e = 0; e < a.trie.size(n); ++e) {
      if (a.trie.word(n, e) != b.trie.word(n, e)) return "words" + at;
      if (a.trie.children_begin(n, e) != b.trie.children_begin(n, e) ||
          a.trie.children_end(n, e) != b.trie.children_end(n, e))
        return "children" + at;
    }
  }
  return "";
}

std::string vocab_difference(const Vocab& a, const Vocab& b) {
  if (a.size() != b.size()) return "size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  for (WordId id = 0; id < a.size(); ++id)
    if (a.token(id) != b.token(id) || a.count(id) != b.count(id)) return "id " + std::to_string(id);
  return "";
}

struct RankResult {
  std::optional<NgramCounts> counts;  // rank 0 only
  std::vector<Vocab> vocabs;          // one per rank
};

// Builds the vocabulary (unless `given`) and counts on `ranks` threads, as `ngram train` does on several ranks.
RankResult count_on_ranks(const TokenCorpus& text, int ranks, int order, std::uint64_t min_count = 1,
                          const Vocab* given = nullptr, Fault fault = {},
                          std::size_t max_round_bytes = kNgramRoundBytes) {
  RankResult out;
  out.vocabs.resize(static_cast<std::size_t>(ranks));
  std::mutex m;
  run_ranks(
      ranks,
      [&](tapegrad::nn::Communicator& comm) {
        const TokenCorpus shard = shard_of(text, comm.rank(), comm.size());
        const Vocab vocab = given ? *given : build_vocab_distributed(shard, min_count, comm);
        std::optional<NgramCounts> c =
            count_ngrams_distributed(vocab.encode(shard), vocab.size(), order, comm, max_round_bytes);
        std::lock_guard<std::mutex> lock(m);  // Boost.Test's checks are not thread-safe
        BOOST_CHECK_EQUAL(c.has_value(), comm.is_root());
        out.vocabs[static_cast<std::size_t>(comm.rank())] = vocab;
        if (c) out.counts = std::move(c);
      },
      fault);
  return out;
}

// Whole-text counts against the counts merged over 1–4 ranks, orders 1–4.
void check_equal_to_single_process(const TokenCorpus& text, std::uint64_t min_count = 1) {
  const Vocab vocab = Vocab::build(text, min_count);
  for (int order = 1; order <= 4; ++order) {
    const NgramCounts single = NgramCounts::build(vocab.encode(text), vocab.size(), order);
    for (int ranks = 1; ranks <= 4; ++ranks) {
      BOOST_TEST_CONTEXT(text.source() << ", order " << order << ", " << ranks << " ranks, min count " << min_count) {
        const RankResult r = count_on_ranks(text, ranks, order, min_count);
        for (const Vocab& v : r.vocabs) BOOST_TEST(vocab_difference(v, vocab) == "");
        BOOST_REQUIRE(r.counts.has_value());
        BOOST_TEST(difference(*r.counts, single) == "");
      }
    }
  }
}

std::string arpa_text(const NgramModel& model) {
  std::ostringstream s;
  write_arpa(dynamic_cast<const BackoffModel&>(model), s);
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(distributed_ngram)

BOOST_AUTO_TEST_CASE(shards_are_contiguous_and_cover_every_sentence_once) {
  for (std::size_t sentences : {0u, 1u, 3u, 10u, 1001u})
    for (int ranks = 1; ranks <= 5; ++ranks) {
      std::size_t next = 0;
      for (int r = 0; r < ranks; ++r) {
        const auto [first, last] = shard_range(sentences, r, ranks);
        BOOST_TEST(first == next);
        BOOST_TEST(last >= first);
        BOOST_TEST(last - first <= sentences / static_cast<std::size_t>(ranks) + 1);  // balanced
        next = last;
      }
      BOOST_TEST(next == sentences);
    }
  BOOST_CHECK_THROW(shard_range(10, 3, 3), tapegrad::UsageError);
}

BOOST_AUTO_TEST_CASE(shard_keeps_sentences_and_lines) {
  const TokenCorpus text = TokenCorpus::parse_words("a b\n\nc\nd e f\n", "mem");
  const TokenCorpus second = shard_of(text, 1, 2);  // sentences [1, 3): "c" (line 3), "d e f" (line 4)
  BOOST_REQUIRE_EQUAL(second.num_sentences(), 2u);
  BOOST_TEST(second.sentence(0)[0] == "c");
  BOOST_TEST(second.line(0) == 3u);
  BOOST_TEST(second.sentence(1).size() == 3u);
  BOOST_TEST(second.line(1) == 4u);
  BOOST_TEST(second.source() == "mem");
}

namespace {

// Every rank's shard of `path`, in rank order (or the exception of the first rank that threw).
std::vector<WordShard> shards_of(const std::string& path, int ranks, TextEncoding encoding = TextEncoding::Utf8) {
  std::vector<WordShard> out(static_cast<std::size_t>(ranks));
  run_ranks(ranks, [&](tapegrad::nn::Communicator& comm) {
    out[static_cast<std::size_t>(comm.rank())] = read_word_shard(path, encoding, comm);
  });
  return out;
}

// The shards put back together must be what read_words reads from the whole file.
void check_shards(const std::string& path, TextEncoding encoding = TextEncoding::Utf8) {
  const TokenCorpus whole = TokenCorpus::read_words(path, encoding);
  for (int ranks = 1; ranks <= 4; ++ranks) {
    BOOST_TEST_CONTEXT(path << " on " << ranks << " ranks") {
      std::size_t next = 0;
      for (const WordShard& shard : shards_of(path, ranks, encoding)) {
        BOOST_TEST(shard.total_sentences == whole.num_sentences());
        for (std::size_t s = 0; s < shard.sentences.num_sentences(); ++s, ++next) {
          BOOST_REQUIRE(next < whole.num_sentences());
          const auto a = shard.sentences.sentence(s), b = whole.sentence(next);
          BOOST_TEST(
              std::vector<std::string_view>(a.begin(), a.end()) == std::vector<std::string_view>(b.begin(), b.end()),
              boost::test_tools::per_element());
          BOOST_TEST(shard.sentences.line(s) == whole.line(next));
        }
      }
      BOOST_TEST(next == whole.num_sentences());
    }
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(byte_range_shards_are_the_files_sentences) {
  const tapegrad::lm::test::TempDir dir;
  check_shards(dir.write("blank_lines.txt", "\n\na b\n\nc d e\r\nf\n\n\ng h\n"));
  check_shards(dir.write("no_final_newline.txt", "one two\nthree"));
  check_shards(dir.write("one_line.txt", "just one line here\n"));  // ranks without a line
  check_shards(dir.write("long_line.txt", "short\n" + std::string(100000, 'x') + " y\nend\n"));
  check_shards(kData + "/tiny-lm/train.txt");
  check_shards(kData + "/utf8/de.txt");
  check_shards(kData + "/utf8/de-latin1.txt", TextEncoding::Latin1);
}

BOOST_AUTO_TEST_CASE(byte_range_shards_fail_like_one_process) {
  const tapegrad::lm::test::TempDir dir;
  const std::string late_bos = dir.write("late_bos.txt", "a b\nc d\ne f\ng <s> h\ni\n");
  const std::string blank = dir.write("blank.txt", "\n  \n\n\t\n");
  for (const std::string& path :
       {kData + "/latin1.txt", kData + "/binary.bin", kData + "/empty.txt", kData + "/nope.txt", late_bos, blank}) {
    const std::string expected = error_of([&] { TokenCorpus::read_words(path); });
    BOOST_TEST(expected != "no error");
    for (int ranks = 1; ranks <= 3; ++ranks)
      BOOST_TEST(error_of([&] { shards_of(path, ranks); }) == expected, path << " on " << ranks << " ranks");
  }
}

// The example of test_ngram_counts.cpp, and a text with repeated sentences so several ranks count the same n-grams.
BOOST_AUTO_TEST_CASE(toy_text_counts_equal_single_process) {
  check_equal_to_single_process(TokenCorpus::from_sentences({{"x", "y"}, {"x", "y"}, {"z", "y"}}));
  check_equal_to_single_process(TokenCorpus::parse_words(
      "the cat sat\nthe cat sat on the mat\nthe dog sat\nthe cat sat\na cat a dog a mat\n<unk> sat\n", "toy"));
}

BOOST_AUTO_TEST_CASE(data_files_counts_equal_single_process) {
  check_equal_to_single_process(TokenCorpus::read_words(kData + "/toy_train.txt"));
  check_equal_to_single_process(TokenCorpus::read_words(kData + "/tiny-lm/train.txt"));
  check_equal_to_single_process(TokenCorpus::read_words(kData + "/tiny-lm/train.txt"), 2);  // --min-count 2
  check_equal_to_single_process(TokenCorpus::read_words(kData + "/utf8/de.txt"));
}

// A vocabulary given (--vocab) may hold words the text never uses: their unigram counts stay 0, as in one process.
BOOST_AUTO_TEST_CASE(given_vocabulary_with_unseen_words) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/toy_train.txt");
  const Vocab vocab = Vocab::from_tokens({"<unk>", "</s>", "never", "seen", "the", "cat"});
  const NgramCounts single = NgramCounts::build(vocab.encode(text), vocab.size(), 3);
  const RankResult r = count_on_ranks(text, 3, 3, 1, &vocab);
  BOOST_REQUIRE(r.counts.has_value());
  BOOST_TEST(difference(*r.counts, single) == "");
  BOOST_TEST(r.counts->count[0][vocab.id("never")] == 0u);
}

// The smoothing on rank 0 sees the same counts, so the ARPA text is the same, byte for byte.
BOOST_AUTO_TEST_CASE(arpa_from_merged_counts_equals_single_process) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/tiny-lm/train.txt");
  const Vocab vocab = Vocab::build(text);
  NgramOptions options;
  options.order = 3;
  options.kn.discount_fallback = true;
  const std::string single = arpa_text(*train_ngram(vocab.encode(text), vocab, options));
  const RankResult r = count_on_ranks(text, 3, 3);
  BOOST_REQUIRE(r.counts.has_value());
  BOOST_TEST(arpa_text(*estimate_ngram(std::move(*r.counts), vocab, options)) == single);
}

// Exchanges in many rounds (here one record per piece: the bound is far below one record per rank) keep every
// record and its order.
BOOST_AUTO_TEST_CASE(many_small_rounds_give_the_same_counts) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/tiny-lm/train.txt");
  const Vocab vocab = Vocab::build(text);
  const NgramCounts single = NgramCounts::build(vocab.encode(text), vocab.size(), 4);
  for (std::size_t bytes : {std::size_t{1}, std::size_t{200}, std::size_t{5000}})
    for (int ranks : {2, 3}) {
      const RankResult r = count_on_ranks(text, ranks, 4, 1, &vocab, {}, bytes);
      BOOST_REQUIRE(r.counts.has_value());
      BOOST_TEST(difference(*r.counts, single) == "", bytes << " bytes per round, " << ranks << " ranks");
    }
}

// More ranks than sentences: the ranks without a sentence still take part in every collective.
BOOST_AUTO_TEST_CASE(ranks_without_sentences) {
  const TokenCorpus text = TokenCorpus::from_sentences({{"a", "b"}, {"b"}});
  const Vocab vocab = Vocab::build(text);
  const RankResult r = count_on_ranks(text, 4, 2);
  BOOST_REQUIRE(r.counts.has_value());
  BOOST_TEST(difference(*r.counts, NgramCounts::build(vocab.encode(text), vocab.size(), 2)) == "");
}

// The same refusal as Vocab::build, on every rank.
BOOST_AUTO_TEST_CASE(empty_vocabulary_is_refused) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/toy_train.txt");
  try {
    count_on_ranks(text, 3, 2, 1000);
    BOOST_FAIL("expected an empty-vocabulary error");
  } catch (const FormatError& e) {
    BOOST_TEST(std::string(e.what()).find("toy_train.txt: empty vocabulary: no token occurs at least 1000 time(s)") !=
               std::string::npos);
  }
}

// Owners are spread over the ranks (no rank merges nearly everything) and do not depend on who asks.
BOOST_AUTO_TEST_CASE(owners_spread_over_ranks) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/tiny-lm/train.txt");
  const Vocab vocab = Vocab::build(text);
  const NgramCounts c = NgramCounts::build(vocab.encode(text), vocab.size(), 2);
  std::vector<std::size_t> owned(3, 0);
  for (std::uint32_t e = 0; e < c.trie.size(2); ++e) {
    const std::vector<WordId> words = c.trie.ngram(2, e);
    const int owner = ngram_owner(words, 3);
    BOOST_REQUIRE(owner >= 0 && owner < 3);
    BOOST_TEST(ngram_owner(words, 3) == owner);
    ++owned[static_cast<std::size_t>(owner)];
  }
  for (std::size_t n : owned) BOOST_TEST((n > c.trie.size(2) / 5 && n < c.trie.size(2) / 2));
  BOOST_TEST(ngram_owner(std::vector<WordId>{7, 3}, 1) == 0);
}

// The tests above can fail: a routed message that is lost is noticed (each message declares its records)...
BOOST_AUTO_TEST_CASE(a_dropped_message_is_noticed) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/tiny-lm/train.txt");
  const Vocab vocab = Vocab::build(text);
  Fault drop;
  drop.kind = Fault::kDrop;
  drop.call = 0;  // the vocabulary is given, so the first alltoall routes the n-grams
  drop.from = 2;
  drop.to = 1;
  try {
    count_on_ranks(text, 3, 3, 1, &vocab, drop);
    BOOST_FAIL("expected the lost message to be noticed");
  } catch (const tapegrad::Error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("truncated message") != std::string::npos);
  }
}

// ... and n-grams that reach two owners (ranks disagreeing about ownership) are refused on rank 0.
BOOST_AUTO_TEST_CASE(an_ngram_with_two_owners_is_refused) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/tiny-lm/train.txt");
  const Vocab vocab = Vocab::build(text);
  Fault duplicate;
  duplicate.kind = Fault::kDuplicate;
  duplicate.call = 0;
  duplicate.from = 1;
  duplicate.to = 2;
  duplicate.copy_of = 0;  // rank 2 also receives what rank 1 routed to rank 0
  try {
    count_on_ranks(text, 3, 3, 1, &vocab, duplicate);
    BOOST_FAIL("expected the merge to refuse an n-gram from two owners");
  } catch (const tapegrad::Error& e) {
    BOOST_TEST(std::string(e.what()).find("reached rank 0 from two owners") != std::string::npos);
  }
}

// A dropped message while the vocabulary is built changes it (its first alltoall carries the word counts).
BOOST_AUTO_TEST_CASE(a_dropped_word_count_message_changes_the_vocabulary) {
  const TokenCorpus text = TokenCorpus::read_words(kData + "/tiny-lm/train.txt");
  Fault drop;
  drop.kind = Fault::kDrop;
  drop.from = 0;
  drop.to = 1;
  const RankResult r = count_on_ranks(text, 2, 2, 1, nullptr, drop);
  BOOST_TEST(vocab_difference(r.vocabs[0], Vocab::build(text)) != "");
}

BOOST_AUTO_TEST_SUITE_END()
