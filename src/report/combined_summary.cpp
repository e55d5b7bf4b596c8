#include "suanli/report/combined_summary.hpp"

#include "suanli/report/partial_outputs.hpp"

namespace suanli::report {

void finish_combined(const std::string& out_dir, double end_s, Recorder& jobs,
                     const RunInfo& training, ServingRecorder& requests,
                     const ServingRunInfo& serving) {
  nlohmann::ordered_json j;
  j["end_s"] = end_s;
  j["total_gpus"] = training.total_gpus;
  j["training"] = jobs.finish_section(training);
  j["serving"] = requests.finish_section(serving);
  PartialOutputs summary(out_dir, {});
  summary.commit(j, {training.energy, training.sim_wall_s, training.peak_rss_mb,
                     training.decision_wall_s, training.decision_p99_ms});
}

}  // namespace suanli::report
