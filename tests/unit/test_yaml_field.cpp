// The checked YAML map every YAML reader reads its maps through.
#include <doctest/doctest.h>

#include <string>

#include "suanli/common/input_error.hpp"
#include "suanli/common/yaml_field.hpp"

using suanli::YamlField;
using suanli::YamlMap;

namespace {

YamlField root(const std::string& text) {
  const YAML::Node node = YAML::Load(text);
  return YamlField{node, "", suanli::yaml_line(node, 1)};
}

std::string error_of(const std::string& text, std::initializer_list<std::string_view> allowed) {
  try {
    const YamlMap m("p.yaml", root(text), allowed);
  } catch (const suanli::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a checked map gives its keys' values at their lines and paths") {
  const YamlMap m("p.yaml", root("name: a\nnodes:\n  count: 4\n"), {"name", "nodes"});
  REQUIRE(m.find("name") != nullptr);
  CHECK(m.find("name")->node.Scalar() == "a");
  CHECK(m.find("name")->line == 1);
  const YamlMap nodes("p.yaml", m.require("nodes"), {"count"});
  CHECK(nodes.require("count").path == "nodes.count");
  CHECK(nodes.require("count").line == 3);
  CHECK_FALSE(m.get("fabric").has_value());
  CHECK(m.entries().size() == 2);
}

TEST_CASE("an unknown key is an error at its line, with the allowed keys and a suggestion") {
  CHECK(error_of("name: a\nnodez: 4\n", {"name", "nodes", "fabric"}) ==
        "p.yaml:2: nodez: unknown key 'nodez' (allowed: name, nodes, fabric); did you mean "
        "'nodes'?");
  // A transposition is one edit.
  CHECK(error_of("nodse: 4\n", {"name", "nodes"}) ==
        "p.yaml:1: nodse: unknown key 'nodse' (allowed: name, nodes); did you mean 'nodes'?");
  CHECK(error_of("colour: red\n", {"name", "nodes"}) ==
        "p.yaml:1: colour: unknown key 'colour' (allowed: name, nodes)");
}

TEST_CASE("a repeated key, a missing key and a value of the wrong type name the key") {
  CHECK(error_of("name: a\nname: b\n", {"name"}) ==
        "p.yaml:2: name: duplicate key 'name' (first given at line 1)");
  CHECK(error_of("- a\n- b\n", {"name", "nodes"}) ==
        "p.yaml:1: expected a map with keys name, nodes, got a list");
  const YamlMap m("p.yaml", root("name: [1, 2]\n"), {"name", "nodes"});
  try {
    m.require("nodes");
    FAIL("no error");
  } catch (const suanli::InputError& e) {
    CHECK(std::string(e.what()) == "p.yaml:1: nodes: missing required key 'nodes'");
  }
  try {
    suanli::yaml_scalar(m.file(), m.require("name"), "a name");
    FAIL("no error");
  } catch (const suanli::InputError& e) {
    CHECK(std::string(e.what()) == "p.yaml:1: name: expected a name, got a list");
  }
}
