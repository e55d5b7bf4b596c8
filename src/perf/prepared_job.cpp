#include "suanli/perf/prepared_job.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/common/input_error.hpp"
#include "suanli/perf/speed_table.hpp"

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

// What a speed table says about one job type on a GPU count, for jobs of one reference GPU.
struct TableSpeeds {
  enum class Use {
    unknown_job_type,  // the table has no entry for the job type
    no_model,          // it has, but gives no ratio for any platform model
    measured,          // ratios to the reference GPU
    anchored,          // the table lacks the reference GPU: ratios to an anchor model
  };
  Use use = Use::unknown_job_type;
  std::vector<double> speed;      // per model index; 0 = not covered; empty when none is
  std::uint64_t barred = 0;       // models where the table says 0 steps/s
  bool single_gpu_ratio = false;  // a ratio came from the 1-GPU entries (no n-GPU entry)
};

class SpeedLookup {
 public:
  SpeedLookup(const SpeedTable& table, const ModelTable& models, const platform::Platform& platform)
      : table_(table), models_(models) {
    for (const auto& name : models.names)
      peak_.push_back(platform.devices.find(name)->peak_flops());
  }

  // Computed once per (job type, GPU count, reference GPU).
  const TableSpeeds& of(const workload::Job& job, const platform::DeviceSpec& reference) {
    std::string key = job.job_type;
    key += '\0';
    key += std::to_string(job.num_gpus);
    key += '\0';
    key += reference.name;
    auto at = cache_.find(key);
    if (at == cache_.end())
      at = cache_.emplace(std::move(key), compute(job.job_type, job.num_gpus, reference)).first;
    return at->second;
  }

 private:
  std::optional<double> rate(const std::string& job_type, const std::string& gpu, int n) const {
    return table_.steps_per_second(job_type, gpu, n);
  }
  static bool positive(const std::optional<double>& r) { return r && *r > 0; }
  // The rate that says whether the job runs on `gpu` at all: its n-GPU entry, else its 1-GPU
  // entry (a data-parallel replica needs the memory one GPU needs).
  std::optional<double> run_rate(const std::string& job_type, const std::string& gpu, int n) const {
    auto r = rate(job_type, gpu, n);
    if (!r && n != 1) r = rate(job_type, gpu, 1);
    return r;
  }

  TableSpeeds compute(const std::string& job_type, int n,
                      const platform::DeviceSpec& reference) const {
    TableSpeeds out;
    if (!table_.has_job_type(job_type)) return out;
    out.use = TableSpeeds::Use::no_model;
    const std::size_t count = models_.names.size();
    // The basis of the ratios: the reference GPU; when the table lacks it (or says 0 there),
    // the covered model closest in peak to it, at its peak ratio.
    std::string basis = reference.name;
    double basis_speed = 1;
    bool anchored = false;
    if (!positive(run_rate(job_type, basis, n))) {
      int best = -1;
      double best_distance = std::numeric_limits<double>::infinity();
      for (std::size_t m = 0; m < count; ++m) {
        if (!positive(run_rate(job_type, models_.names[m], n))) continue;
        const double distance = std::abs(std::log(peak_[m] / reference.peak_flops()));
        if (distance < best_distance) {
          best = int(m);
          best_distance = distance;
        }
      }
      if (best >= 0) {
        basis = models_.names[std::size_t(best)];
        basis_speed = peak_[std::size_t(best)] / reference.peak_flops();
        anchored = true;
      }
    }
    const auto basis_n = rate(job_type, basis, n);
    const auto basis_1 = rate(job_type, basis, 1);
    std::vector<double> speed(count, 0.0);
    bool any = false;
    for (std::size_t m = 0; m < count; ++m) {
      const std::string& gpu = models_.names[m];
      const auto r = run_rate(job_type, gpu, n);
      if (r && *r == 0) {
        out.barred |= std::uint64_t{1} << m;
        continue;
      }
      const auto own_n = rate(job_type, gpu, n);
      if (positive(own_n) && positive(basis_n)) {
        speed[m] = basis_speed * *own_n / *basis_n;
      } else if (const auto own_1 = rate(job_type, gpu, 1); positive(own_1) && positive(basis_1)) {
        // No n-GPU entry on one side: the ratio of the 1-GPU entries.
        speed[m] = basis_speed * *own_1 / *basis_1;
        out.single_gpu_ratio = out.single_gpu_ratio || n != 1;
      }
      any = any || speed[m] > 0;
    }
    if (any) {
      out.speed = std::move(speed);
      out.use = anchored ? TableSpeeds::Use::anchored : TableSpeeds::Use::measured;
    }
    return out;
  }

  const SpeedTable& table_;
  const ModelTable& models_;
  std::vector<double> peak_;  // by model index
  std::unordered_map<std::string, TableSpeeds> cache_;
};

// How the jobs used the table, for the log line.
struct TableCounts {
  std::array<std::size_t, 4> by_use{};  // by TableSpeeds::Use
  std::size_t single_gpu_ratio = 0, barred = 0, no_job_type = 0;

  void log(const SpeedTable& table, std::size_t jobs) const {
    const auto count = [&](TableSpeeds::Use use) { return by_use[std::size_t(use)]; };
    std::vector<std::string> notes;
    const auto note = [&](std::size_t n, const char* what) {
      if (n > 0) notes.push_back(fmt::format("{} {}", n, what));
    };
    note(count(TableSpeeds::Use::anchored),
         "anchored on another GPU's peak ratio (the table lacks their reference GPU)");
    note(single_gpu_ratio, "using the ratio of 1-GPU entries (none for their GPU count)");
    note(barred, "kept off GPU models where the table says 0 steps/s");
    note(no_job_type, "without a job type");
    note(count(TableSpeeds::Use::unknown_job_type), "with a job type not in the table");
    note(count(TableSpeeds::Use::no_model),
         "with a job type whose entries cover no GPU model of the platform");
    spdlog::info("speed table {}: {} of {} jobs use measured per-GPU-type speeds{}{}{}",
                 table.source(),
                 count(TableSpeeds::Use::measured) + count(TableSpeeds::Use::anchored), jobs,
                 notes.empty() ? "" : " (", fmt::join(notes, "; "), notes.empty() ? "" : ")");
  }
};

// Whether some node of a cluster the job may use could hold the whole pod at once: its GPUs,
// CPUs and memory (a resource the node does not model always fits).
bool pod_fits_a_node(const platform::Platform& platform, const ModelTable& models,
                     std::uint64_t allowed, const workload::Job& job) {
  for (std::size_t c = 0; c < platform.clusters.size(); ++c) {
    if (allowed != 0 && !(allowed >> models.cluster_model[c] & 1)) continue;
    const platform::NodeSpec& node = platform.clusters[c].node;
    if (job.num_gpus <= node.gpus && (node.cpu_milli == 0 || job.cpu_milli <= node.cpu_milli) &&
        (node.memory_mib == 0 || job.memory_mib <= node.memory_mib))
      return true;
  }
  return false;
}

std::string model_names(const ModelTable& models, std::uint64_t bits) {
  std::vector<std::string> names;
  for (std::size_t m = 0; m < models.names.size(); ++m)
    if (bits >> m & 1) names.push_back(models.names[m]);
  return joined(names);
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
                                      const workload::Workload& workload, bool reject_oversized,
                                      const SpeedTable* speeds) {
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
  const std::uint64_t all_models =
      models.names.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << models.names.size()) - 1;
  std::optional<SpeedLookup> lookup;
  if (speeds) lookup.emplace(*speeds, models, platform);
  TableCounts counts;

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
    if (job.num_gpus == 0 && !job.has_duration())
      throw InputError(located(workload.source, job.line, "num_gpus",
                               fmt::format("job '{}' is CPU-only: its work must be a duration, "
                                           "not params and tokens (those run on GPUs)",
                                           job.id)));
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
      // A share of one GPU (Alibaba's gpu_milli): the job runs alongside others on one GPU at
      // that fraction of its speed, so its work is that fraction of a whole-GPU job's.
      if (job.num_gpus != 1 || job.gpu_milli >= 1000)
        throw InputError(
            located(workload.source, job.line, "gpu_milli",
                    fmt::format("job '{}': a share of {} thousandths needs exactly one "
                                "GPU and a share below 1000 (it has {} GPUs)",
                                job.id, job.gpu_milli, job.num_gpus)));
      out.share_milli = job.gpu_milli;
      const double share = job.gpu_milli / 1000.0;
      if (job.has_duration()) {
        // The trace's duration was measured running at the share.
        out.work.flops_per_gpu *= share;
      } else {
        // A model's FLOPs do not shrink with the share: it just runs slower.
        out.work.reference_runtime_s /= share;
        out.walltime_ref_s = walltime_estimate(job, out.work);
        check_limits(job, out, workload.source);
      }
    }
    if (lookup && job.job_type.empty()) ++counts.no_job_type;
    if (lookup && !job.job_type.empty()) {
      const TableSpeeds& table = lookup->of(job, *reference);
      out.model_speed = table.speed;
      const std::uint64_t may_use = out.models ? out.models : all_models;
      if (may_use & table.barred) {
        // The job does not fit (in memory) on those models: it may not use them.
        ++counts.barred;
        out.models = may_use & ~table.barred;
        limit = 0;
        for (std::size_t m = 0; m < models.names.size(); ++m)
          if (out.models >> m & 1) limit = std::max(limit, largest[m]);
        if (out.models == 0) {
          std::string reason = fmt::format(
              "job '{}' (job type '{}') cannot run on any GPU model it may use: {} says 0 "
              "steps/s on {}",
              job.id, job.job_type, speeds->source(), model_names(models, may_use));
          if (!reject_oversized)
            throw InputError(located(workload.source, job.line, "job_type",
                                     reason + " (use --reject-oversized to skip such jobs)"));
          out.rejected = true;
          out.reject_reason = std::move(reason);
          continue;
        }
      }
      ++counts.by_use[std::size_t(table.use)];
      if (table.single_gpu_ratio) ++counts.single_gpu_ratio;
      for (std::size_t m = 0; m < out.model_speed.size(); ++m) {
        const double speed = out.model_speed[m];
        if (speed > 0 && (out.models >> m & 1 || out.models == 0) &&
            !(out.work.reference_runtime_s / speed <= kMaxSimulatedSeconds))
          throw InputError(located(
              workload.source, job.line, "job_type",
              fmt::format("job '{}' would run {:g} s on {} ({:g} x its reference speed in {}), "
                          "past the {:g} s limit",
                          job.id, out.work.reference_runtime_s / speed, models.names[m], speed,
                          speeds->source(), kMaxSimulatedSeconds)));
      }
    }
    if (job.is_pod() && !pod_fits_a_node(platform, models, out.models, job)) {
      std::string reason = fmt::format(
          "job '{}' is a pod asking for {} GPUs, {} CPU thousandths and {} MiB on one node, but "
          "no node of a cluster it may use has as much",
          job.id, job.num_gpus, job.cpu_milli, job.memory_mib);
      if (!reject_oversized)
        throw InputError(located(workload.source, job.line, "num_gpus",
                                 reason + " (use --reject-oversized to skip such jobs)"));
      out.rejected = true;
      out.reject_reason = std::move(reason);
    } else if (job.num_gpus > limit) {
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
  if (speeds) counts.log(*speeds, prepared.size());
  return prepared;
}

}  // namespace suanli::perf
