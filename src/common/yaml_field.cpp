#include "suanli/common/yaml_field.hpp"

#include <algorithm>
#include <span>

#include "suanli/common/input_error.hpp"
#include "suanli/common/names.hpp"

namespace suanli {

std::string yaml_join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void yaml_fail(const std::string& file, const YamlField& at, const std::string& what) {
  throw InputError(located(file, at.line, at.path, what));
}

std::string yaml_scalar(const std::string& file, const YamlField& at, std::string_view expected) {
  if (!at.node.IsScalar()) {
    yaml_fail(file, at, "expected " + std::string(expected) + ", got " + yaml_shown(at.node));
  }
  return at.node.Scalar();
}

YamlMap::YamlMap(const std::string& file, const YamlField& self,
                 std::initializer_list<std::string_view> allowed)
    : file_(file), self_(self) {
  const std::span<const std::string_view> keys(allowed.begin(), allowed.size());
  if (!self.node.IsMap()) {
    fail(self, "expected a map with keys " + join_names(keys) + ", got " + yaml_shown(self.node));
  }
  for (const auto& kv : self.node) {
    const int key_line = yaml_line(kv.first, self.line);
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const YamlField key_field{kv.first, yaml_join(self.path, key), key_line};
    if (key.empty()) fail(key_field, "expected a key name, got " + yaml_shown(kv.first));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      fail(key_field, "unknown key '" + key + "' (allowed: " + join_names(keys) + ")" +
                          did_you_mean(key, keys));
    }
    if (const YamlField* first = find(key)) {
      fail(key_field,
           "duplicate key '" + key + "' (first given at line " + std::to_string(first->line) + ")");
    }
    // An empty value ("count:") has its mark on the next token: point at the key instead.
    const int value_line = kv.second.IsNull() ? key_line : yaml_line(kv.second, key_line);
    entries_.emplace_back(key, YamlField{kv.second, key_field.path, value_line});
  }
}

const YamlField* YamlMap::find(std::string_view key) const {
  for (const auto& [k, f] : entries_)
    if (k == key) return &f;
  return nullptr;
}

std::optional<YamlField> YamlMap::get(std::string_view key) const {
  if (const YamlField* f = find(key)) return *f;
  return std::nullopt;
}

const YamlField& YamlMap::require(std::string_view key, const std::string& why) const {
  if (const YamlField* f = find(key)) return *f;
  fail(YamlField{self_.node, yaml_join(self_.path, key), self_.line},
       "missing required key '" + std::string(key) + "'" + why);
}

}  // namespace suanli
