#include "suanli/report/recorder.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "suanli/common/csv_field.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/common/quantile.hpp"

namespace suanli::report {

namespace {

std::string num(double v) {
  return exact_number(v);
}

}  // namespace

std::string index_ranges(const std::vector<int>& sorted) {
  std::string out;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!out.empty()) out += ' ';
    out += j == i ? fmt::format("{}", sorted[i]) : fmt::format("{}-{}", sorted[i], sorted[j]);
    i = j + 1;
  }
  return out;
}

double percentile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  return quantile_of_sorted(values, q);
}

Recorder::Recorder(const std::string& out_dir, double sample_seconds, bool timeline)
    : sample_seconds_(sample_seconds),
      outputs_(out_dir, timeline ? std::vector<std::string>{"jobs.csv", "timeline.csv"}
                                 : std::vector<std::string>{"jobs.csv"}),
      jobs_(outputs_.file(0)),
      timeline_(timeline ? outputs_.file(1) : nullptr) {
  std::fputs(
      "job_id,submit_time,start_time,end_time,wait_s,jct_s,num_gpus,gpu_type,hosts,energy_j,"
      "final_state,gpu_fraction,preemptions,lost_work_s,attained_gpu_s\n",
      jobs_);
  if (timeline_)
    std::fputs("time,busy_gpus,total_gpus,queued_jobs,running_jobs,it_power_w,facility_power_w\n",
               timeline_);
}

void Recorder::job(const JobRecord& r) {
  const bool ran = r.start_s >= 0;
  if (ran) {
    const double wait = r.start_s - r.submit_s;
    const double jct = r.end_s - r.submit_s;
    // A preempted job ran only part of the time between its first start and its end.
    const double runtime = r.preemptions > 0 ? r.ran_s : r.end_s - r.start_s;
    jct_.push_back(jct);
    wait_.push_back(wait);
    slowdown_sum_ += std::max(1.0, jct / std::max(runtime, kSlowdownBoundS));
    busy_gpu_seconds_ += runtime * r.num_gpus * r.gpu_fraction;
    preemptions_ += std::uint64_t(r.preemptions);
    lost_gpu_seconds_ += r.lost_work_s * r.num_gpus * r.gpu_fraction;
    auto user = user_gpu_s_.find(r.user);
    if (user == user_gpu_s_.end()) user = user_gpu_s_.emplace(std::string(r.user), 0.0).first;
    user->second += runtime * r.num_gpus * r.gpu_fraction;
    // Finish-time fairness (Themis): JCT over the run time on a 1/N share of the cluster,
    // N the mean number of active jobs over the job's life.
    if (r.end_s > r.submit_s && runtime > 0 && last_state_.total_gpus > 0) {
      const double n = std::max(
          1.0, (active_integral(r.end_s) - active_integral(r.submit_s)) / (r.end_s - r.submit_s));
      const double ideal =
          runtime * std::max(1.0, r.num_gpus * r.gpu_fraction * n / last_state_.total_gpus);
      ftf_rho_.push_back(jct / ideal);
    }
    fmt::print(jobs_, "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(r.id),
               num(r.submit_s), num(r.start_s), num(r.end_s), num(wait), num(jct), r.num_gpus,
               r.gpu_type, r.hosts, num(r.energy_j), r.final_state, num(r.gpu_fraction),
               r.preemptions, num(r.lost_work_s), num(r.attained_gpu_s));
  } else {
    fmt::print(jobs_, "{},{},,,,,{},,,0,{},{},0,0,0\n", csv_field(r.id), num(r.submit_s),
               r.num_gpus, r.final_state, num(r.gpu_fraction));
  }
}

void Recorder::write_row(const ClusterState& s) {
  if (++timeline_rows_ > kMaxTimelineRows)
    throw InputError(
        fmt::format("--sample-seconds: {} s gives more than {} timeline rows; use a longer period",
                    sample_seconds_, kMaxTimelineRows));
  fmt::print(timeline_, "{},{},{},{},{},{},{}\n", num(s.time_s), s.busy_gpus, s.total_gpus,
             s.queued_jobs, s.running_jobs, num(s.it_power_w), num(s.facility_power_w));
}

// Emits what is known for times before `time_s`: the pending change row (change mode), or the
// periodic samples that fall before it, each showing the state then in force (sample mode).
void Recorder::flush_pending_until(double time_s) {
  if (!have_pending_) return;
  if (sample_seconds_ <= 0) {
    if (pending_.time_s < time_s) {
      write_row(pending_);
      have_pending_ = false;
    }
    return;
  }
  write_samples_before(time_s);
}

void Recorder::write_samples_before(double limit_s) {
  for (double t = 0; (t = double(next_sample_) * sample_seconds_) < limit_s; ++next_sample_) {
    ClusterState row = pending_;
    row.time_s = t;
    write_row(row);
  }
}

void Recorder::integrate_until(double time_s) {
  const ClusterState& last = last_state_;
  const double dt = time_s - last.time_s;
  if (dt <= 0) return;
  const int active = last.queued_jobs + last.running_jobs;
  active_.push_back({time_s, active_.back().integral + active * dt, active});
  fragmented_gpu_s_ += last.fragmented_gpus * dt;
  if (last.queued_jobs > 0) {
    waiting_s_ += dt;
    allocated_while_waiting_gpu_s_ += last.allocated_gpus * dt;
  }
}

double Recorder::active_integral(double time_s) const {
  if (active_.empty()) return 0;
  // The last point at or before time_s; before the first state, nothing was active.
  auto it = std::upper_bound(active_.begin(), active_.end(), time_s,
                             [](double t, const ActivePoint& p) { return t < p.time_s; });
  if (it == active_.begin()) return 0;
  --it;
  const int active = std::next(it) == active_.end()
                         ? last_state_.queued_jobs + last_state_.running_jobs
                         : std::next(it)->active;
  return it->integral + active * (time_s - it->time_s);
}

void Recorder::state(const ClusterState& s) {
  if (!have_state_) {
    active_.push_back({s.time_s, 0, 0});
    have_state_ = true;
  } else {
    integrate_until(s.time_s);
  }
  last_state_ = s;
  if (!timeline_) return;
  flush_pending_until(s.time_s);
  pending_ = s;
  have_pending_ = true;
}

void Recorder::flush_timeline(double makespan_s) {
  if (sample_seconds_ > 0) {
    // Samples up to and including the makespan, if one falls exactly on it.
    if (have_pending_) write_samples_before(std::nextafter(makespan_s, HUGE_VAL));
  } else if (have_pending_) {
    write_row(pending_);
  }
  have_pending_ = false;
}

void Recorder::finish(const RunInfo& info) {
  flush_timeline(info.makespan_s);
  outputs_.commit(summary(info), {info.energy, info.sim_wall_s, info.peak_rss_mb,
                                  info.decision_wall_s, info.decision_p99_ms});
}

nlohmann::ordered_json Recorder::finish_section(const RunInfo& info) {
  flush_timeline(info.makespan_s);
  outputs_.commit_streams();
  return summary(info);
}

nlohmann::ordered_json Recorder::summary(const RunInfo& info) {
  nlohmann::ordered_json j;
  const auto completed = jct_.size();
  const double mean_jct =
      completed ? std::accumulate(jct_.begin(), jct_.end(), 0.0) / double(completed) : 0;
  const double mean_wait =
      completed ? std::accumulate(wait_.begin(), wait_.end(), 0.0) / double(completed) : 0;
  j["policy"] = info.policy;
  j["placement"] = info.placement;
  j["exec_model"] = info.exec_model;
  j["seed"] = info.seed;
  j["jobs_total"] = info.jobs_total;
  j["jobs_completed"] = completed;
  j["jobs_rejected"] = info.jobs_rejected;
  j["makespan_s"] = info.makespan_s;
  j["mean_jct_s"] = mean_jct;
  j["p50_jct_s"] = percentile(jct_, 0.50);
  j["p95_jct_s"] = percentile(jct_, 0.95);
  j["p99_jct_s"] = percentile(jct_, 0.99);
  j["mean_wait_s"] = mean_wait;
  j["mean_slowdown"] = completed ? slowdown_sum_ / double(completed) : 0;
  j["gpu_utilization"] = info.makespan_s > 0 && info.total_gpus > 0
                             ? busy_gpu_seconds_ / (info.total_gpus * info.makespan_s)
                             : 0;
  j["gpu_hours"] = busy_gpu_seconds_ / 3600.0;
  j["preemptions"] = preemptions_;
  j["lost_gpu_hours"] = lost_gpu_seconds_ / 3600.0;
  if (info.power_budget) {
    j["power_budget_holds"] = info.power_holds;
    j["power_budget_suspensions"] = info.power_suspensions;
  }
  // Jain's index over the users' GPU-seconds: 1 when every user got the same.
  double sum = 0, squares = 0;
  for (const auto& [user, gpu_s] : user_gpu_s_) sum += gpu_s, squares += gpu_s * gpu_s;
  j["jain_fairness"] = squares > 0 ? sum * sum / (double(user_gpu_s_.size()) * squares) : 1.0;
  j["mean_ftf_rho"] =
      ftf_rho_.empty() ? 0
                       : std::accumulate(ftf_rho_.begin(), ftf_rho_.end(), 0.0) / ftf_rho_.size();
  j["max_ftf_rho"] = ftf_rho_.empty() ? 0 : *std::max_element(ftf_rho_.begin(), ftf_rho_.end());
  if (have_state_) integrate_until(info.makespan_s);
  j["fragmentation"] = info.makespan_s > 0 && info.total_gpus > 0
                           ? fragmented_gpu_s_ / (info.total_gpus * info.makespan_s)
                           : 0;
  // GPUs allocated (shares by their fraction) while some job waited; null if none ever did.
  if (waiting_s_ > 0 && info.total_gpus > 0)
    j["allocation_rate"] = allocated_while_waiting_gpu_s_ / (info.total_gpus * waiting_s_);
  else
    j["allocation_rate"] = nullptr;
  return j;
}

}  // namespace suanli::report
