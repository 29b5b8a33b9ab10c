// SymbolTable: strings ↔ ids with <pad> and <unk> reserved (see symbol_table.hpp).
#include "lm/sequence/symbol_table.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "lm/text/error.hpp"

namespace tapegrad::lm {

SymbolTable::SymbolTable(bool reserved) : reserved_(reserved) {
  if (reserved) add("<pad>"), add("<unk>");
}

SymbolTable SymbolTable::from_counts(const std::vector<std::pair<std::string, std::uint64_t>>& counts,
                                     std::uint64_t min_count, bool reserved) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < counts.size(); ++i)
    if (counts[i].second >= min_count) order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return counts[a].second > counts[b].second; });
  SymbolTable table(reserved);
  for (std::size_t i : order) table.add(counts[i].first);
  return table;
}

std::int32_t SymbolTable::add(std::string_view symbol) {
  auto [it, inserted] = index_.emplace(std::string(symbol), static_cast<std::int32_t>(symbols_.size()));
  if (inserted) symbols_.emplace_back(symbol);
  return it->second;
}

std::int32_t SymbolTable::id(std::string_view symbol) const {
  const auto it = index_.find(std::string(symbol));
  if (it != index_.end()) return it->second;
  return reserved_ ? kUnk : -1;
}

std::string SymbolTable::to_json() const { return nlohmann::json(symbols_).dump(); }

SymbolTable SymbolTable::from_json(const std::string& text, bool reserved, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": not a symbol table (" + e.what() + ")");
  }
  if (!j.is_array()) throw FormatError(source + ": a symbol table must be a JSON array of strings");
  SymbolTable table(false);
  table.reserved_ = reserved;
  for (const auto& item : j) {
    if (!item.is_string()) throw FormatError(source + ": a symbol table holds a non-string entry " + item.dump());
    const auto before = table.size();
    table.add(item.get<std::string>());
    if (table.size() == before)
      throw FormatError(source + ": symbol '" + item.get<std::string>() + "' appears twice in the table");
  }
  if (reserved && (table.size() < 2 || table.symbol(kPad) != "<pad>" || table.symbol(kUnk) != "<unk>"))
    throw FormatError(source + ": a word table must start with <pad> and <unk>");
  return table;
}

}  // namespace tapegrad::lm
