#pragma once
// Where a value of a YAML input is, for one-line errors naming file, line and field: the
// value, its field path ("deployments[0].tp") and its 1-based line; and the checked map
// every YAML reader (platform, deployments, LLM models, job mixes) reads its maps through, so
// that a misspelt key is an error that names the key, never a default silently kept.
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace suanli {

struct YamlField {
  YAML::Node node;
  std::string path;
  int line = 0;
};

// The node's 1-based line, or `fallback` when it has none (an absent key, a built node).
inline int yaml_line(const YAML::Node& node, int fallback) {
  if (!node.IsDefined()) return fallback;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark.line + 1;
}

// How a value reads in a message: "nothing", "a map", "a list" or the quoted scalar.
inline std::string yaml_shown(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "'" + node.Scalar() + "'";
}

// "path.key", or "key" at the top.
std::string yaml_join(const std::string& path, std::string_view key);

// InputError "file:line: path: what".
[[noreturn]] void yaml_fail(const std::string& file, const YamlField& at, const std::string& what);

// The text of a scalar; InputError "file:line: path: expected <expected>, got a map" (or a
// list, or nothing) when `at` is not one.
std::string yaml_scalar(const std::string& file, const YamlField& at, std::string_view expected);

// A YAML map of `file` whose keys were checked: each is a scalar name (else "expected a key
// name, got ..."), one of `allowed` (else "unknown key 'nodez' (allowed: name, nodes, ...);
// did you mean 'nodes'?") and given once (else "duplicate key 'x' (first given at line N)").
// Each error is at the key's line and path. A value's field is at the value's line, or at
// the key's when the value is empty ("count:" is marked at the next token).
class YamlMap {
 public:
  using Entries = std::vector<std::pair<std::string, YamlField>>;

  // InputError "expected a map with keys a, b, got ..." when `self` is not a map.
  YamlMap(const std::string& file, const YamlField& self,
          std::initializer_list<std::string_view> allowed);

  const std::string& file() const { return file_; }
  const YamlField& self() const { return self_; }
  // In file order.
  const Entries& entries() const { return entries_; }

  const YamlField* find(std::string_view key) const;
  std::optional<YamlField> get(std::string_view key) const;
  // InputError "missing required key 'x'" + why, at the map's line, when it is absent.
  const YamlField& require(std::string_view key, const std::string& why = "") const;

  [[noreturn]] void fail(const YamlField& at, const std::string& what) const {
    yaml_fail(file_, at, what);
  }

 private:
  std::string file_;
  YamlField self_;
  Entries entries_;
};

}  // namespace suanli
