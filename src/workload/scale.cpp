#include "suanli/workload/scale.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "suanli/common/rng.hpp"

namespace suanli::workload {

namespace {

double per_gpu_share(const Job& job) {
  return job.gpu_milli > 0 ? job.gpu_milli / 1000.0 : 1.0;
}
double gpus_asked(const Job& job) {
  return job.num_gpus * per_gpu_share(job);
}

// Arrival slots after a trace's last job, at its mean gap between arrivals: clones appended
// there neither arrive at once nor change the offered rate.
struct SlotsAfter {
  double last = 0, gap = 0;
  explicit SlotsAfter(const std::vector<Job>& jobs)
      : last(jobs.back().submit_s),
        gap(jobs.size() > 1 ? (last - jobs.front().submit_s) / double(jobs.size() - 1) : 0) {}
  double at(std::size_t i) const { return last + double(i + 1) * gap; }  // i from 0
};

// The FGD experiments' workload tuning (kubernetes-scheduler-simulator, simulator.go,
// tuneDownPods / tuneUpPods), on GPUs instead of thousandths.
void tune(Workload& w, double target_gpus, Rng& rng) {
  double total = 0;
  for (const Job& job : w.jobs) total += gpus_asked(job);
  const std::size_t before = w.jobs.size();
  std::size_t removed = 0, added = 0;
  while (total > target_gpus && !w.jobs.empty()) {
    const std::size_t k = rng.next() % w.jobs.size();
    total -= gpus_asked(w.jobs[k]);
    w.jobs.erase(w.jobs.begin() + std::ptrdiff_t(k));
    ++removed;
  }
  if (removed == 0 && before > 0) {
    const SlotsAfter slots(w.jobs);
    for (;;) {
      Job clone = w.jobs[rng.next() % before];
      // As the artifact: the check is on the per-GPU share, the count on the whole request.
      if (total + per_gpu_share(clone) > target_gpus) break;
      total += gpus_asked(clone);
      clone.id = fmt::format("{}-tuned-{}", clone.id, added);
      clone.submit_s = slots.at(added);
      w.jobs.push_back(std::move(clone));
      ++added;
    }
  }
  w.metadata.emplace_back("tune_gpus", fmt::format("{}", target_gpus));
  w.metadata.emplace_back(
      "tuned", fmt::format("{} removed, {} added, {:.1f} GPUs asked", removed, added, total));
}

}  // namespace

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
    const SlotsAfter slots(out.jobs);
    const auto total = static_cast<std::size_t>(std::ceil(double(kept) * options.inflate));
    for (std::size_t i = 0; kept + i < total; ++i) {
      Job clone = out.jobs[rng.next() % kept];
      clone.id = fmt::format("{}-clone-{}", clone.id, i);
      clone.submit_s = slots.at(i);
      out.jobs.push_back(std::move(clone));
    }
    out.metadata.emplace_back("inflate", fmt::format("{}", options.inflate));
    out.metadata.emplace_back("inflation_clones", fmt::format("{}", out.jobs.size() - kept));
  }
  if (options.tune_gpus > 0 && !out.jobs.empty()) tune(out, options.tune_gpus, rng);
  if (options.shuffle) {
    std::vector<double> slots;
    slots.reserve(out.jobs.size());
    for (const Job& job : out.jobs) slots.push_back(job.submit_s);
    // Fisher-Yates on the raw generator (std::shuffle's use of it is not portable).
    for (std::size_t i = out.jobs.size(); i > 1; --i)
      std::swap(out.jobs[i - 1], out.jobs[rng.next() % i]);
    for (std::size_t i = 0; i < out.jobs.size(); ++i) out.jobs[i].submit_s = slots[i];
    out.metadata.emplace_back("shuffled", "yes");
  }
  out.metadata.emplace_back("time_factor", fmt::format("{}", options.time_factor));
  out.metadata.emplace_back("sample", fmt::format("{}", options.sample));
  out.metadata.emplace_back("sampled_jobs", fmt::format("{} of {}", kept, workload.jobs.size()));
  return out;
}

}  // namespace suanli::workload
