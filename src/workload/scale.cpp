#include "suanli/workload/scale.hpp"

#include <string>

#include <fmt/format.h>

#include "suanli/common/rng.hpp"

namespace suanli::workload {

Workload scale_workload(const Workload& workload, const ScaleOptions& options) {
  Workload out;
  out.source = workload.source;
  out.format = workload.format;
  out.metadata = workload.metadata;
  out.jobs.reserve(workload.jobs.size());
  // mt19937_64 and a plain comparison on its raw output: the same seed keeps the same jobs
  // on every platform (std:: distributions are not portable across standard libraries).
  Rng rng(options.seed);
  const auto threshold =
      static_cast<std::uint64_t>(options.sample * static_cast<double>(Rng::max()));
  for (const Job& job : workload.jobs) {
    if (options.sample < 1.0 && rng.next() > threshold) continue;
    Job scaled = job;
    scaled.submit_s = job.submit_s * options.time_factor;
    out.jobs.push_back(std::move(scaled));
  }
  out.metadata.emplace_back("time_factor", fmt::format("{}", options.time_factor));
  out.metadata.emplace_back("sample", fmt::format("{}", options.sample));
  out.metadata.emplace_back("sampled_jobs",
                            fmt::format("{} of {}", out.jobs.size(), workload.jobs.size()));
  return out;
}

}  // namespace suanli::workload
