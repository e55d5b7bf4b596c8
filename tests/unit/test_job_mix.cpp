// The mix file of `workload generate --mix`: what it reads, and the one-line message naming
// file, line and field for each kind of mistake.
#include <doctest/doctest.h>

#include <string>

#include "suanli/workload/job_mix.hpp"
#include "test_support.hpp"

using namespace suanli::workload;

namespace {

// The message parse_job_mix throws for `text`.
std::string error_of(const std::string& text) {
  return suanli::testing::input_error_of([&] { parse_job_mix(text, "mix.yaml"); }, text);
}

}  // namespace

TEST_CASE("job mix: every form of each field is read") {
  const auto mix = parse_job_mix(R"(classes:
  - name: finetune
    weight: 0.7
    gpus: {1: 0.5, 2: 0.3, 8: 0.2}
    duration: {lognormal: {median_s: 3600, sigma: 1.2}}
  - name: multi8
    weight: 0.25
    gpus: 8
    duration: {fixed_s: 600}
    gpu_type: "A100|H100"
    priority: -3
  - name: pretrain
    weight: 0.05
    gpus: {64: 1}
    model: {params: 7e9, tokens: 2e11, mfu: 0.5, batch_tokens: 1048576}
  - name: defaults
    weight: 2
)",
                                 "mix.yaml");
  CHECK(mix.source == "mix.yaml");
  REQUIRE(mix.classes.size() == 4);
  const auto& f = mix.classes[0];
  CHECK(f.name == "finetune");
  CHECK(f.weight == 0.7);
  REQUIRE(f.gpus.size() == 3);
  CHECK(f.gpus[0] == std::pair<int, double>(1, 0.5));
  CHECK(f.gpus[2] == std::pair<int, double>(8, 0.2));
  CHECK(f.duration.kind == DurationModel::Kind::kLognormal);
  CHECK(f.duration.median_s == 3600);
  CHECK(f.duration.sigma == 1.2);
  CHECK(f.duration.min_s == 1);
  CHECK(f.duration.max_s == 7 * 86400);
  CHECK_FALSE(f.model);
  CHECK(f.line == 2);
  CHECK(f.gpus_line == 4);
  const auto& m = mix.classes[1];
  CHECK(m.gpus == std::vector<std::pair<int, double>>{{8, 1.0}});
  CHECK(m.duration.kind == DurationModel::Kind::kFixed);
  CHECK(m.duration.fixed_s == 600);
  CHECK(m.gpu_type == "A100|H100");
  CHECK(m.priority == -3);
  const auto& p = mix.classes[2];
  REQUIRE(p.model);
  CHECK(p.model->params == 7e9);
  CHECK(p.model->tokens == 2e11);
  CHECK(p.model->mfu == 0.5);
  CHECK(p.model->batch_tokens == 1048576);
  CHECK(p.model_line == 15);
  const auto& d = mix.classes[3];  // only name and weight: the trace model, no constraint
  CHECK(d.gpus.empty());
  CHECK(d.duration.kind == DurationModel::Kind::kTrace);
  CHECK_FALSE(d.model);
  CHECK(d.gpu_type.empty());
  CHECK(d.priority == 0);
}

TEST_CASE("job mix: 'trace' and defaults") {
  const auto mix = parse_job_mix(
      "classes:\n  - {name: a, weight: 1, gpus: trace, duration: trace}\n"
      "  - name: b\n    weight: 1\n    model: {params: 1e9, tokens: 1e9}\n",
      "m.yaml");
  REQUIRE(mix.classes.size() == 2);
  CHECK(mix.classes[0].gpus.empty());
  CHECK(mix.classes[0].duration.kind == DurationModel::Kind::kTrace);
  REQUIRE(mix.classes[1].model);
  CHECK(mix.classes[1].model->mfu == 0.4);
  CHECK(mix.classes[1].model->batch_tokens == 4194304);
}

TEST_CASE(
    "job mix: malformed YAML, an unknown key, weight or GPU count <= 0, no name: file, line, "
    "field") {
  // Malformed YAML: the parser's line.
  CHECK(error_of("classes:\n  - name: a\n    weight: [1\n")
            .starts_with("mix.yaml:4: malformed YAML: "));
  // Unknown key.
  CHECK(error_of("classes:\n  - name: a\n    wieght: 1\n") ==
        "mix.yaml:3: classes[0].wieght: unknown key 'wieght' (allowed: name, weight, gpus, "
        "duration, model, gpu_type, priority); did you mean 'weight'?");
  // Weight <= 0.
  CHECK(error_of("classes:\n  - name: a\n    weight: 0\n") ==
        "mix.yaml:3: classes[0].weight: must be > 0, got '0'");
  CHECK(error_of("classes:\n  - name: a\n    weight: 1\n  - name: b\n    weight: -0.5\n") ==
        "mix.yaml:5: classes[1].weight: must be > 0, got '-0.5'");
  // A GPU count <= 0, as one count or as a key of the map.
  CHECK(error_of("classes:\n  - name: a\n    weight: 1\n    gpus: 0\n") ==
        "mix.yaml:4: classes[0].gpus: a GPU count must be between 1 and 1000000, got '0'");
  CHECK(
      error_of("classes:\n  - name: a\n    weight: 1\n    gpus:\n      1: 0.5\n      -2: 0.5\n") ==
      "mix.yaml:6: classes[0].gpus: a GPU count must be between 1 and 1000000, got '-2'");
  // Missing name: the class's line.
  CHECK(error_of("classes:\n  - weight: 1\n    gpus: 8\n") ==
        "mix.yaml:2: classes[0].name: missing required key 'name'");
}

TEST_CASE("job mix: other mistakes are one line naming the field") {
  const auto is = [](const std::string& text, const std::string& expected) {
    const auto e = error_of(text);
    CHECK(e == expected);
    CHECK(e.find('\n') == std::string::npos);
  };
  is("", "mix.yaml: no job classes: the file is empty; expected a map with the key 'classes'");
  is("jobs: 3\n", "mix.yaml:1: jobs: unknown key 'jobs' (allowed: classes)");
  is("classes: []\n", "mix.yaml:1: classes: expected a non-empty list of job classes, got a list");
  is("classes:\n  - name: a\n", "mix.yaml:2: classes[0].weight: missing required key 'weight'");
  is("classes:\n  - name: a\n    weight: lots\n",
     "mix.yaml:3: classes[0].weight: expected a number, got 'lots'");
  is("classes:\n  - name: a\n    weight: .inf\n",
     "mix.yaml:3: classes[0].weight: expected a number, got '.inf'");
  is("classes:\n  - name: a\n    weight: 1\n  - name: a\n    weight: 2\n",
     "mix.yaml:4: classes[1].name: duplicate class name 'a' (first given at line 2)");
  is("classes:\n  - name: a\n    name: b\n    weight: 1\n",
     "mix.yaml:3: classes[0].name: duplicate key 'name' (first given at line 2)");
  is("classes:\n  - name: 'fine tune'\n    weight: 1\n",
     "mix.yaml:2: classes[0].name: class name 'fine tune' must be letters, digits, '-', '_' and "
     "'.' only (not empty)");
  is("classes:\n  - name: a\n    weight: 1\n    gpus: {1: 0.5, 8: 0}\n",
     "mix.yaml:4: classes[0].gpus.8: must be > 0, got '0'");
  is("classes:\n  - name: a\n    weight: 1\n    gpus: {4: 1, 4: 2}\n",
     "mix.yaml:4: classes[0].gpus: GPU count 4 given twice");
  is("classes:\n  - name: a\n    weight: 1\n    gpus: 2.5\n",
     "mix.yaml:4: classes[0].gpus: expected a whole number, got '2.5'");
  is("classes:\n  - name: a\n    weight: 1\n    duration: {gamma: {k: 2}}\n",
     "mix.yaml:4: classes[0].duration.gamma: unknown key 'gamma' (allowed: lognormal, fixed_s)");
  is("classes:\n  - name: a\n    weight: 1\n    duration: 600\n",
     "mix.yaml:4: classes[0].duration: expected 'trace', {lognormal: {median_s, sigma}} or "
     "{fixed_s: seconds}, got '600'");
  is("classes:\n  - name: a\n    weight: 1\n    duration: {lognormal: {median_s: 60}}\n",
     "mix.yaml:4: classes[0].duration.lognormal.sigma: missing required key 'sigma'");
  is("classes:\n  - name: a\n    weight: 1\n    duration: {lognormal: {median_s: 60, sigma: 11}}\n",
     "mix.yaml:4: classes[0].duration.lognormal.sigma: must be between 0 and 10, got '11'");
  is("classes:\n  - name: a\n    weight: 1\n    duration: {fixed_s: 0}\n",
     "mix.yaml:4: classes[0].duration.fixed_s: must be > 0, got '0'");
  is("classes:\n  - name: a\n    weight: 1\n    duration: {lognormal: {median_s: 60, sigma: 1, "
     "min_s: 100, max_s: 50}}\n",
     "mix.yaml:4: classes[0].duration.lognormal.max_s: must be above min_s (100), got '50'");
  is("classes:\n  - name: a\n    weight: 1\n    duration:\n      lognormal: {median_s: 1e7, "
     "sigma: 0.5}\n",
     "mix.yaml:5: classes[0].duration.lognormal: only 1e-06 % of this lognormal lies within "
     "[min_s, max_s] = [1, 604800] s, where run times are kept: move median_s or widen the "
     "limits");
  is("classes:\n  - name: a\n    weight: 1\n    duration: trace\n    model: {params: 1e9, "
     "tokens: 1e9}\n",
     "mix.yaml:4: classes[0].duration: give a duration or a model (params/tokens), not both");
  is("classes:\n  - name: a\n    weight: 1\n    model: {params: 1e9}\n",
     "mix.yaml:4: classes[0].model.tokens: missing required key 'tokens'");
  is("classes:\n  - name: a\n    weight: 1\n    model: {params: 1e200, tokens: 1e200}\n",
     "mix.yaml:4: classes[0].model.tokens: 6 x params x tokens FLOPs is past what a double holds");
  is("classes:\n  - name: a\n    weight: 1\n    model: {params: 1e9, tokens: 1e9, mfu: 1.5}\n",
     "mix.yaml:4: classes[0].model.mfu: must be in (0, 1], got '1.5'");
  is("classes:\n  - name: a\n    weight: 1\n    gpu_type: 'A100||H100'\n",
     "mix.yaml:4: classes[0].gpu_type: 'A100||H100' is not a GPU model or models separated by "
     "'|' (e.g. 'A100|H100')");
  is("classes:\n  - name: a\n    weight: 1\n    priority: high\n",
     "mix.yaml:4: classes[0].priority: expected a whole number, got 'high'");
}

TEST_CASE("job mix: a missing file is an input error naming it") {
  CHECK(suanli::testing::input_error_of([] { load_job_mix("/nonexistent/mix.yaml"); }, "no file")
            .starts_with("/nonexistent/mix.yaml: cannot open: "));
}
