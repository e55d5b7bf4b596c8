#pragma once
// A short string that many jobs share (a GPU model, a user, a trace state, a job type),
// stored once in a process-wide intern table and referred to by a 4-byte index: a Job then
// holds five of them in 20 bytes instead of 160, and comparing two of them is comparing two
// integers. Index 0 is the empty string, so a default Symbol is empty.
//
// The table only grows: every distinct text interned stays for the life of the process
// (traces repeat a few hundred such values, not millions). It is NOT thread-safe: interning
// and reading must happen on one thread. suanli runs single-threaded (SimGrid actors are
// cooperative in one thread, `compare` forks processes); code that reads workloads on
// several threads must add a lock here first.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/core.h>

namespace suanli::workload {

class Symbol {
 public:
  Symbol() = default;
  // Implicit on purpose: `job.user = "u1"` and `job.gpu_type = text` read as for a string.
  Symbol(std::string_view text) : id_(intern(text)) {}
  Symbol(const std::string& text) : id_(intern(text)) {}
  Symbol(const char* text) : id_(intern(text)) {}

  Symbol& operator=(std::string_view text) { return assign(text); }
  Symbol& operator=(const std::string& text) { return assign(text); }
  Symbol& operator=(const char* text) { return assign(text); }
  Symbol& assign(std::string_view text) {
    id_ = intern(text);
    return *this;
  }
  void clear() { id_ = 0; }

  // The text; the reference stays valid for the life of the process.
  const std::string& str() const { return text_of(id_); }
  std::string_view view() const { return str(); }
  const char* c_str() const { return str().c_str(); }
  bool empty() const { return id_ == 0; }
  std::size_t size() const { return str().size(); }
  // Where `c` or `text` first occurs in the text, as std::string::find.
  std::size_t find(char c, std::size_t from = 0) const { return str().find(c, from); }
  std::size_t find(std::string_view text, std::size_t from = 0) const {
    return str().find(text, from);
  }
  // The index in the intern table: equal texts, equal indices (0 = empty).
  std::uint32_t index() const { return id_; }

  operator const std::string&() const { return str(); }
  operator std::string_view() const { return view(); }

  friend bool operator==(Symbol a, Symbol b) { return a.id_ == b.id_; }
  friend bool operator==(Symbol a, std::string_view b) { return a.view() == b; }
  friend bool operator==(Symbol a, const std::string& b) { return a.view() == b; }
  friend bool operator==(Symbol a, const char* b) { return a.view() == b; }
  // Ordered by text, as the strings it replaces were (maps keyed by it sort the same).
  friend std::strong_ordering operator<=>(Symbol a, Symbol b) {
    return a.id_ == b.id_ ? std::strong_ordering::equal : a.view() <=> b.view();
  }
  friend std::strong_ordering operator<=>(Symbol a, std::string_view b) { return a.view() <=> b; }
  friend std::strong_ordering operator<=>(Symbol a, const std::string& b) {
    return a.view() <=> std::string_view(b);
  }
  friend std::strong_ordering operator<=>(Symbol a, const char* b) {
    return a.view() <=> std::string_view(b);
  }

  friend std::string operator+(const std::string& a, Symbol b) { return a + b.str(); }
  friend std::string operator+(Symbol a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, Symbol b) { return a + b.str(); }
  friend std::string operator+(Symbol a, const char* b) { return a.str() + b; }

  // How many distinct texts have been interned (the empty string included).
  static std::size_t table_size();

 private:
  static std::uint32_t intern(std::string_view text);
  static const std::string& text_of(std::uint32_t id);

  std::uint32_t id_ = 0;
};

static_assert(sizeof(Symbol) == 4);

inline std::string& operator+=(std::string& out, Symbol s) {
  return out += s.str();
}
std::ostream& operator<<(std::ostream& out, Symbol s);

}  // namespace suanli::workload

template <>
struct std::hash<suanli::workload::Symbol> {
  std::size_t operator()(suanli::workload::Symbol s) const noexcept { return s.index(); }
};

// fmt 9 (Debian bookworm) has no format_as: format as the text, with string format specs.
template <>
struct fmt::formatter<suanli::workload::Symbol> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(suanli::workload::Symbol s, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};
