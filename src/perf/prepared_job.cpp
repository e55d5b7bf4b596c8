#include "suanli/perf/prepared_job.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"

namespace suanli::perf {

namespace {

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// Simulated times past ~300 years and transfers past 2^63 bytes are input mistakes, and past
// them SimGrid's clock and solver lose the precision the results depend on.
void check_limits(const workload::Job& job, const PreparedJob& prepared,
                  const std::string& source) {
  const auto fail = [&](const char* column, const std::string& what) {
    throw InputError(located(source, job.line, column, what));
  };
  if (job.submit_s > kMaxSimulatedSeconds)
    fail("submit_time",
         fmt::format("{} s is past the {:g} s limit", job.submit_s, kMaxSimulatedSeconds));
  if (!(prepared.work.reference_runtime_s <= kMaxSimulatedSeconds))
    fail(job.has_duration() ? "duration" : "tokens",
         fmt::format("job '{}' would run {:g} s on its reference GPU, past the {:g} s limit",
                     job.id, prepared.work.reference_runtime_s, kMaxSimulatedSeconds));
  if (!(prepared.walltime_ref_s <= kMaxSimulatedSeconds))
    fail("walltime", fmt::format("{:g} s is past the {:g} s limit", prepared.walltime_ref_s,
                                 kMaxSimulatedSeconds));
  if (!(prepared.work.ring_bytes_per_gpu <= kMaxBytes))
    fail("batch_tokens",
         fmt::format("job '{}' would send {:g} bytes per GPU of gradients, past the {:g} byte "
                     "limit (too many optimizer steps: raise batch_tokens)",
                     job.id, prepared.work.ring_bytes_per_gpu, kMaxBytes));
}

}  // namespace

int ModelTable::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (platform::same_device_name(names[i], name)) return int(i);
  return -1;
}

ModelTable model_table(const platform::Platform& platform) {
  ModelTable table;
  for (const auto& cluster : platform.clusters) {
    int index = table.index_of(cluster.node.gpu_model);
    if (index < 0) {
      index = int(table.names.size());
      table.names.push_back(cluster.node.gpu_model);
    }
    table.cluster_model.push_back(index);
  }
  return table;
}

std::vector<PreparedJob> prepare_jobs(const platform::Platform& platform,
                                      const workload::Workload& workload, bool reject_oversized) {
  const ModelTable models = model_table(platform);
  if (models.names.size() > 64)
    throw InputError(
        located(platform.source, 0, "",
                fmt::format("{} GPU models: at most 64 are supported", models.names.size())));
  // Largest cluster per model, and overall: a job fits somewhere iff it fits the largest.
  std::vector<int> largest(models.names.size(), 0);
  for (std::size_t c = 0; c < platform.clusters.size(); ++c) {
    int& best = largest[models.cluster_model[c]];
    best = std::max(best, platform.clusters[c].gpu_count());
  }
  const int largest_any = *std::max_element(largest.begin(), largest.end());
  const std::string default_reference = platform.most_common_model();
  const platform::DeviceSpec* default_device = platform.devices.find(default_reference);

  std::vector<PreparedJob> prepared(workload.jobs.size());
  for (std::size_t i = 0; i < workload.jobs.size(); ++i) {
    const auto& job = workload.jobs[i];
    PreparedJob& out = prepared[i];
    const platform::DeviceSpec* reference = default_device;
    int limit = largest_any;
    if (!job.gpu_type.empty()) {
      // One model, or alternatives separated by '|': those the platform has are allowed; the
      // first of them is the reference for the job's duration.
      limit = 0;
      reference = nullptr;
      std::string_view rest = job.gpu_type;
      while (!rest.empty()) {
        const auto bar = std::min(rest.find('|'), rest.size());
        const int m = models.index_of(std::string(rest.substr(0, bar)));
        rest.remove_prefix(std::min(bar + 1, rest.size()));
        if (m < 0) continue;
        out.models |= std::uint64_t{1} << m;
        limit = std::max(limit, largest[m]);
        if (!reference) reference = platform.devices.find(models.names[m]);
      }
      if (out.models == 0)
        throw InputError(located(workload.source, job.line, "gpu_type",
                                 fmt::format("GPU model '{}' is not in platform '{}' (it has: {})",
                                             job.gpu_type, platform.name, joined(models.names))));
    }
    if (!job.reference_gpu.empty()) {
      // Durations measured on a known GPU (e.g. Gavel's V100 throughputs): it need not be in
      // the platform, only in the catalog, so that its speed is known.
      reference = platform.devices.find(job.reference_gpu);
      if (!reference)
        throw InputError(located(
            workload.source, job.line, "reference GPU",
            fmt::format("'{}' is not in the device catalog; add it under devices: in platform '{}'",
                        job.reference_gpu, platform.name)));
    }
    out.reference_peak = reference->peak_flops();
    out.work = job_work(job, *reference);
    out.walltime_ref_s = walltime_estimate(job, out.work);
    check_limits(job, out, workload.source);
    if (job.has_duration() && job.duration_s <= 0) {
      // Kept from a trace where it never ran (--drop-unstarted leaves it out): counted, shown
      // in jobs.csv as rejected, not simulated as an instant job.
      out.rejected = true;
      out.reject_reason =
          fmt::format("job '{}' never ran in the trace ({}): it has no duration", job.id,
                      job.trace_state.empty() ? "no state" : job.trace_state);
      continue;
    }
    if (job.gpu_milli > 0) {
      out.rejected = true;
      out.reject_reason = fmt::format(
          "job '{}' asks for {} thousandths of one GPU: GPU sharing is not simulated yet", job.id,
          job.gpu_milli);
      continue;
    }
    if (job.num_gpus > limit) {
      std::string reason =
          fmt::format("job '{}' asks for {} GPUs but the largest cluster it may use has {}", job.id,
                      job.num_gpus, limit);
      if (!reject_oversized)
        throw InputError(located(workload.source, job.line, "num_gpus",
                                 reason + " (use --reject-oversized to skip such jobs)"));
      out.rejected = true;
      out.reject_reason = std::move(reason);
    }
  }
  return prepared;
}

}  // namespace suanli::perf
