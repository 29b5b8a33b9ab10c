// The HMM's transition model from tag n-gram counts: deleted interpolation or Kneser-Ney (see tag_transitions.hpp).
#include "lm/tagging/tag_transitions.hpp"

#include <cmath>

#include "lm/ngram/kneser_ney.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

TransitionSmoothing parse_transition_smoothing(std::string_view name) {
  if (name == "tnt") return TransitionSmoothing::kDeletedInterpolation;
  if (name == "kn") return TransitionSmoothing::kKneserNey;
  throw UsageError("unknown transition smoothing '" + std::string(name) +
                   "' (valid: tnt = deleted interpolation, kn = Kneser-Ney)");
}

std::string_view transition_smoothing_name(TransitionSmoothing s) {
  return s == TransitionSmoothing::kKneserNey ? "kn" : "tnt";
}

NgramCounts TagTransitions::count(const TokenCorpus& train, const TagVocab& tags) {
  IdCorpus ids;
  ids.source = train.source();
  for (std::size_t s = 0; s < train.num_sentences(); ++s) {
    for (std::string_view t : train.tags(s)) {
      const auto id = tags.find(t);
      if (!id) throw UsageError("TagTransitions::count: the tag '" + std::string(t) + "' is not in the tag vocabulary");
      ids.ids.push_back(*id + 2);
    }
    ids.begin.push_back(ids.ids.size());
    ids.lines.push_back(train.line(s));
  }
  return NgramCounts::build(ids, tags.size() + 2, 3);
}

TagTransitions::TagTransitions(NgramCounts counts, std::size_t num_tags, TransitionSmoothing smoothing)
    : counts_(std::move(counts)), num_tags_(num_tags), smoothing_(smoothing) {
  const std::size_t T = num_tags_, width = T + 1;
  if (counts_.vocab_size != T + 2 || counts_.order() != 3 || counts_.tokens == 0)
    throw FormatError("tag transitions: counts of order " + std::to_string(counts_.order()) + " over " +
                      std::to_string(counts_.vocab_size) + " symbols, expected order 3 over " + std::to_string(T + 2) +
                      " (" + std::to_string(T) + " tags, <unk>, </s>)");
  const NgramTrie& trie = counts_.trie;
  const WordId bos = counts_.bos();
  // n-gram word of a tag or of the boundary: as a history the boundary is <s>, as the predicted word </s>
  auto history_word = [&](TagId t) -> WordId { return t == T ? bos : t + 2; };
  auto predicted_word = [&](TagId c) -> WordId { return c == T ? Vocab::kEos : c + 2; };
  auto f1 = [&](WordId w) { return double(counts_.count[0][w]); };
  const double N = double(counts_.tokens);

  // The rows: 0 … T−1 for an unseen history ending in tag b, T for the start, then one per seen history (a b).
  row_of_.resize(width * width);
  for (std::size_t a = 0; a < width; ++a)
    for (std::size_t b = 0; b < width; ++b) row_of_[a * width + b] = static_cast<std::uint32_t>(b);
  struct Seen {
    TagId a, b;
    std::uint32_t entry;  // level-2 entry of (a b)
  };
  std::vector<Seen> seen;
  for (TagId a = 0; a <= T; ++a) {
    const WordId wa = history_word(a);
    for (std::uint32_t e = trie.children_begin(1, wa); e < trie.children_end(1, wa); ++e) {
      const WordId wb = trie.word(2, e);
      if (wb < 2) continue;  // (a </s>) is no history
      row_of_[a * width + (wb - 2)] = static_cast<std::uint32_t>(width + seen.size());
      seen.push_back({a, wb - 2, e});
    }
  }
  rows_.assign((width + seen.size()) * width, 0.0f);

  if (smoothing_ == TransitionSmoothing::kDeletedInterpolation) {
    // λ: each training trigram votes, with its count, for the order whose held-out estimate is largest.
    double votes[3] = {0, 0, 0};
    auto held_out = [](double num, double den) { return den > 1 ? (num - 1) / (den - 1) : 0.0; };
    for (const Seen& s : seen) {
      const double fab = counts_.count[1][s.entry], fb = f1(s.b + 2);
      for (std::uint32_t e3 = trie.children_begin(2, s.entry); e3 < trie.children_end(2, s.entry); ++e3) {
        const double fabc = counts_.count[2][e3];
        const double fbc = counts_.count[1][counts_.suffix[2][e3]];
        const double fc = f1(trie.word(3, e3));
        const double r3 = held_out(fabc, fab), r2 = held_out(fbc, fb), r1 = held_out(fc, N);
        if (r3 >= r2 && r3 >= r1)
          votes[2] += fabc;
        else if (r2 >= r1)
          votes[1] += fabc;
        else
          votes[0] += fabc;
      }
    }
    const double total = votes[0] + votes[1] + votes[2];
    if (total > 0)
      for (int k = 0; k < 3; ++k) lambdas_[static_cast<std::size_t>(k)] = votes[k] / total;
    else
      lambdas_ = {1.0, 0.0, 0.0};  // no trigram at all: the unigram estimate
    const double l1 = lambdas_[0], l2 = lambdas_[1], l3 = lambdas_[2];

    // bigram[b·width + c] = f(b c)/f(b) for tags b and b = <s> (row T).
    std::vector<double> unigram(width), bigram(width * width, 0.0);
    for (TagId c = 0; c <= T; ++c) unigram[c] = f1(predicted_word(c)) / N;
    for (TagId b = 0; b <= T; ++b) {
      const WordId wb = history_word(b);
      const double fb = f1(wb);
      if (fb == 0) continue;
      for (std::uint32_t e = trie.children_begin(1, wb); e < trie.children_end(1, wb); ++e) {
        const WordId wc = trie.word(2, e);
        if (wc == Vocab::kUnk || wc == bos) continue;
        bigram[b * width + (wc == Vocab::kEos ? T : wc - 2)] = counts_.count[1][e] / fb;
      }
    }
    auto put = [&](std::size_t row, TagId c, double p) { rows_[row * width + c] = static_cast<float>(std::log(p)); };
    // Unseen histories: bigram and unigram renormalised (equal weights if deleted interpolation left them none).
    const double w2 = l1 + l2 > 0 ? l2 / (l1 + l2) : 0.5, w1 = l1 + l2 > 0 ? l1 / (l1 + l2) : 0.5;
    for (TagId b = 0; b < T; ++b)
      for (TagId c = 0; c <= T; ++c) put(b, c, w2 * bigram[b * width + c] + w1 * unigram[c]);
    for (TagId c = 0; c <= T; ++c) put(T, c, (l3 + l2) * bigram[T * width + c] + l1 * unigram[c]);  // <s> <s>
    std::vector<double> p(width);
    for (std::size_t r = 0; r < seen.size(); ++r) {
      const Seen& s = seen[r];
      for (TagId c = 0; c <= T; ++c) p[c] = l2 * bigram[s.b * width + c] + l1 * unigram[c];
      const double fab = counts_.count[1][s.entry];
      for (std::uint32_t e3 = trie.children_begin(2, s.entry); e3 < trie.children_end(2, s.entry); ++e3) {
        const WordId wc = trie.word(3, e3);
        p[wc == Vocab::kEos ? T : wc - 2] += l3 * counts_.count[2][e3] / fab;
      }
      for (TagId c = 0; c <= T; ++c) put(width + r, c, p[c]);
    }
    return;
  }

  // Kneser-Ney over the same counts: every row is the model's distribution after its context.
  std::vector<std::string> names{std::string(Vocab::kUnkToken), std::string(Vocab::kEosToken)};
  for (std::size_t t = 0; t < T; ++t) names.push_back("tag" + std::to_string(t));
  KnOptions kn;
  kn.discount_fallback = true;  // tiny training sets: fixed discounts rather than no model
  const BackoffModel model = estimate_kneser_ney(Vocab::from_tokens(names), counts_, kn);
  auto fill = [&](std::size_t row, const Context& context) {
    for (TagId c = 0; c <= T; ++c)
      rows_[row * width + c] = static_cast<float>(model.score(context, predicted_word(c)).log10_prob * std::log(10.0));
  };
  for (TagId b = 0; b < T; ++b) {
    Context context = model.no_context();
    model.advance(context, history_word(b));
    fill(b, context);
  }
  fill(T, model.sentence_start());
  for (std::size_t r = 0; r < seen.size(); ++r) {
    Context context = seen[r].a == T ? model.sentence_start() : model.no_context();
    if (seen[r].a != T) model.advance(context, history_word(seen[r].a));
    model.advance(context, history_word(seen[r].b));
    fill(width + r, context);
  }
}

}  // namespace tapegrad::lm
