#include "suanli/workload/scale.hpp"

#include <cmath>
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
  const std::size_t kept = out.jobs.size();
  if (options.inflate > 1 && kept > 0) {
    // The trace's arrivals go on at their mean gap: the clones neither arrive at once nor
    // change the offered rate.
    const double first = out.jobs.front().submit_s, last = out.jobs.back().submit_s;
    const double gap = kept > 1 ? (last - first) / double(kept - 1) : 0;
    const auto total = static_cast<std::size_t>(std::ceil(double(kept) * options.inflate));
    for (std::size_t i = 0; kept + i < total; ++i) {
      Job clone = out.jobs[rng.next() % kept];
      clone.id = fmt::format("{}-clone-{}", clone.id, i);
      clone.submit_s = last + double(i + 1) * gap;
      out.jobs.push_back(std::move(clone));
    }
    out.metadata.emplace_back("inflate", fmt::format("{}", options.inflate));
    out.metadata.emplace_back("inflation_clones", fmt::format("{}", out.jobs.size() - kept));
  }
  out.metadata.emplace_back("time_factor", fmt::format("{}", options.time_factor));
  out.metadata.emplace_back("sample", fmt::format("{}", options.sample));
  out.metadata.emplace_back("sampled_jobs", fmt::format("{} of {}", kept, workload.jobs.size()));
  return out;
}

}  // namespace suanli::workload
