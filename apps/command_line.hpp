// Reading tapegrad's command line the way users of the field type it: PyTorch's snake_case spellings of long flags
// (--batch_size for --batch-size) are read as the dashed names, and a mistyped subcommand or flag is answered with
// the closest name ("unknown command 'trian'; did you mean 'train'?") instead of CLI11's bare "A subcommand is
// required" or "The following arguments were not expected".
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::cli {

// Parses `args` (the program name first, as argv) with `app`. Throws CLI::ParseError as CLI::App::parse does
// (--help and --version included), an unknown word or flag as a CLI::ExtrasError whose message names it and
// suggests the closest known name of that (sub)command.
void parse_command_line(CLI::App& app, const std::vector<std::string>& args);

// `args` with every "--some_flag" (or "--some_flag=value") whose dashed form "--some-flag" is a long flag of some
// (sub)command of `app` rewritten to the dashed form. Nothing after a bare "--" changes; neither does anything that
// is not such a flag.
std::vector<std::string> dash_snake_case_flags(const CLI::App& app, const std::vector<std::string>& args);

// The name of `names` closest to `typed`: edit distance (insertions, deletions, substitutions and swaps of two
// neighbouring characters, case ignored) at most 1 for names of up to 4 characters, 2 up to 8, 3 beyond; or else
// the only name that starts with `typed` (3 characters at least). "" when there is none (or a tie of prefixes).
std::string closest_name(std::string_view typed, const std::vector<std::string>& names);

}  // namespace tapegrad::cli
