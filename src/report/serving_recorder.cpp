#include "suanli/report/serving_recorder.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "suanli/common/csv_field.hpp"
#include "suanli/report/recorder.hpp"

namespace suanli::report {

namespace {

std::string num(double v) {
  return exact_number(v);
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

}  // namespace

ServingRecorder::ServingRecorder(const std::string& out_dir, double slo_ttft_s, double slo_tpot_s,
                                 bool training_columns)
    : slo_ttft_s_(slo_ttft_s),
      slo_tpot_s_(slo_tpot_s),
      training_columns_(training_columns),
      outputs_(out_dir, {"requests.csv", "timeline.csv"}),
      requests_(outputs_.file(0)),
      timeline_(outputs_.file(1)) {
  std::fputs(
      "request_id,arrival_time,first_token_time,end_time,ttft_s,tpot_s,e2e_s,prompt_tokens,"
      "output_tokens,replica,preemptions,prefix_hit_tokens,energy_j,final_state\n",
      requests_);
  std::fputs(training_columns
                 ? "time,busy_gpus,total_gpus,queued_jobs,running_jobs,training_gpus,"
                   "running_requests,queued_requests,kv_cache_util,tokens_per_s,"
                   "serving_busy_gpus,replicas_on,it_power_w,facility_power_w\n"
                 : "time,running_requests,queued_requests,kv_cache_util,tokens_per_s,busy_gpus,"
                   "total_gpus,it_power_w,facility_power_w,replicas_on\n",
             timeline_);
}

// A request meets the SLO when each given target is met: TTFT, and TPOT for requests that
// have a time per output token (more than one output token).
bool ServingRecorder::meets_slo(double ttft, double tpot) const {
  if (slo_ttft_s_ > 0 && ttft > slo_ttft_s_) return false;
  if (slo_tpot_s_ > 0 && tpot > slo_tpot_s_) return false;
  return true;
}

void ServingRecorder::request(const RequestRecord& r) {
  prompt_tokens_ += std::uint64_t(r.prompt_tokens);
  if (!r.rejected_because.empty()) {
    ++rejected_;
    fmt::print(requests_, "{},{},,,,,,{},{},,0,0,0,{}\n", csv_field(r.id), num(r.arrival_s),
               r.prompt_tokens, r.output_tokens, csv_field(r.rejected_because));
    return;
  }
  const double ttft = r.first_token_s - r.arrival_s;
  // Time per output token after the first (vLLM's and DistServe's definition).
  const double tpot =
      r.output_tokens > 1 ? (r.end_s - r.first_token_s) / double(r.output_tokens - 1) : 0.0;
  const double e2e = r.end_s - r.arrival_s;
  ttft_.push_back(ttft);
  if (r.output_tokens > 1) tpot_.push_back(tpot);
  e2e_.push_back(e2e);
  if (meets_slo(ttft, tpot)) ++met_slo_;
  output_tokens_ += std::uint64_t(r.output_tokens);
  prefix_hit_tokens_ += r.prefix_hit_tokens;
  fmt::print(requests_, "{},{},{},{},{},{},{},{},{},{},{},{},{},COMPLETED\n", csv_field(r.id),
             num(r.arrival_s), num(r.first_token_s), num(r.end_s), num(ttft),
             r.output_tokens > 1 ? num(tpot) : std::string(), num(e2e), r.prompt_tokens,
             r.output_tokens, r.replica, r.preemptions, r.prefix_hit_tokens, num(r.energy_j));
}

void ServingRecorder::sample(const TimelineSample& s) {
  if (training_columns_) {
    // busy_gpus: every GPU doing work, training's (held means busy) and serving's.
    fmt::print(timeline_, "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", num(s.time_s),
               s.training_gpus + s.busy_gpus, s.total_gpus, s.queued_jobs, s.running_jobs,
               s.training_gpus, s.running_requests, s.queued_requests, num(s.kv_cache_util),
               num(s.tokens_per_s), s.busy_gpus, s.replicas_on, num(s.it_power_w),
               num(s.facility_power_w));
    return;
  }
  fmt::print(timeline_, "{},{},{},{},{},{},{},{},{},{}\n", num(s.time_s), s.running_requests,
             s.queued_requests, num(s.kv_cache_util), num(s.tokens_per_s), s.busy_gpus,
             s.total_gpus, num(s.it_power_w), num(s.facility_power_w), s.replicas_on);
}

void ServingRecorder::finish(const ServingRunInfo& info) {
  outputs_.commit(summary(info), {info.energy, info.sim_wall_s, info.peak_rss_mb});
}

nlohmann::ordered_json ServingRecorder::finish_section(const ServingRunInfo& info) {
  outputs_.commit_streams();
  return summary(info);
}

nlohmann::ordered_json ServingRecorder::summary(const ServingRunInfo& info) {
  nlohmann::ordered_json j;
  const auto completed = e2e_.size();
  const double ttft_mean = mean(ttft_);
  const double tpot_mean = mean(tpot_);
  const double e2e_mean = mean(e2e_);
  j["deployments"] = info.deployments;
  j["routers"] = info.routers;
  j["schedulers"] = info.schedulers;
  j["exec_model"] = info.exec_model;
  j["seed"] = info.seed;
  j["replicas"] = info.replicas;
  j["total_gpus"] = info.total_gpus;
  j["requests_total"] = info.requests_total;
  j["requests_completed"] = completed;
  j["requests_rejected"] = rejected_;
  j["makespan_s"] = info.makespan_s;
  j["ttft_mean_s"] = ttft_mean;
  j["ttft_p50_s"] = percentile(ttft_, 0.50);
  j["ttft_p90_s"] = percentile(ttft_, 0.90);
  j["ttft_p99_s"] = percentile(ttft_, 0.99);
  j["tpot_mean_s"] = tpot_mean;
  j["tpot_p50_s"] = percentile(tpot_, 0.50);
  j["tpot_p90_s"] = percentile(tpot_, 0.90);
  j["tpot_p99_s"] = percentile(tpot_, 0.99);
  j["e2e_mean_s"] = e2e_mean;
  j["e2e_p99_s"] = percentile(e2e_, 0.99);
  if (slo_ttft_s_ > 0) j["slo_ttft_s"] = slo_ttft_s_;
  if (slo_tpot_s_ > 0) j["slo_tpot_s"] = slo_tpot_s_;
  // Of every request, served or not: a rejected request misses its SLO.
  const std::uint64_t all = completed + rejected_;
  j["slo_attainment"] = all ? double(met_slo_) / double(all) : 0.0;
  j["throughput_tokens_per_s"] = info.makespan_s > 0 ? output_tokens_ / info.makespan_s : 0.0;
  j["goodput_rps"] = info.makespan_s > 0 ? met_slo_ / info.makespan_s : 0.0;
  j["output_tokens"] = output_tokens_;
  j["prompt_tokens"] = prompt_tokens_;
  j["prefix_hit_tokens"] = prefix_hit_tokens_;
  j["preemptions"] = info.preemptions;
  // What serving used: its replicas' GPUs while they served (busy and idle), their share of
  // their nodes' static power, and the cooling of both (x PUE) — not other GPUs, and not the
  // time a training workload runs on after the last request.
  const double it = info.serving_gpu_energy_j + info.serving_node_energy_j;
  const double facility = it * info.pue;
  j["serving_gpu_energy_j"] = info.serving_gpu_energy_j;
  j["serving_node_energy_j"] = info.serving_node_energy_j;
  j["serving_cooling_energy_j"] = facility - it;
  j["serving_energy_j"] = facility;
  j["energy_per_1k_output_tokens_j"] =
      output_tokens_ ? facility / double(output_tokens_) * 1000.0 : 0.0;
  return j;
}

}  // namespace suanli::report
