// The trigram HMM tagger: training, the lattice of a sentence, decoding, its file (see hmm_tagger.hpp).
#include "lm/tagging/hmm_tagger.hpp"

#include <cmath>
#include <cstdio>

#include "lm/tagging/tagger_file.hpp"
#include "lm/text/error.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

using nlohmann::json;

HmmTagger::HmmTagger(Tagset tagset, TagVocab tags, HmmOptions options, TagLexicon lexicon, NgramCounts counts)
    : Tagger(tagset, std::move(tags)), options_(options), lexicon_(std::move(lexicon)) {
  if (!(options_.beam == 0 || options_.beam > 1))
    throw UsageError("HMM tagger: the beam must be 0 (exact decoding) or a factor above 1, not " +
                     std::to_string(options_.beam));
  transitions_ = std::make_shared<const TagTransitions>(std::move(counts), this->tags().size(), options_.smoothing);
  suffixes_ = SuffixModel::build(lexicon_, this->tags(), options_.suffix);
  for (TagId t = 0; t < this->tags().size(); ++t)
    log_tag_count_.push_back(static_cast<float>(std::log(double(this->tags().count(t)))));
}

HmmTagger HmmTagger::train(const TokenCorpus& train, Tagset tagset, const HmmOptions& options) {
  TagVocab tags = TagVocab::build(train);
  TagLexicon lexicon = TagLexicon::build(train, tags);
  NgramCounts counts = TagTransitions::count(train, tags);
  return HmmTagger(tagset, std::move(tags), options, std::move(lexicon), std::move(counts));
}

std::string HmmTagger::describe() const {
  const auto& l = transitions_->lambdas();
  char buf[160];
  if (options_.smoothing == TransitionSmoothing::kDeletedInterpolation)
    std::snprintf(buf, sizeof buf, "deleted interpolation (l1 %.3f, l2 %.3f, l3 %.3f)", l[0], l[1], l[2]);
  else
    std::snprintf(buf, sizeof buf, "Kneser-Ney");
  char theta[64], beam[64];
  std::snprintf(theta, sizeof theta, "%.4f", suffixes_.theta());
  if (options_.beam > 0)
    std::snprintf(beam, sizeof beam, "%g", options_.beam);
  else
    std::snprintf(beam, sizeof beam, "off (exact)");
  return "trigram HMM (" + std::string(tagset_name(tagset())) + " tags: " + std::to_string(tags().size()) +
         "), transitions " + buf + ", " + group_digits(lexicon_.size()) +
         " word forms, suffixes of words seen <= " + std::to_string(options_.suffix.rare_max) + " times up to " +
         std::to_string(options_.suffix.max_suffix) + " bytes (theta " + theta + "), beam " +
         (options_.beam > 0 ? std::to_string(int(options_.beam)) : "off");
}

void HmmTagger::lattice(std::span<const std::string_view> words, Lattice& out) const {
  out.clear();
  std::vector<TagId> tags;
  std::vector<float> scores;
  for (std::string_view w : words) {
    out.next_position();
    if (const TagLexicon::Entry* e = lexicon_.find(w)) {
      for (const TagCount& c : e->tags)  // log P(w | t) = log c(w, t) − log c(t)
        out.add(c.tag, static_cast<float>(std::log(double(c.count))) - log_tag_count_[c.tag]);
    } else {
      tags.clear();
      scores.clear();
      suffixes_.emissions(w, tags, scores);
      for (std::size_t i = 0; i < tags.size(); ++i) out.add(tags[i], scores[i]);
    }
  }
}

ViterbiResult HmmTagger::decode(std::span<const std::string_view> words) const {
  Lattice l;
  lattice(words, l);
  return viterbi(*transitions_, l, options_.beam);
}

std::vector<TagId> HmmTagger::tag(std::span<const std::string_view> words) const { return decode(words).tags; }

void HmmTagger::save(const std::string& path) const {
  json j = tagger_header(kKind, tagset(), tags());
  j["options"] = {{"smoothing", std::string(transition_smoothing_name(options_.smoothing))},
                  {"rare_max", options_.suffix.rare_max},
                  {"max_suffix", options_.suffix.max_suffix},
                  {"beam", options_.beam}};
  json words = json::object();
  lexicon_.for_each([&](std::string_view word, const TagLexicon::Entry& e) {
    json pairs = json::array();
    for (const TagCount& c : e.tags) pairs.push_back({c.tag, c.count});
    words[std::string(word)] = std::move(pairs);
  });
  j["words"] = std::move(words);
  j["tag_ngrams"] = ngram_counts_to_json(transitions_->counts());
  write_tagger_file(path, j);
}

HmmTagger HmmTagger::load(const std::string& path) { return from_file(read_tagger_file(path)); }

HmmTagger HmmTagger::from_file(const TaggerFile& file) {
  expect_kind(file, kKind);
  const json& j = file.json;
  try {
    HmmOptions o;
    const json& jo = j.at("options");
    o.smoothing = parse_transition_smoothing(jo.at("smoothing").get<std::string>());
    o.suffix.rare_max = jo.at("rare_max").get<std::uint64_t>();
    o.suffix.max_suffix = jo.at("max_suffix").get<std::size_t>();
    o.beam = jo.at("beam").get<double>();
    const std::size_t num_tags = file.header.tags.size();
    TagLexicon lexicon;
    for (const auto& [word, pairs] : j.at("words").items())
      for (const json& p : pairs) lexicon.add(word, p.at(0).get<TagId>(), p.at(1).get<std::uint64_t>(), num_tags);
    NgramCounts counts = ngram_counts_from_json(j.at("tag_ngrams"), file.path);
    return HmmTagger(file.header.tagset, file.header.tags, o, std::move(lexicon), std::move(counts));
  } catch (const json::exception& e) {
    throw FormatError(where(file.path) + "bad HMM tagger: " + e.what());
  } catch (const UsageError& e) {
    throw FormatError(where(file.path) + "bad HMM tagger: " + e.what());
  }
}

}  // namespace tapegrad::lm
