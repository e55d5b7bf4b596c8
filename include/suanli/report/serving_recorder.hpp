#pragma once
// The outputs of an inference-serving run, streamed as they are made: requests.csv (one row
// per request as it finishes or is rejected), timeline.csv (one row per sampling period) and
// summary.json at the end (latency percentiles, SLO attainment, throughput, energy per token).
// Keeps only what the summary needs: three latencies per finished request.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "suanli/report/partial_outputs.hpp"
#include "suanli/report/records.hpp"

namespace suanli::report {

struct ServingRunInfo {
  std::string deployments;  // names, comma-separated
  std::string routers;      // per deployment, comma-separated
  std::string schedulers;
  std::string exec_model;
  std::uint64_t seed = 0;
  std::uint64_t requests_total = 0;
  int replicas = 0;
  int total_gpus = 0;
  double makespan_s = 0;
  double slo_ttft_s = 0;  // 0 = not given
  double slo_tpot_s = 0;
  std::uint64_t preemptions = 0;
  EnergyBreakdown energy;  // the whole run's (a combined run: once, in the training info)
  // What serving used (sim::ServingEnergy) and the cooling on top of it (x PUE).
  double serving_gpu_energy_j = 0;
  double serving_node_energy_j = 0;
  double pue = 1;
  double sim_wall_s = 0;
  double peak_rss_mb = 0;
};

class ServingRecorder {
 public:
  // Writes out_dir/requests.csv.partial and timeline.csv.partial; finish() renames them, and
  // a run that fails leaves nothing (the destructor removes the partial files). With
  // `training_columns`, the timeline is a combined run's: the whole simulation's, training's
  // columns beside serving's (docs/serving-model.md, "Outputs").
  ServingRecorder(const std::string& out_dir, double slo_ttft_s, double slo_tpot_s,
                  bool training_columns = false);
  ServingRecorder(const ServingRecorder&) = delete;
  ServingRecorder& operator=(const ServingRecorder&) = delete;

  void request(const RequestRecord& record);
  void sample(const TimelineSample& sample);
  void finish(const ServingRunInfo& info);
  // For a run whose summary.json has this as its "serving" section: renames the streamed
  // files and returns the section (energy and run costs are the whole summary's).
  nlohmann::ordered_json finish_section(const ServingRunInfo& info);

 private:
  nlohmann::ordered_json summary(const ServingRunInfo& info);
  bool meets_slo(double ttft, double tpot) const;

  double slo_ttft_s_;
  double slo_tpot_s_;
  bool training_columns_;
  PartialOutputs outputs_;
  std::FILE* requests_;
  std::FILE* timeline_;
  std::vector<double> ttft_;
  std::vector<double> tpot_;  // requests with more than one output token
  std::vector<double> e2e_;
  std::uint64_t rejected_ = 0;
  std::uint64_t met_slo_ = 0;
  std::uint64_t output_tokens_ = 0;
  std::uint64_t prompt_tokens_ = 0;
  std::uint64_t prefix_hit_tokens_ = 0;
};

}  // namespace suanli::report
