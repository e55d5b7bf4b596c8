#include "suanli/workload/symbol.hpp"

#include <deque>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <unordered_map>

namespace suanli::workload {

namespace {

// Texts by index (a deque: its elements never move, so str() references and the views the
// index holds stay valid as it grows), and the index of each text. Not thread-safe.
struct InternTable {
  std::deque<std::string> texts{std::string()};
  std::unordered_map<std::string_view, std::uint32_t> index;
};

InternTable& table() {
  static InternTable t;  // constructed on first use, so static Symbols may use it
  return t;
}

}  // namespace

std::uint32_t Symbol::intern(std::string_view text) {
  if (text.empty()) return 0;
  InternTable& t = table();
  if (const auto it = t.index.find(text); it != t.index.end()) return it->second;
  if (t.texts.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("Symbol: more than 2^32 distinct texts");
  }
  const auto id = static_cast<std::uint32_t>(t.texts.size());
  const std::string& stored = t.texts.emplace_back(text);
  t.index.emplace(stored, id);
  return id;
}

const std::string& Symbol::text_of(std::uint32_t id) {
  return table().texts[id];
}

std::size_t Symbol::table_size() {
  return table().texts.size();
}

std::ostream& operator<<(std::ostream& out, Symbol s) {
  return out << s.str();
}

}  // namespace suanli::workload
