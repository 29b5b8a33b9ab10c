// SymbolTable: the strings a model embeds (words, tags, labels) ↔ dense ids, with two reserved ids for models that
// read padded batches of text: 0 = "<pad>" (a padded step; never a real token) and 1 = "<unk>" (anything not in the
// table). Tables of outputs (tags, labels) are built without them (`reserved = false`). Stored in checkpoints as a
// JSON array of the strings in id order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tapegrad::lm {

class SymbolTable {
 public:
  static constexpr std::int32_t kPad = 0;
  static constexpr std::int32_t kUnk = 1;

  explicit SymbolTable(bool reserved = true);

  // Symbols with count ≥ min_count, most frequent first (ties: the symbol first seen first).
  static SymbolTable from_counts(const std::vector<std::pair<std::string, std::uint64_t>>& counts_in_first_seen_order,
                                 std::uint64_t min_count, bool reserved);

  std::int32_t add(std::string_view symbol);  // its id (a new one if it was not there)
  // The id, or kUnk (reserved tables) / −1 (others) when absent.
  std::int32_t id(std::string_view symbol) const;
  bool contains(std::string_view symbol) const { return index_.count(std::string(symbol)) > 0; }
  const std::string& symbol(std::int32_t id) const { return symbols_.at(static_cast<std::size_t>(id)); }
  std::size_t size() const { return symbols_.size(); }
  bool reserved() const { return reserved_; }

  std::string to_json() const;
  // From to_json()'s text; `source` names it in errors (FormatError).
  static SymbolTable from_json(const std::string& text, bool reserved, const std::string& source);

 private:
  bool reserved_;
  std::vector<std::string> symbols_;
  std::unordered_map<std::string, std::int32_t> index_;
};

}  // namespace tapegrad::lm
