#pragma once
// A job mix for `suanli workload generate --mix FILE`: job classes, each drawn with a weight,
// each with its own GPU counts, run times or training run (params/tokens), GPU-model
// constraint and priority. This file only reads and checks the YAML; the drawing is done by
// generate_workload (src/workload/generator.cpp). docs/generator.md has the schema.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace suanli::workload {

// Run time of a class's duration jobs.
struct DurationModel {
  enum class Kind { kTrace, kLognormal, kFixed };
  Kind kind = Kind::kTrace;  // kTrace: the built-in Helios fit, by GPU count
  double median_s = 0;       // kLognormal: median_s x exp(sigma Z), redrawn outside
  double sigma = 0;          //   [min_s, max_s], rounded to whole seconds
  double min_s = 1;
  double max_s = 7 * 86400.0;
  double fixed_s = 0;  // kFixed: every job runs exactly this long
};

// A training run given as model size and token count instead of a duration.
struct TrainingRun {
  double params = 0;
  double tokens = 0;
  double mfu = 0.4;
  double batch_tokens = 4194304;
};

struct JobClass {
  std::string name;  // unique; becomes Job::job_type
  double weight = 1;
  // GPU counts and their weights; empty = the built-in Philly histogram (capped at
  // --max-gpus).
  std::vector<std::pair<int, double>> gpus;
  DurationModel duration;
  std::optional<TrainingRun> model;  // set: params/tokens jobs, `duration` unused
  std::string gpu_type;              // constraint ("A100|H100"); empty = any model
  int priority = 0;
  // Where the class and its fields are, for messages about them that depend on the
  // command's options (a GPU count above --max-gpus, a training run without a reference GPU).
  std::string path;  // "classes[2]"
  int line = 0;
  int gpus_line = 0;
  int model_line = 0;
};

struct JobMix {
  std::string source;  // the file it was read from
  std::vector<JobClass> classes;
};

// Reads and checks a mix file. Throws InputError("file:line: field: what") for malformed
// YAML, unknown or duplicate keys, missing names or weights, weights or GPU counts <= 0,
// and values out of range.
JobMix load_job_mix(const std::string& path);
// The same from text, `source` naming it in messages.
JobMix parse_job_mix(const std::string& text, const std::string& source);

}  // namespace suanli::workload
