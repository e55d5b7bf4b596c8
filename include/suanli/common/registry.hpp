#pragma once
// The one shape of suanli's registries (policies, placements, routers, trace and request
// formats): a fixed list of entries, each with a `name` (as given on the command line or in
// a file) and whatever else its kind needs (a description, a factory, a reader), looked up
// by name. Unknown names are reported the same way everywhere:
//   unknown policy 'fifi' (known: fifo, sjf, easy); did you mean 'fifo'?
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/names.hpp"

namespace suanli {

template <class Entry>
class Registry {
 public:
  Registry(std::initializer_list<Entry> entries) : entries_(entries) {
    for (const Entry& e : entries_) names_.push_back(e.name);
  }

  // In registration order: the order --help lists them and auto-detection tries them.
  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<std::string_view>& names() const { return names_; }
  // "a, b, c".
  std::string known() const { return join_names(names_); }

  // nullptr when no entry has that name.
  const Entry* find(std::string_view name) const {
    for (const Entry& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }

  // "unknown <what> '<name>' (known: a, b, c)", with "; did you mean 'x'?" for a typo.
  std::string unknown_message(std::string_view what, std::string_view name) const {
    return unknown_name_message(what, name, names_);
  }

 private:
  std::vector<Entry> entries_;
  std::vector<std::string_view> names_;
};

}  // namespace suanli
