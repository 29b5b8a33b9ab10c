// Using a neural language model saved by `tapegrad train` (the checkpoint holds the model, its vocabulary and its
// level):
//   tapegrad eval     --checkpoint M --data FILE           perplexity of a text (- : standard input)
//   tapegrad generate --checkpoint M [--prefix TEXT]       sample (--temperature, --top-k, --top-p, --seed), --greedy,
//                                                          or beam search (--beam N, --length-penalty α);
//                                                          --interactive: a prompt per line of standard input
//   tapegrad predict  --checkpoint M --context TEXT -k 10  the most probable next tokens
//   tapegrad score    --checkpoint M --text TEXT           log-probability of a sentence, token by token (or of
//                                                          each line of --data FILE, - : standard input)
// --json gives machine-readable output.
// A class-conditioned model (`tapegrad train-conditioned`, lm/conditioned/) is also used through `generate`, which then
// requires --label and writes one sentence of that label per line (-n of them, seeds seed, seed+1, …).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <unistd.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/commands.hpp"
#include "apps/flag_checks.hpp"
#include "apps/std_streams.hpp"
#include "lm/classify/labelled_corpus.hpp"
#include "lm/conditioned/conditioned_generate.hpp"
#include "lm/neural/beam_search.hpp"
#include "lm/neural/evaluate.hpp"
#include "lm/neural/generate.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/text_file.hpp"
#include "ops/error.hpp"
#include "ops/parallel.hpp"

namespace tapegrad::cli {

namespace {

using nlohmann::json;

struct Common {
  std::string checkpoint;
  int threads = 0;
  bool json_output = false;
};

void add_common(CLI::App* sub, Common& c) {
  sub->add_option("--checkpoint", c.checkpoint, "a model saved by tapegrad train (.safetensors)")->required();
  sub->add_option("--threads", c.threads, "kernel threads (0: the cores not busy with other processes)")->check(flag::threads());
  sub->add_flag("--json", c.json_output, "machine-readable output");
}

lm::SavedModel open(const Common& c) {
  if (c.threads > 0) ops::set_num_threads(c.threads);
  return lm::SavedModel::load(c.checkpoint);
}

std::string show(const lm::SavedModel& m, std::int32_t id) {
  std::string t = m.token_text(id);
  if (m.level == lm::TokenLevel::Char) {
    if (t == " ") return "' '";
    if (t == "\t") return "'\\t'";
  }
  return t;
}

}  // namespace

Command add_eval_command(CLI::App& app) {
  struct Options : Common {
    std::string data, encoding = "utf8";
    index_t batch = 10, bptt = 35;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("eval", "perplexity of a text under a neural language model");
  add_common(sub, *o);
  sub->add_option("--data", o->data, "text file (one sentence per line; - reads standard input)")->required();
  sub->add_option("--encoding", o->encoding, "text encoding of --data: utf8 (checked) | latin1 (ISO-8859-1, each byte one character)")
      ->capture_default_str()
      ->transform(flag::choice("text encoding", {"utf8", "latin1"},
                               {{"utf-8", "utf8"}, {"latin-1", "latin1"}, {"iso-8859-1", "latin1"}}));
  sub->add_option("--batch-size", o->batch, "parallel streams (1 counts every token)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxBatch));
  sub->add_option("--bptt", o->bptt, "time steps per window")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxSteps));
  return [o] {
    lm::SavedModel m = open(*o);
    const lm::TextEncoding encoding = lm::parse_encoding(o->encoding);
    const lm::TokenCorpus text =
        m.level == lm::TokenLevel::Word ? read_words(o->data, encoding) : read_chars(o->data, encoding);
    const lm::IdCorpus ids = m.vocab.encode(text);
    const std::vector<std::int32_t> stream = lm::to_stream(ids);
    lm::PerplexityOptions eo;
    eo.batch = o->batch;
    eo.bptt = o->bptt;
    const lm::Perplexity r = lm::evaluate(*m.model, stream, eo);
    if (o->json_output) {
      std::cout << json{{"perplexity", r.perplexity()}, {"loss", r.loss}, {"tokens", r.tokens}, {"oov", ids.oov}}.dump(
                       2)
                << "\n";
    } else {
      char line[200];
      std::snprintf(line, sizeof line,
                    "%s: perplexity %.2f (loss %.4f nats/token) over %lld tokens, %llu out of vocabulary\n",
                    input_name(o->data).c_str(), r.perplexity(), r.loss, static_cast<long long>(r.tokens),
                    static_cast<unsigned long long>(ids.oov));
      std::cout << line;
    }
    return 0;
  };
}

namespace {

struct GenerateOptions : Common {
  std::string prefix, label;
  lm::SampleOptions sample;
  index_t words = 0;  // --words: the length in words (PyTorch's word_language_model spelling); word-level models only
  index_t beam = 0;   // 0: sample; ≥ 1: beam search
  double length_penalty = 1.0;
  int count = 1;
  bool allow_unk = false, interactive = false;
  CLI::Option* label_flag = nullptr;
};

// The prompts: --prefix, or with --interactive each line of standard input (read as it comes, so a user at a
// terminal sees each continuation before typing the next prompt). f(prompt) writes the continuation.
template <class F>
void for_each_prompt(const GenerateOptions& o, F&& f) {
  if (!o.interactive) {
    f(o.prefix);
    return;
  }
  const bool terminal = ::isatty(STDIN_FILENO) != 0;
  for (;;) {
    if (terminal) std::cerr << "> " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    f(line);
    std::cout << std::flush;
  }
}

// Writes a prompt's results: text lines (several separated by "---"), or one JSON document — with --interactive one
// compact object per line (JSON lines), so a program can read each answer as it comes.
void print_results(const GenerateOptions& o, const std::string& prompt, const json& results,
                   const std::vector<std::string>& lines) {
  if (o.json_output) {
    if (o.interactive)
      std::cout << json{{"prefix", prompt}, {"results", results}}.dump() << '\n';
    else
      std::cout << results.dump(2) << '\n';
    return;
  }
  for (std::size_t i = 0; i < lines.size(); ++i)
    std::cout << lines[i] << (o.count > 1 && !o.label_flag->count() ? "\n---\n" : "\n");
}

// `generate` with a class-conditioned model: one sentence of the label per line, each stopping at </s>.
int generate_with_label(const GenerateOptions& o) {
  const std::unique_ptr<lm::ConditionedLM> model = lm::ConditionedLM::load(o.checkpoint);
  if (o.label_flag->count() == 0)
    throw UsageError(o.checkpoint + " is a class-conditioned model: give --label (the labels are: " +
                     model->label_list() + ")");
  if (o.beam > 0) throw UsageError("--beam applies to an ordinary language model; " + o.checkpoint +
                                   " is a class-conditioned one (it samples: --temperature, --top-k, --top-p)");
  if (o.words > 0) throw UsageError("--words applies to an ordinary language model: give --length");
  const std::int32_t label = model->label_id(o.label);
  for_each_prompt(o, [&](const std::string& prompt) {
    const std::vector<std::string> prefix_words = lm::split_on_space(prompt);
    const std::vector<std::int32_t> prefix = model->encode_words(prefix_words);
    std::string shown_prefix;
    for (const std::string& w : prefix_words) shown_prefix += w + " ";
    lm::ConditionedSampleOptions so;
    so.sample = o.sample;
    so.allow_unk = o.allow_unk;
    json all = json::array();
    std::vector<std::string> lines;
    for (int i = 0; i < o.count; ++i) {
      so.sample.seed = o.sample.seed + static_cast<std::uint64_t>(i);
      const std::string text = model->decode(lm::generate_conditioned(*model, label, prefix, so));
      all.push_back({{"seed", so.sample.seed}, {"label", o.label}, {"prefix", prompt}, {"text", text}});
      lines.push_back(shown_prefix + text);
    }
    print_results(o, prompt, all, lines);
  });
  return 0;
}

}  // namespace

Command add_generate_command(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* sub = app.add_subcommand("generate", "generate text with a neural language model (or sentences of a label "
                                                 "with a class-conditioned one: --label)");
  add_common(sub, *o);
  CLI::Option* prefix = sub->add_option("--prefix", o->prefix, "text to continue (empty: start of a text)");
  CLI::Option* length =
      sub->add_option("--length", o->sample.max_tokens, "tokens to generate (with --label: at most, per sentence)")
          ->capture_default_str()
          ->check(flag::whole(1, flag::kMaxTokens));
  sub->add_option("--words", o->words,
                  "words to generate (PyTorch's spelling of --length; word-level models only)")
      ->check(flag::whole(1, flag::kMaxTokens))
      ->excludes(length);
  CLI::Option* temperature = sub->add_option("--temperature", o->sample.temperature, "lower is more conservative")
                                 ->capture_default_str()
                                 ->check(flag::real_above(0, flag::kMaxTemperature));
  CLI::Option* top_k = sub->add_option("--top-k", o->sample.top_k, "sample among the k most probable tokens (0: all)")
                           ->capture_default_str()
                           ->check(flag::whole(0, flag::kMaxCount));
  CLI::Option* top_p =
      sub->add_option("--top-p", o->sample.top_p,
                      "nucleus sampling: among the fewest most probable tokens whose probability adds up to p "
                      "(after --temperature and --top-k; 1: all)")
          ->capture_default_str()
          ->check(flag::real_above(0, 1));
  CLI::Option* greedy = sub->add_flag("--greedy", o->sample.greedy, "always take the most probable token");
  sub->add_flag("--stop-at-eos", o->sample.stop_at_eos, "stop at the end of a sentence (always so with --label)");
  CLI::Option* seed = sub->add_option("--seed", o->sample.seed, "sampling seed")->capture_default_str();
  sub->add_option("--beam", o->beam,
                  "beam search with this many hypotheses (instead of sampling); -n N prints the N best")
      ->check(flag::whole(1, 1000))
      ->excludes(temperature)
      ->excludes(top_k)
      ->excludes(top_p)
      ->excludes(greedy)
      ->excludes(seed);
  sub->add_option("--length-penalty", o->length_penalty,
                  "beam search: rank hypotheses by log P / length^α (α = this; 0: log P; matters with --stop-at-eos)")
      ->capture_default_str()
      ->check(flag::real(0, 100));
  sub->add_option("-n,--count", o->count, "samples (seeds seed, seed+1, …); with --beam: the best hypotheses")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxCount));
  sub->add_flag("--interactive", o->interactive,
                "read prompts from standard input, one per line, and write a continuation of each (until end of "
                "input; with --json one object per line)")
      ->excludes(prefix);
  o->label_flag = sub->add_option("--label", o->label,
                                  "a class-conditioned model (tapegrad train-conditioned): the label of the sentences "
                                  "to write, one per line; required for such a model, refused for any other");
  sub->add_flag("--allow-unk", o->allow_unk, "with --label: <unk> may be drawn (by default it never is)");
  return [o, sub] {
    if (o->threads > 0) ops::set_num_threads(o->threads);
    if (sub->get_option("--length-penalty")->count() > 0 && o->beam == 0)
      throw UsageError("--length-penalty applies to beam search: give --beam N");
    if (o->beam > 0 && o->count > o->beam)
      throw UsageError("-n " + std::to_string(o->count) + " asks for more hypotheses than --beam " +
                       std::to_string(o->beam) + " keeps");
    if (lm::ConditionedLM::is_conditioned(nn::read_checkpoint_metadata(o->checkpoint)))
      return generate_with_label(*o);
    if (o->label_flag->count() > 0)
      throw UsageError("--label applies to a class-conditioned model (tapegrad train-conditioned); " + o->checkpoint +
                       " is an ordinary language model");
    if (o->allow_unk) throw UsageError("--allow-unk applies with --label to a class-conditioned model only");
    lm::SavedModel m = open(*o);
    if (o->words > 0) {
      if (m.level != lm::TokenLevel::Word)
        throw UsageError("--words counts words, and " + o->checkpoint +
                         " is a character-level model: give the length in characters with --length");
      o->sample.max_tokens = o->words;
    }
    lm::NextToken next(*m.model);
    const char* space = m.level == lm::TokenLevel::Word ? " " : "";
    for_each_prompt(*o, [&](const std::string& prompt) {
      const std::vector<std::int32_t> prefix = m.encode(prompt);
      const std::string shown = prompt + (prompt.empty() ? "" : space);
      json all = json::array();
      std::vector<std::string> lines;
      if (o->beam > 0) {
        lm::BeamOptions bo;
        bo.beam = o->beam;
        bo.length_penalty = o->length_penalty;
        bo.max_tokens = o->sample.max_tokens;
        bo.stop_at_eos = o->sample.stop_at_eos;
        const std::vector<lm::BeamHypothesis> best = lm::beam_search(next, prefix, bo);
        for (std::size_t i = 0; i < best.size() && i < static_cast<std::size_t>(o->count); ++i) {
          const std::string text = m.decode(best[i].tokens);
          all.push_back({{"rank", i + 1},
                         {"log_prob", best[i].log_prob},
                         {"score", best[i].score},
                         {"prefix", prompt},
                         {"text", text}});
          lines.push_back(shown + text);
        }
      } else {
        for (int i = 0; i < o->count; ++i) {
          lm::SampleOptions so = o->sample;
          so.seed = o->sample.seed + static_cast<std::uint64_t>(i);
          const std::string text = m.decode(lm::generate(next, prefix, so));
          all.push_back({{"seed", so.seed}, {"prefix", prompt}, {"text", text}});
          lines.push_back(shown + text);
        }
      }
      print_results(*o, prompt, all, lines);
    });
    return 0;
  };
}

Command add_predict_command(CLI::App& app) {
  struct Options : Common {
    std::string context;
    index_t k = 10;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("predict", "the most probable next tokens after a context");
  add_common(sub, *o);
  sub->add_option("--context", o->context, "the text so far")->required();
  sub->add_option("-k,--top", o->k, "how many (more than the vocabulary: all of it)")
      ->capture_default_str()
      ->check(flag::whole(1, flag::kMaxCount));
  return [o] {
    lm::SavedModel m = open(*o);
    std::size_t unknown = 0;
    const std::vector<std::int32_t> ctx = m.encode(o->context, &unknown);
    lm::NextToken next(*m.model);
    const auto best = lm::top_next(next, ctx, o->k);
    if (o->json_output) {
      json j = json::array();
      for (const auto& [id, p] : best) j.push_back({{"token", m.token_text(id)}, {"probability", p}});
      std::cout << json{{"context", o->context}, {"unknown_words", unknown}, {"next", j}}.dump(2) << "\n";
    } else {
      std::cout << "after \"" << o->context << "\"" << (unknown ? " (" + std::to_string(unknown) + " unknown)" : "")
                << ":\n";
      int rank = 1;
      for (const auto& [id, p] : best) {
        char line[160];
        std::snprintf(line, sizeof line, "%3d. %-20s %.6f\n", rank++, show(m, id).c_str(), p);
        std::cout << line;
      }
    }
    return 0;
  };
}

Command add_score_command(CLI::App& app) {
  struct Options : Common {
    std::vector<std::string> texts;
    std::string data;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("score", "log-probability of sentences under a neural language model");
  add_common(sub, *o);
  CLI::Option* text = sub->add_option("--text", o->texts, "a sentence (repeatable); </s> is scored at its end");
  sub->add_option("--data", o->data, "a file of sentences, one per line (UTF-8; - reads standard input)")
      ->excludes(text);
  return [o] {
    if (o->texts.empty() == o->data.empty())
      throw UsageError("score: give sentences with --text, or a file of them with --data");
    std::vector<std::string> texts = o->texts;
    if (!o->data.empty()) {
      const std::string bytes = read_input(o->data);
      lm::check_text(bytes, input_name(o->data));
      lm::for_each_line(bytes, [&](std::size_t, std::string_view line) {
        if (line.find_first_not_of(" \t") != std::string_view::npos) texts.emplace_back(line);
      });
    }
    lm::SavedModel m = open(*o);
    lm::NextToken next(*m.model);
    json all = json::array();
    for (const std::string& text : texts) {
      std::vector<std::int32_t> ids = m.encode(text);
      ids.push_back(static_cast<std::int32_t>(lm::Vocab::kEos));
      const std::vector<double> lp = lm::token_log_probs(next, ids);
      double total = 0;
      for (double v : lp) total += v;
      if (o->json_output) {
        json tokens = json::array();
        for (std::size_t i = 0; i < ids.size(); ++i)
          tokens.push_back({{"token", m.token_text(ids[i])}, {"log_prob", lp[i]}});
        all.push_back({{"text", text},
                       {"log_prob", total},
                       {"perplexity", std::exp(-total / static_cast<double>(ids.size()))},
                       {"tokens", tokens}});
      } else {
        char line[200];
        std::snprintf(line, sizeof line, "\"%s\": log P = %.4f (ln), %.4f (log10), perplexity %.2f over %zu tokens\n",
                      text.c_str(), total, total / std::log(10.0), std::exp(-total / static_cast<double>(ids.size())),
                      ids.size());
        std::cout << line;
        for (std::size_t i = 0; i < ids.size(); ++i) {
          std::snprintf(line, sizeof line, "  %-20s %9.4f  (p = %.6f)\n", show(m, ids[i]).c_str(), lp[i],
                        std::exp(lp[i]));
          std::cout << line;
        }
      }
    }
    if (o->json_output) std::cout << all.dump(2) << "\n";
    return 0;
  };
}

}  // namespace tapegrad::cli
