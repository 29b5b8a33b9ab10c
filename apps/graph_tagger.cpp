// record_tagger_graph: builds a tiny neural tagger over the given sentences' own words and records its loss.
#include "apps/graph_tagger.hpp"

#include <numeric>
#include <sstream>

#include "ops/error.hpp"
#include "ops/random.hpp"

namespace tapegrad::cli {

namespace {

std::vector<std::string> words_of(const std::string& sentence) {
  std::istringstream in(sentence);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string quoted(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  return "“" + text + "”";
}

}  // namespace

TaggerGraph record_tagger_graph(autograd::Tape& tape, const TaggerGraphOptions& o) {
  if (o.sentences.empty()) throw UsageError("graph: the tagger needs a sentence (--sentence)");
  std::vector<std::vector<std::string>> sentences;
  for (const std::string& s : o.sentences) {
    sentences.push_back(words_of(s));
    if (sentences.back().empty()) throw UsageError("graph: --sentence '" + s + "' has no words");
  }

  lm::EncoderConfig config;
  config.cell = o.cell;
  config.form = o.form;
  config.layers = 1;
  config.hidden = o.hidden;
  config.word_dim = o.word_dim;
  config.char_dim = o.chars ? o.char_dim : 0;
  config.char_hidden = o.char_hidden;
  config.dropout = 0.0f;
  config.word_dropout = 0.0f;
  lm::EncoderVocab vocab = lm::EncoderVocab::build(sentences, config);
  const lm::EncodedSentences data = vocab.encode(sentences, config);
  lm::SymbolTable tags(false);
  for (const char* t : kMadeUpTags) tags.add(t);
  constexpr std::size_t n_tags = std::size(kMadeUpTags);
  std::vector<std::vector<std::int32_t>> gold;
  for (const auto& words : sentences) {
    gold.emplace_back(words.size());
    for (std::size_t t = 0; t < words.size(); ++t) gold.back()[t] = static_cast<std::int32_t>(t % n_tags);
  }

  TaggerGraph g;
  Rng rng(o.seed);
  g.tagger = std::make_unique<lm::NeuralTagger>(config, std::move(vocab), std::move(tags), rng);
  g.tagger->eval();
  std::vector<std::size_t> items(sentences.size());
  std::iota(items.begin(), items.end(), std::size_t{0});
  g.loss = g.tagger->loss(tape, data, gold, items, rng);

  std::size_t longest = 0;
  for (const auto& words : sentences) longest = std::max(longest, words.size());
  for (std::size_t t = 0; t < longest; ++t) {
    std::string caption;
    for (std::size_t b = 0; b < sentences.size(); ++b)
      caption += (b ? " | " : "") + (t < sentences[b].size() ? sentences[b][t] : std::string("<pad>"));
    g.step_captions.push_back(caption);
  }
  std::string on;
  for (const auto& words : sentences) on += (on.empty() ? "" : " and ") + quoted(words);
  std::string cell = nn::cell_type_name(o.cell);
  for (char& ch : cell) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  g.description = "Bi" + cell + " tagger (hidden 2×" + std::to_string(o.hidden) + ", words " +
                  std::to_string(o.word_dim) +
                  (o.chars ? ", chars " + std::to_string(o.char_dim) + " → 2×" + std::to_string(o.char_hidden) : "") +
                  ") on " + on + ", made-up tags";
  return g;
}

}  // namespace tapegrad::cli
