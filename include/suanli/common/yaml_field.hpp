#pragma once
// Where a value of a YAML input is, for one-line errors naming file, line and field: the
// value, its field path ("deployments[0].tp") and its 1-based line. Shared by every YAML
// reader (platform, deployments, LLM models, job mixes).
#include <yaml-cpp/yaml.h>

#include <string>

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

}  // namespace suanli
