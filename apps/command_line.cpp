// Snake_case flags read as dashed ones, and "did you mean" for unknown subcommands and flags (command_line.hpp).
#include "apps/command_line.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace tapegrad::cli {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: Levenshtein plus the swap of two neighbouring characters ("trian" → "train"
// is 1), O(|a|·|b|).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

void collect_long_names(const CLI::App& app, std::set<std::string>& names) {
  for (const CLI::Option* opt : app.get_options())
    for (const std::string& n : opt->get_lnames()) names.insert(n);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) collect_long_names(*sub, names);
}

// The chain of parsed (sub)commands, the root first.
std::vector<CLI::App*> parsed_chain(CLI::App& root) {
  std::vector<CLI::App*> chain{&root};
  for (;;) {
    CLI::App* next = nullptr;
    for (CLI::App* sub : chain.back()->get_subcommands([](CLI::App* s) { return s->parsed() > 0; })) next = sub;
    if (next == nullptr) return chain;
    chain.push_back(next);
  }
}

// "tapegrad ngram train" for the chain root → ngram → train.
std::string command_path(const std::vector<CLI::App*>& chain) {
  std::string path;
  for (const CLI::App* a : chain) path += (path.empty() ? "" : " ") + a->get_name();
  return path;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The message for the first word the parser left over, or "" to keep CLI11's own.
std::string explain_leftover(const std::vector<CLI::App*>& chain, const std::string& word) {
  const CLI::App& here = *chain.back();
  const std::string path = command_path(chain);
  if (word.size() > 1 && word[0] == '-') {
    std::string typed = word.substr(0, word.find('='));
    const std::size_t name_start = typed.find_first_not_of('-');  // npos for "----": no name to compare
    std::string bare = name_start == std::string::npos ? "" : typed.substr(name_start);
    std::replace(bare.begin(), bare.end(), '_', '-');
    // Flags of this command and of the commands above it (--help, and e.g. ngram's --quiet after the subcommand).
    std::vector<std::string> names;
    for (const CLI::App* a : chain)
      for (const CLI::Option* opt : a->get_options()) {
        for (const std::string& n : opt->get_lnames()) names.push_back("--" + n);
        if (bare.size() == 1)
          for (const std::string& n : opt->get_snames()) names.push_back("-" + n);
      }
    std::vector<std::string> bare_names;
    for (const std::string& n : names) bare_names.push_back(n.substr(n.find_first_not_of('-')));
    const std::string best = bare.empty() ? "" : closest_name(bare, bare_names);
    std::string message = path + ": unknown flag '" + typed + "'";
    if (!best.empty()) {
      const auto it = std::find(bare_names.begin(), bare_names.end(), best);
      return message + "; did you mean '" + names[static_cast<std::size_t>(it - bare_names.begin())] + "'?";
    }
    return message + " (" + path + " --help lists the flags)";
  }
  const std::vector<const CLI::App*> subs = here.get_subcommands([](const CLI::App*) { return true; });
  if (subs.empty()) return "";  // an extra word after a command that takes none: CLI11's message says it
  std::vector<std::string> names;
  for (const CLI::App* s : subs) names.push_back(s->get_name());
  const std::string what = chain.size() == 1 ? "command" : here.get_name() + " command";
  const std::string best = closest_name(word, names);
  if (!best.empty()) return "unknown " + what + " '" + word + "'; did you mean '" + best + "'?";
  return "unknown " + what + " '" + word + "' (the " + what + "s are: " + joined(names) + ")";
}

}  // namespace

std::string closest_name(std::string_view typed, const std::vector<std::string>& names) {
  const std::string t = lower(typed);
  if (t.empty()) return "";
  const std::size_t allowed = t.size() <= 4 ? 1 : t.size() <= 8 ? 2 : 3;
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& n : names) {
    const std::size_t shorter = std::min(t.size(), n.size()), longer = std::max(t.size(), n.size());
    if (longer - shorter > allowed) continue;  // the distance is at least the difference of the lengths
    const std::size_t d = edit_distance(t, lower(n));
    if (d < best_distance) best = n, best_distance = d;  // the first of equally close names
  }
  if (!best.empty()) return best;
  if (t.size() < 3) return "";
  std::string prefixed;
  for (const std::string& n : names)
    if (lower(n).starts_with(t) && n != prefixed) {
      if (!prefixed.empty()) return "";
      prefixed = n;
    }
  return prefixed;
}

std::vector<std::string> dash_snake_case_flags(const CLI::App& app, const std::vector<std::string>& args) {
  std::set<std::string> names;
  collect_long_names(app, names);
  std::vector<std::string> out;
  bool options_ended = false;
  for (const std::string& a : args) {
    if (a == "--") options_ended = true;
    if (options_ended || a.size() < 3 || !a.starts_with("--") || a[2] == '-') {
      out.push_back(a);
      continue;
    }
    const std::size_t eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (name.find('_') == std::string::npos || names.contains(name)) {
      out.push_back(a);
      continue;
    }
    std::replace(name.begin(), name.end(), '_', '-');
    out.push_back(names.contains(name) ? "--" + name + (eq == std::string::npos ? "" : a.substr(eq)) : a);
  }
  return out;
}

void parse_command_line(CLI::App& app, const std::vector<std::string>& args) {
  const std::vector<std::string> dashed = dash_snake_case_flags(app, args);
  std::vector<const char*> argv;
  for (const std::string& a : dashed) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // Words the parser could not place: an unknown flag (ExtrasError), or an unknown subcommand, which CLI11 reports
    // as "A subcommand is required" (RequiredError). A typo is more likely the cause than a missing flag.
    const bool leftovers_matter = dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr ||
                                  dynamic_cast<const CLI::RequiredError*>(&e) != nullptr;
    if (!leftovers_matter) throw;
    const std::vector<CLI::App*> chain = parsed_chain(app);
    for (const CLI::App* a : chain)
      for (const std::string& word : a->remaining(false))
        if (const std::string message = explain_leftover(chain, word); !message.empty())
          throw CLI::ExtrasError(message, CLI::ExitCodes::ExtrasError);
    throw;
  }
}

}  // namespace tapegrad::cli
