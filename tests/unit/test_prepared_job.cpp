// perf::prepare_jobs: model constraints (with alternatives), reference GPUs, rejections.
#include <doctest/doctest.h>

#include "suanli/common/input_error.hpp"
#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform_loader.hpp"

using namespace suanli;

namespace {

// 16 A100 (the most common model, so the default reference) and 8 H100.
platform::Platform two_models() {
  return platform::parse_platform_yaml(R"(
name: two-models
sites:
  - name: lab
    clusters:
      - {name: a, nodes: 2, node: {gpu: {model: A100, count: 8}, nic: {bandwidth: 200Gbps, latency: 1us}}}
      - {name: h, nodes: 1, node: {gpu: {model: H100, count: 8}, nic: {bandwidth: 400Gbps, latency: 1us}}}
)",
                                       "two-models.yaml");
}

workload::Job duration_job(const std::string& id, int gpus, double seconds) {
  workload::Job j;
  j.id = id;
  j.num_gpus = gpus;
  j.duration_s = seconds;
  j.line = 2;
  return j;
}

}  // namespace

TEST_CASE("prepare_jobs: a gpu_type may list alternatives, the first present is the reference") {
  const auto p = two_models();
  workload::Workload w;
  w.source = "w.csv";
  w.jobs.push_back(duration_job("alt", 8, 100));
  w.jobs.back().gpu_type = "B200|H100|A100";  // B200 absent: H100 (bit 1) and A100 (bit 0)
  w.jobs.push_back(duration_job("any", 1, 100));
  const auto prepared = perf::prepare_jobs(p, w, false);
  CHECK(prepared[0].models == 0b11);
  CHECK(prepared[0].reference_peak == doctest::Approx(989e12));  // H100, the first present
  CHECK(prepared[1].models == 0);
  CHECK(prepared[1].reference_peak == doctest::Approx(312e12));  // most common: A100
  w.jobs[0].gpu_type = "B200|B300";
  CHECK_THROWS_AS(perf::prepare_jobs(p, w, false), InputError);
}

TEST_CASE("prepare_jobs: a job larger than all its allowed clusters, with alternatives") {
  const auto p = two_models();
  workload::Workload w;
  w.source = "w.csv";
  w.jobs.push_back(duration_job("big", 12, 100));
  w.jobs.back().gpu_type = "H100";  // the H100 cluster has 8
  CHECK_THROWS_AS(perf::prepare_jobs(p, w, false), InputError);
  w.jobs.back().gpu_type = "H100|A100";  // the A100 cluster has 16
  CHECK_FALSE(perf::prepare_jobs(p, w, false)[0].rejected);
}

TEST_CASE("prepare_jobs: reference GPU from the trace, GPU shares and never-ran jobs") {
  const auto p = two_models();
  workload::Workload w;
  w.source = "w.csv";
  w.jobs.push_back(duration_job("gavel", 1, 100));
  w.jobs.back().reference_gpu = "V100";  // in the catalog, not in the platform: 125 TFLOPS
  w.jobs.push_back(duration_job("share", 1, 100));
  w.jobs.back().gpu_milli = 500;
  w.jobs.push_back(duration_job("never", 1, 0));
  w.jobs.back().started_in_trace = false;
  const auto prepared = perf::prepare_jobs(p, w, false);
  CHECK(prepared[0].reference_peak == doctest::Approx(125e12));
  CHECK(prepared[0].work.flops_per_gpu == doctest::Approx(100 * 125e12));
  CHECK_FALSE(prepared[0].rejected);
  CHECK(prepared[1].rejected);
  CHECK(prepared[1].reject_reason.find("sharing") != std::string::npos);
  CHECK(prepared[2].rejected);
  CHECK(prepared[2].reject_reason.find("never ran") != std::string::npos);
  w.jobs[0].reference_gpu = "K40";
  try {
    perf::prepare_jobs(p, w, false);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find(
              "w.csv:2: reference GPU: 'K40' is not in the device catalog") != std::string::npos);
  }
}
