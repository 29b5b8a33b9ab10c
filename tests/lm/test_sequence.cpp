// lm/sequence and the task models on toy data: the padded-batch layout, length bucketing, characters, symbol tables,
// gradient checks of the sentence encoder with its nested character recurrence, a padded tagger batch whose loss
// equals the per-sentence losses, toy tagging and classification learned, and checkpoints that round-trip.
#define BOOST_TEST_MODULE tapegrad_lm_sequence
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <numeric>
#include <set>
#include <sstream>

#include "autograd/functions.hpp"
#include "lm/classify/lm_init.hpp"
#include "lm/classify/train_classifier.hpp"
#include "lm/neural/model.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/sequence/bucket_batcher.hpp"
#include "lm/sequence/characters.hpp"
#include "lm/sequence/padded_batch.hpp"
#include "lm/tagging/train_tagger.hpp"
#include "lm/text/error.hpp"
#include "nn/gradcheck.hpp"
#include "ops/error.hpp"

using namespace tapegrad;
using namespace tapegrad::lm;
namespace ag = tapegrad::autograd;

namespace {

using Sentences = std::vector<std::vector<std::string>>;

EncoderConfig tiny_config(index_t char_dim) {
  EncoderConfig c;
  c.hidden = 4;
  c.word_dim = 3;
  c.char_dim = char_dim;
  c.char_hidden = 2;
  c.dropout = 0.0f;
  c.word_dropout = 0.0f;
  return c;
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("tapegrad_test_sequence_" + name);
}

// A toy tagging task: words of random letters whose tag is decided by the first letter (a → A, b → B, anything
// else → O), so a model that reads characters tags even words it never saw.
TagSentences toy_tagging(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  TagSentences s;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t len = 1 + rng.uniform_int(7);
    std::vector<std::string> words, tags;
    for (std::size_t t = 0; t < len; ++t) {
      std::string w(1 + rng.uniform_int(4), ' ');
      for (char& ch : w) ch = static_cast<char>('a' + rng.uniform_int(6));  // letters a–f
      tags.push_back(w[0] == 'a' ? "A" : w[0] == 'b' ? "B" : "O");
      words.push_back(std::move(w));
    }
    s.words.push_back(std::move(words));
    s.tags.push_back(std::move(tags));
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sequence)

// The example of padded_batch.hpp, worked by hand.
BOOST_AUTO_TEST_CASE(pad_batch_lays_out_time_major_with_real_rows) {
  const std::vector<std::vector<std::int32_t>> seqs = {{7, 8, 9}, {4, 5}};
  const std::vector<std::size_t> items = {0, 1};
  PaddedBatch b;
  pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(seqs[i]); }, 0, b);
  BOOST_TEST(b.steps == 3);
  BOOST_TEST(b.size == 2);
  BOOST_TEST(b.ids == (std::vector<std::int32_t>{7, 4, 8, 5, 9, 0}), boost::test_tools::per_element());
  BOOST_TEST(b.lengths == (std::vector<std::int32_t>{3, 2}), boost::test_tools::per_element());
  BOOST_TEST(b.real_rows == (std::vector<std::int32_t>{0, 2, 4, 1, 3}), boost::test_tools::per_element());
  const std::vector<std::vector<std::int32_t>> with_empty = {{1}, {}};
  BOOST_CHECK_THROW(pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(with_empty[i]); }, 0, b),
                    UsageError);
}

BOOST_AUTO_TEST_CASE(bucket_batches_cover_every_item_once_within_limits) {
  std::vector<std::size_t> lengths;
  Rng data(3);
  for (int i = 0; i < 101; ++i) lengths.push_back(1 + data.uniform_int(40));
  for (bool shuffle : {false, true}) {
    Rng rng(5);
    const auto batches = bucket_batches(lengths, BucketOptions{8, 120}, shuffle ? &rng : nullptr);
    std::multiset<std::size_t> seen;
    for (const auto& b : batches) {
      BOOST_TEST(!b.empty());
      BOOST_TEST(b.size() <= 8u);
      std::size_t longest = 0, shortest = 1000;
      for (std::size_t i : b) seen.insert(i), longest = std::max(longest, lengths[i]), shortest = std::min(shortest, lengths[i]);
      BOOST_TEST((b.size() == 1 || b.size() * longest <= 120u));
      if (!shuffle) BOOST_TEST(longest - shortest <= 40u);
    }
    BOOST_TEST(seen.size() == lengths.size());
    BOOST_TEST(std::set<std::size_t>(seen.begin(), seen.end()).size() == lengths.size());
  }
  // Without bucketing: every item once, batches of random lengths within the token limit.
  Rng r(6);
  BucketOptions random_batches{8, 120};
  random_batches.by_length = false;
  std::multiset<std::size_t> seen;
  for (const auto& b : bucket_batches(lengths, random_batches, &r)) {
    std::size_t longest = 0;
    for (std::size_t i : b) seen.insert(i), longest = std::max(longest, lengths[i]);
    BOOST_TEST((b.size() == 1 || b.size() * longest <= 120u));
  }
  BOOST_TEST(std::set<std::size_t>(seen.begin(), seen.end()).size() == lengths.size());
  // The same seed, the same batches; another seed, another order.
  Rng a(9), b(9), c(10);
  BOOST_TEST((bucket_batches(lengths, {}, &a) == bucket_batches(lengths, {}, &b)));
  BOOST_TEST((bucket_batches(lengths, {}, &a) != bucket_batches(lengths, {}, &c)));
}

BOOST_AUTO_TEST_CASE(characters_are_code_points_and_bad_bytes_become_replacement_characters) {
  BOOST_TEST(utf8_characters("naïve").size() == 5u);
  BOOST_TEST(utf8_characters("naïve")[2] == "ï");
  BOOST_TEST(utf8_characters("€5").size() == 2u);
  const auto bad = utf8_characters(std::string("a\xff" "b\xc3", 4));  // a stray byte, a truncated sequence
  BOOST_TEST(bad.size() == 4u);
  BOOST_TEST(bad[1] == "\xEF\xBF\xBD");
  BOOST_TEST(bad[3] == "\xEF\xBF\xBD");
  BOOST_TEST(utf8_characters("\xed\xa0\x80").size() == 3u);  // a surrogate is not a character
}

BOOST_AUTO_TEST_CASE(symbol_tables_round_trip_and_reject_bad_json) {
  SymbolTable t = SymbolTable::from_counts({{"b", 1}, {"a", 3}, {"c", 1}, {"d", 0}}, 1, true);
  BOOST_TEST(t.size() == 5u);  // <pad> <unk> a b c
  BOOST_TEST(t.symbol(2) == "a");
  BOOST_TEST(t.symbol(3) == "b");  // ties keep first-seen order
  BOOST_TEST(t.id("zzz") == SymbolTable::kUnk);
  const SymbolTable back = SymbolTable::from_json(t.to_json(), true, "test");
  BOOST_TEST(back.to_json() == t.to_json());
  BOOST_CHECK_THROW(SymbolTable::from_json("{", true, "test"), FormatError);
  BOOST_CHECK_THROW(SymbolTable::from_json("[\"a\", \"a\"]", false, "test"), FormatError);
  BOOST_CHECK_THROW(SymbolTable::from_json("[\"a\"]", true, "test"), FormatError);  // no <pad>, <unk>
  SymbolTable tags(false);
  tags.add("NN");
  BOOST_TEST(tags.id("VB") == -1);
  const EncoderConfig c = tiny_config(2);
  BOOST_TEST(EncoderConfig::from_json(c.to_json(), "test").to_json() == c.to_json());
  BOOST_CHECK_THROW(EncoderConfig::from_json("{\"cell\": \"lstm\"}", "test"), FormatError);
}

// Central differences through word embeddings, the character BiLSTM nested inside the sentence BiLSTM (words of
// lengths 1–5 in one padded batch), and the sentence-level masking.
BOOST_AUTO_TEST_CASE(sentence_encoder_gradients_with_nested_character_recurrence) {
  const Sentences s = {{"a", "bcd", "efghi"}, {"bcd"}, {"ij", "k"}};
  for (nn::CellType cell : {nn::CellType::LSTM, nn::CellType::GRU}) {
    EncoderConfig config = tiny_config(2);
    config.cell = cell;
    const EncoderVocab vocab = EncoderVocab::build(s, config);
    const EncodedSentences data = vocab.encode(s, config);
    Rng rng(4);
    SentenceEncoder encoder(config, static_cast<index_t>(vocab.words.size()), static_cast<index_t>(vocab.chars.size()),
                            rng);
    const std::vector<std::size_t> items = {0, 1, 2};
    PaddedBatch batch;
    pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(data.words[i]); }, 0, batch);
    const auto r = nn::gradcheck_module(encoder, [&](ag::Tape& tape) {
      const ag::Var y = encoder.forward(tape, batch, data, rng);
      return ag::embedding(ag::reshape(y, Shape{batch.rows(), y.shape()[2]}), batch.real_rows);
    });
    BOOST_TEST(r.passed, r.report);
    BOOST_TEST(r.checked > 0u);
  }
}

// The loss of a padded batch is the token-weighted mean of each sentence's loss alone: padding changes nothing.
BOOST_AUTO_TEST_CASE(a_padded_tagger_batch_scores_like_its_sentences_alone) {
  const TagSentences s = toy_tagging(5, 11);
  EncoderConfig config = tiny_config(2);
  EncoderVocab vocab = EncoderVocab::build(s.words, config);
  const EncodedSentences data = vocab.encode(s.words, config);
  SymbolTable tags(false);
  for (const char* t : {"A", "B", "O"}) tags.add(t);
  std::vector<std::vector<std::int32_t>> gold;
  for (const auto& ts : s.tags) {
    gold.emplace_back();
    for (const auto& t : ts) gold.back().push_back(tags.id(t));
  }
  Rng rng(2);
  NeuralTagger tagger(config, vocab, tags, rng);
  tagger.eval();
  ag::Tape tape;
  std::vector<std::size_t> all(5);
  std::iota(all.begin(), all.end(), std::size_t{0});
  const double together = tagger.loss(tape, data, gold, all, rng).value()[0];
  double sum = 0, tokens = 0;
  for (std::size_t i : all) {
    tape.clear();
    const std::size_t one[] = {i};
    sum += tagger.loss(tape, data, gold, one, rng).value()[0] * static_cast<double>(s.words[i].size());
    tokens += static_cast<double>(s.words[i].size());
  }
  BOOST_TEST(together == sum / tokens, boost::test_tools::tolerance(1e-5));
}

// Characters let the tagger tag words it never saw (the tag depends on the first letter); the saved model tags
// exactly as the trained one.
BOOST_AUTO_TEST_CASE(tagger_learns_a_toy_task_and_round_trips) {
  const TagSentences train = toy_tagging(300, 1), valid = toy_tagging(50, 2);
  TagSentences unseen;
  unseen.words = {{"abcdef", "bafedc", "dabcab"}};  // longer than any training word
  unseen.tags = {{"A", "B", "O"}};
  TaggerTrainSpec spec;
  spec.encoder = tiny_config(8);
  spec.encoder.hidden = 16;
  spec.encoder.word_dim = 8;
  spec.encoder.char_hidden = 8;
  spec.encoder.word_dropout = 20.0f;  // often <unk> (p ≈ 0.2), so unseen words lean on their characters
  spec.train.epochs = 15;
  spec.train.lr = 0.01f;
  spec.train.batching.batch_size = 16;
  spec.train.progress = false;
  spec.save = temp_file("tagger.safetensors").string();
  std::ostringstream log;
  TaggerTrainResult r = train_tagger(train, valid, spec, log);
  BOOST_TEST(r.training.best_score >= 0.99, log.str());
  const auto got = tag_sentences(*r.tagger, unseen.words);
  BOOST_TEST(token_accuracy(got, unseen.tags) == 1.0, got[0][0] << got[0][1] << got[0][2] << log.str());
  const auto loaded = NeuralTagger::load(spec.save);
  BOOST_TEST((tag_sentences(*loaded, valid.words) == tag_sentences(*r.tagger, valid.words)));
  BOOST_CHECK_THROW(NeuralClassifier::load(spec.save), FormatError);  // a tagger is not a classifier
  std::filesystem::remove(spec.save);
}

// Polarity decided by one word anywhere in the sentence, "not" flipping it: learned with every pooling.
BOOST_AUTO_TEST_CASE(classifier_learns_negation_with_every_pooling) {
  Rng rng(8);
  const std::vector<std::string> filler = {"the", "film", "is", "a", "plot", "with", "actors", "and"};
  auto make = [&](std::size_t n) {
    ClassSentences s;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::string> w;
      const std::size_t len = 2 + rng.uniform_int(6);
      for (std::size_t t = 0; t < len; ++t) w.push_back(filler[rng.uniform_int(filler.size())]);
      const bool good = rng.uniform_int(2) == 1, negated = rng.uniform_int(2) == 1;
      const std::size_t at = rng.uniform_int(w.size());
      w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), good ? "good" : "bad");
      if (negated) w.insert(w.begin() + static_cast<std::ptrdiff_t>(at), "not");
      s.tokens.push_back(w);
      s.labels.push_back(good != negated ? 1 : 0);
    }
    return s;
  };
  const ClassSentences train = make(400), valid = make(100);
  for (Pool pool : {Pool::Last, Pool::Mean, Pool::Max}) {
    ClassifierTrainSpec spec;
    spec.encoder = tiny_config(0);
    spec.encoder.hidden = 12;
    spec.encoder.word_dim = 8;
    spec.pool = pool;
    spec.train.epochs = 25;
    spec.train.lr = 0.01f;
    spec.train.batching.batch_size = 16;
    spec.train.progress = false;
    std::ostringstream log;
    ClassifierTrainResult r = train_classifier(train, valid, spec, log);
    BOOST_TEST(r.training.best_score >= 0.95, pool_name(pool) << "\n" << log.str());
    if (pool == Pool::Mean) {
      const std::string path = temp_file("classifier.safetensors").string();
      r.classifier->save(path);
      const auto loaded = NeuralClassifier::load(path);
      BOOST_TEST((loaded->pool() == Pool::Mean));
      BOOST_TEST((classify_sentences(*loaded, valid.tokens) == classify_sentences(*r.classifier, valid.tokens)));
      std::filesystem::remove(path);
    }
  }
  BOOST_CHECK_THROW(parse_pool("median"), UsageError);
}

// Language-model initialisation: shared words get the LM's embedding rows, the forward cell of layer 0 the LM's
// weights; other words, the reverse cell and mismatched LMs are left alone or refused.
BOOST_AUTO_TEST_CASE(encoder_initialised_from_a_language_model) {
  ModelConfig c;
  c.kind = ModelKind::LSTM;
  c.emsize = 3;
  c.nhid = 4;
  c.nlayers = 1;
  const Vocab lm_vocab = Vocab::from_tokens({"<unk>", "</s>", "good", "film"});
  c.vocab = static_cast<index_t>(lm_vocab.size());
  Rng rng(3);
  LanguageModel lm(c, rng);
  const std::string path = temp_file("lm.safetensors").string();
  nn::save_checkpoint(path, {.model = &lm.module()}, SavedModel::model_metadata(c, lm_vocab, TokenLevel::Word));

  EncoderConfig e = tiny_config(0);
  e.word_dim = 3;
  e.hidden = 4;
  const Sentences s = {{"good", "plot"}, {"film"}};
  EncoderVocab vocab = EncoderVocab::build(s, e);
  SentenceEncoder encoder(e, static_cast<index_t>(vocab.words.size()), 2, rng);
  const Tensor reverse_before = encoder.rnn().cell(0, 1).W_hh().value();
  const Tensor plot_before = encoder.words().table().value();
  const LmInitReport r = init_encoder_from_lm(encoder, vocab.words, path);
  BOOST_TEST(r.words_total == 3u);   // good, plot, film
  BOOST_TEST(r.words_copied == 2u);  // plot is not in the LM
  BOOST_TEST(r.layers_copied == 1u);
  const Tensor& table = encoder.words().table().value();
  const Tensor& lm_table = lm.rnn().embedding().table().value();
  for (const char* w : {"good", "film"})
    for (index_t j = 0; j < 3; ++j)
      BOOST_TEST(table[vocab.words.id(w) * 3 + j] == lm_table[*lm_vocab.find(w) * 3 + j]);
  for (index_t j = 0; j < 3; ++j)
    BOOST_TEST(table[vocab.words.id("plot") * 3 + j] == plot_before[vocab.words.id("plot") * 3 + j]);
  const Tensor& w_hh = encoder.rnn().cell(0, 0).W_hh().value();
  for (index_t i = 0; i < w_hh.numel(); ++i) BOOST_TEST_REQUIRE(w_hh[i] == lm.rnn().rnn().cell(0).W_hh().value()[i]);
  const Tensor& reverse = encoder.rnn().cell(0, 1).W_hh().value();
  for (index_t i = 0; i < reverse.numel(); ++i) BOOST_TEST_REQUIRE(reverse[i] == reverse_before[i]);
  // A GRU classifier or another hidden size cannot start from this LSTM.
  e.hidden = 5;
  SentenceEncoder wider(e, static_cast<index_t>(vocab.words.size()), 2, rng);
  BOOST_CHECK_THROW(init_encoder_from_lm(wider, vocab.words, path), UsageError);
  e.hidden = 4;
  e.cell = nn::CellType::GRU;
  SentenceEncoder gru(e, static_cast<index_t>(vocab.words.size()), 2, rng);
  BOOST_CHECK_THROW(init_encoder_from_lm(gru, vocab.words, path), UsageError);
  std::filesystem::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()
