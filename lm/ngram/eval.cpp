// Sentence scoring, perplexity, next-word distributions and sampling (see ngram_eval.hpp).
#include "lm/ngram/eval.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "lm/text/error.hpp"

namespace tapegrad::lm {

SentenceScore score_sentence(const NgramModel& model, std::span<const WordId> words) {
  SentenceScore out;
  out.tokens.reserve(words.size() + 1);
  Context context = model.sentence_start();
  auto add = [&](WordId w, const TokenScore& s) {
    out.tokens.push_back({w, s.log10_prob, s.ngram});
    out.log10_prob += s.log10_prob;
  };
  for (WordId w : words) add(w, model.next(context, w));
  add(Vocab::kEos, model.score(context, Vocab::kEos));
  return out;
}

EvalResult evaluate(const NgramModel& model, const IdCorpus& corpus) {
  EvalResult r;
  r.sentences = corpus.num_sentences();
  r.words = corpus.num_words();
  r.tokens = r.words + r.sentences;
  r.oov = corpus.oov;
  Context context = model.sentence_start();
  const Context start = context;
  for (std::size_t s = 0; s < corpus.num_sentences(); ++s) {
    context = start;
    const std::span<const WordId> words = corpus.sentence(s);
    for (std::size_t i = 0; i <= words.size(); ++i) {
      const WordId w = i < words.size() ? words[i] : Vocab::kEos;
      const double lp = i < words.size() ? model.next(context, w).log10_prob : model.score(context, w).log10_prob;
      if (std::isinf(lp)) {
        if (r.zero_prob++ == 0) {
          r.first_zero_sentence = s;
          r.first_zero_token = i;
        }
      } else {
        r.log10_prob += lp;
      }
    }
  }
  r.perplexity = r.zero_prob > 0 ? HUGE_VAL : std::pow(10.0, -r.log10_prob / static_cast<double>(r.tokens));
  return r;
}

std::string explain_infinite(const NgramModel& model, const IdCorpus& corpus, const EvalResult& r) {
  if (r.zero_prob == 0) return "";
  const auto words = corpus.sentence(r.first_zero_sentence);
  const std::size_t i = r.first_zero_token;
  const Vocab& v = model.vocab();
  std::ostringstream s;
  s << "perplexity is infinite: the " << model.name() << " model gives probability 0 to " << r.zero_prob << " of "
    << r.tokens << " tokens (n-grams never seen in training); the first is '"
    << (i < words.size() ? v.token(words[i]) : std::string(Vocab::kEosToken)) << "' after '";
  // The history the model saw: <s> w1 … w_i, of which the last order−1 tokens.
  std::vector<std::string> history{std::string(Vocab::kBosToken)};
  for (std::size_t j = 0; j < i; ++j) history.push_back(v.token(words[j]));
  const std::size_t keep = std::min(history.size(), static_cast<std::size_t>(model.order() - 1));
  for (std::size_t j = history.size() - keep; j < history.size(); ++j)
    s << (j > history.size() - keep ? " " : "") << history[j];
  s << "'";
  const std::size_t line = corpus.lines.empty() ? 0 : corpus.lines[r.first_zero_sentence];
  if (line > 0) s << " at " << corpus.source << ":" << line;
  return s.str();
}

std::vector<double> next_word_probs(const NgramModel& model, const Context& context) {
  std::vector<double> p(model.vocab().size());
  for (WordId w = 0; w < p.size(); ++w) p[w] = std::pow(10.0, model.score(context, w).log10_prob);
  return p;
}

std::vector<Prediction> top_k(const NgramModel& model, const Context& context, std::size_t k) {
  const std::vector<double> p = next_word_probs(model, context);
  std::vector<Prediction> all(p.size());
  for (WordId w = 0; w < p.size(); ++w) all[w] = {w, p[w]};
  k = std::min(k, all.size());
  std::partial_sort(
      all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(),
      [](const Prediction& a, const Prediction& b) { return a.prob != b.prob ? a.prob > b.prob : a.word < b.word; });
  all.resize(k);
  return all;
}

std::vector<WordId> generate(const NgramModel& model, Context context, Rng& rng, const GenerateOptions& options) {
  std::vector<WordId> out;
  while (out.size() < options.max_words) {
    std::vector<double> p = next_word_probs(model, context);
    if (!options.allow_unk) p[Vocab::kUnk] = 0;
    double total = 0;
    for (double x : p) total += x;
    if (!(total > 0)) break;
    // Inverse CDF over the ids in order: the first w whose cumulative mass exceeds u·total.
    const double u = rng.uniform_double() * total;
    double cumulative = 0;
    WordId pick = 0;
    for (WordId w = 0; w < p.size(); ++w) {
      if (p[w] <= 0) continue;
      pick = w;
      cumulative += p[w];
      if (u < cumulative) break;
    }
    if (pick == Vocab::kEos) break;
    out.push_back(pick);
    model.advance(context, pick);
  }
  return out;
}

}  // namespace tapegrad::lm
