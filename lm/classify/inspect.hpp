// Looking inside a trained sentence classifier (lm/classify/neural_classifier.hpp): what the first recurrent layer
// does token by token, and what removing a negation does to the prediction.
//
// inspect_sentence runs the classifier on one sentence in evaluation mode and recomputes, from the cell's parameters
// and the token vectors x_t the encoder fed to its RNN, every step of layer 0 in each direction. For an LSTM (gate
// blocks i, f, g, o of W_ih (I × 4H), W_hh (H × 4H), b (4H); nn/lstm_cell.hpp):
//   a = x_t W_ih + h_prev W_hh + b,  i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
//   c_t = f ⊙ c_prev + i ⊙ g,  h_t = o ⊙ tanh(c_t)
// and for a GRU (blocks r, z, n; nn/gru_cell.hpp) r = σ(a_r), z = σ(a_z), n = tanh(x W_n + b_n + (r ⊙ h_prev) U_n)
// (or, reset after, tanh(x W_n + b_n + r ⊙ (h_prev U_n + b_hn))), h_t = (1 − z) ⊙ h_prev + z ⊙ n.
// "prev" is t − 1 for the forward direction and t + 1 for the backward one, zeros before the first step. The
// recomputed h_t is compared with the encoder's own outputs (max_h_difference): the trace is what the model computed,
// not a re-implementation that may drift from it. A plain RNN has no gates: inspect_sentence refuses it.
// The prefix probabilities are P(class | tokens 0 … t): the sentence cut after token t, classified from scratch (for a
// bidirectional encoder the backward direction then starts at token t, not at the end of the sentence).
//
// The negation study (negation_study) takes the sentences of a labelled corpus holding a negator, removes it (a
// contraction such as "doesn't" becomes "does"), and classifies both versions; a control removes as many random other
// tokens of the same sentence instead. It reports how often the predicted class flips and how far P(positive) moves,
// and the gate activations at the negators against those at every other token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lm/classify/labelled_corpus.hpp"
#include "lm/classify/neural_classifier.hpp"

namespace tapegrad::lm {

// One direction of the first recurrent layer over one sentence; every per-step vector is indexed by token position t
// (also for the backward direction, which computes t = T−1 first).
struct DirectionTrace {
  std::string name;                                    // "forward" | "backward"
  std::vector<std::string> gate_names;                 // LSTM: input, forget, output; GRU: reset, update
  std::vector<std::vector<std::vector<double>>> gates;  // [gate][t][unit], each in (0, 1)
  std::vector<std::vector<double>> h;                  // [t][unit], recomputed
  std::vector<std::vector<double>> c;                  // [t][unit] for an LSTM, else empty

  std::size_t steps() const { return h.size(); }
  double gate_mean(std::size_t gate, std::size_t t) const;  // (1/H) Σ_j gate_j(t)
  double h_norm(std::size_t t) const;                       // ‖h_t‖₂
  double c_norm(std::size_t t) const;                       // ‖c_t‖₂ (LSTM only; NaN otherwise)
  // The step this direction computed just before t (t − 1 forward, t + 1 backward), or nullopt at its first step.
  std::optional<std::size_t> previous(std::size_t t) const;
};

struct SentenceTrace {
  std::vector<std::string> tokens;
  std::vector<bool> known;          // the word has a row of its own in the model's word table (else read as <unk>)
  std::vector<std::string> labels;  // the classifier's class names
  std::string model;                // one line: cell, sizes, pooling
  std::string cell;                 // "lstm" | "gru"
  index_t hidden = 0, layers = 0;
  std::vector<double> probabilities;                      // P(class | whole sentence)
  std::vector<std::vector<double>> prefix_probabilities;  // [t][class]: P(class | tokens 0 … t); empty if not asked
  std::vector<DirectionTrace> directions;                 // forward, then backward when bidirectional
  double max_h_difference = 0;  // max |recomputed h_t − the encoder's h_t| over steps, units, directions

  int predicted() const;  // argmax of probabilities (lowest id on a tie)
};

// The trace of one sentence (tokens as split_on_space gives them). `prefixes` adds the prefix probabilities (one
// more classification per token). The model is left in the training mode it was in. Throws UsageError for an empty
// sentence or a plain-RNN encoder.
SentenceTrace inspect_sentence(NeuralClassifier& model, const std::vector<std::string>& tokens, bool prefixes = true);

struct TraceSvgOptions {
  // The per-unit maps show each activation g_j(t) on the 0 … 1 scale, instead of its deviation from the unit's mean
  // over the sentence, g_j(t) − (1/T) Σ_u g_j(u), on a diverging scale fitted to the figure (the default: a trained
  // gate's changes from token to token are often a few hundredths, invisible on the 0 … 1 scale).
  bool absolute = false;
};
// The trace as one standalone SVG document: token labels, P(class | prefix) per step, per direction the mean of each
// gate and ‖c_t‖, ‖h_t‖ per step, then one heat map (units × time) per gate. Deterministic.
std::string trace_svg(const SentenceTrace& trace, const TraceSvgOptions& options = {});
// The per-step table printed by `tapegrad inspect` (one line per token).
std::string trace_table(const SentenceTrace& trace);
// The whole trace (per-unit values included) as JSON.
std::string trace_json(const SentenceTrace& trace);

// ---- negation ----

// "not", "n't", or a contraction ending in n't made of letters only ("doesn't", "can't"; not "show-don't-tell").
bool is_negator(std::string_view token);
// What removing the negator leaves: "" for "not" / "n't" (the token goes), otherwise the affirmative verb of the
// contraction: the letters before n't ("doesn't" → "does"), except can't → can, won't → will, shan't → shall,
// ain't → is.
std::string affirmative(std::string_view negator);

struct NegationEdit {
  std::vector<std::size_t> negators;  // positions of the negators in the original sentence
  std::vector<std::string> without_negation;  // every negator removed (a contraction made affirmative)
  std::vector<std::size_t> removed;  // the control: positions of the random non-negator tokens removed
  std::vector<std::string> control;  // the sentence without them (as many tokens removed as there are negators)
};
// nullopt when the sentence holds no negator, or fewer than negators + 1 other tokens (the control would leave it
// empty, or the edit would). The control's positions are drawn from rng (a partial Fisher-Yates shuffle of the
// non-negator positions), so the same rng state gives the same edit.
std::optional<NegationEdit> negation_edit(const std::vector<std::string>& tokens, Rng& rng);

// How the edited sentences' predictions differ from the originals'.
struct ChangeStats {
  std::size_t sentences = 0;
  std::size_t flips = 0;              // predicted class differs
  double mean_abs_change = 0;         // mean |P'(positive) − P(positive)|
  double median_abs_change = 0;
  double mean_change = 0;             // mean signed P'(positive) − P(positive)
};

// Gate activations (mean over units) at one kind of position, over the steps that have a previous step in their
// direction (the first step of each direction starts from zeros and is left out of every group alike).
struct GateStats {
  std::size_t steps = 0;
  double mean = 0, sd = 0;          // of the unit-mean activation, over those steps (sample sd)
  double mean_abs_change = 0;       // mean over steps of (1/H) Σ_j |g_j(t) − g_j(previous)|
};

// A control for the gates: the positions the control edit removes (random non-negator tokens of the same sentences,
// as many as there are negators) go through the same statistics as the negators, so that "the negators differ from
// the other tokens by d" can be read against "a random token of the same sentences differs by d' ".
struct GateComparison {
  std::string direction, gate;
  GateStats negator, random, other;  // other: every non-negator step (the random ones included)
  // The unit whose mean activation differs most between the negators and the other tokens, and the largest such
  // difference of any unit for the random tokens (what picking the most different of H units finds by chance).
  int unit = -1;
  double unit_at_negator = 0, unit_at_other = 0;
  double random_unit_difference = 0;
  // The word "not" against every word type seen at least NegationStudy::min_type_count times in the studied sentences
  // (steps that have a previous step): per type, the largest |per-unit mean at the type − per-unit mean over all
  // steps|, and the type's mean |change|. Rank 1 = the largest of all those types; 0 when "not" is too rare.
  double not_unit_difference = 0, not_change = 0;
  std::size_t not_unit_rank = 0, not_change_rank = 0;
};

struct NegationExample {
  std::size_t line = 0;  // in its file
  std::string gold;
  SentenceTrace trace;  // of the original sentence (prefix probabilities included)
  NegationEdit edit;
  double p_positive = 0, p_without = 0, p_control = 0;
};

struct NegationStudy {
  std::string source;
  std::string positive_label;         // the class whose probability is tracked
  std::vector<std::string> labels;    // the classifier's classes
  std::uint64_t seed = 0;
  std::size_t sentences = 0;          // in the corpus given
  std::size_t with_negator = 0;       // holding a negator
  std::size_t skipped = 0;            // with a negator but too short for the edit and its control
  std::size_t with_not = 0, with_contraction = 0;  // of the studied ones, by kind of negator (a sentence may have both)
  std::size_t several_negators = 0;   // of the studied ones, with more than one negator
  ChangeStats negation_removed, control;                 // every studied sentence
  ChangeStats not_removed, not_control;                  // those whose negators are all "not" / "n't"
  ChangeStats contraction_removed, contraction_control;  // those holding a contraction
  // By the class predicted for the original sentence (index = class id): a model that reads a negator as an operator
  // moves P(positive) in opposite directions for "not good" (predicted negative) and "not bad" (predicted positive);
  // one that reads it as a negative word raises P(positive) in both when it is removed.
  std::vector<ChangeStats> removed_by_prediction, control_by_prediction;
  std::size_t negation_moved_more = 0;  // sentences where |ΔP| of the negation edit exceeds the control's
  double accuracy_original = 0;         // on the studied sentences, against the gold labels
  std::vector<GateComparison> gates;    // per direction and gate
  std::size_t min_type_count = 20;      // word types compared with "not" (see GateComparison)
  std::size_t types_compared = 0;       // how many word types (and "not" among them) were seen that often
  std::vector<NegationExample> examples;
};

// The study over every sentence of `corpus` (e.g. the fixed split's test part); `examples` sentences (the first ones
// with a negator in the corpus order) get their traces kept. Deterministic for a seed.
NegationStudy negation_study(NeuralClassifier& model, const LabelledCorpus& corpus, std::uint64_t seed = 1,
                             std::size_t examples = 3);
std::string negation_report(const NegationStudy& study);  // text, as `tapegrad inspect negation` prints it
std::string negation_json(const NegationStudy& study);

// The shared summary of paired changes (exposed for the tests).
ChangeStats change_stats(const std::vector<double>& before, const std::vector<double>& after,
                         const std::vector<int>& class_before, const std::vector<int>& class_after);

}  // namespace tapegrad::lm
