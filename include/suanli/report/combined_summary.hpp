#pragma once
// A combined run's (training and serving on one cluster) one summary.json: a "training" and a
// "serving" section, each what that service's run alone would report, then once for the whole
// simulation when it ended, the cluster's GPUs, its energy and what the run cost.
#include <string>

#include "suanli/report/recorder.hpp"
#include "suanli/report/serving_recorder.hpp"

namespace suanli::report {

// Finishes both recorders (their streamed files renamed into place) and writes
// out_dir/summary.json last. Energy and run costs come from `training` (the whole cluster up
// to end_s; `serving` carries the same figures).
void finish_combined(const std::string& out_dir, double end_s, Recorder& jobs,
                     const RunInfo& training, ServingRecorder& requests,
                     const ServingRunInfo& serving);

}  // namespace suanli::report
