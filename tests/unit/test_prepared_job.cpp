// perf::prepare_jobs: model constraints (with alternatives), reference GPUs, rejections.
#include <doctest/doctest.h>

#include "suanli/common/input_error.hpp"
#include "suanli/perf/prepared_job.hpp"
#include "suanli/perf/speed_table.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "test_support.hpp"

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

// A job as a Gavel trace gives it: a job type, a duration on the V100 (not in two_models()).
workload::Job typed_job(const std::string& id, const std::string& job_type, int gpus) {
  workload::Job j = duration_job(id, gpus, 100);
  j.job_type = job_type;
  j.reference_gpu = "V100";
  return j;
}

const std::string kUnitsTable = std::string(SUANLI_FIXTURES) + "/speed/units.csv";

workload::Workload workload_of(std::vector<workload::Job> jobs) {
  workload::Workload w;
  w.source = "w.csv";
  w.jobs = std::move(jobs);
  return w;
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
  // A share of one GPU runs at that share: half the work of the whole-GPU job.
  CHECK_FALSE(prepared[1].rejected);
  CHECK(prepared[1].share_milli == 500);
  CHECK(prepared[1].work.flops_per_gpu == doctest::Approx(0.5 * 100 * 312e12));
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

// tests/fixtures/speed/units.csv on two_models() (model 0 = A100, 1 = H100); steps/s from the
// table, reference V100 unless said otherwise.
TEST_CASE("prepare_jobs: per-GPU-type speeds from a speed table, as ratios to the reference") {
  auto w = workload_of({
      // ResNet-18 on 1 GPU: A100 50/20 = 2.5, H100 80/20 = 4.
      typed_job("resnet1", "ResNet-18 (batch size 64)", 1),
      // On 8 GPUs: the table has A100 x8 and H100 x8 but no V100 x8, so the 1-GPU ratios.
      typed_job("resnet8", "ResNet-18 (batch size 64)", 8),
      // Transformer on 4 GPUs: A100 90/30 = 3 (both 4-GPU entries); H100 has no 4-GPU entry:
      // its 1-GPU ratio 40/10 = 4.
      typed_job("transformer4", "Transformer (batch size 128)", 4),
  });
  // The reference from gpu_type (A100): A100 50/50 = 1, H100 80/50 = 1.6.
  w.jobs.push_back(typed_job("on-a100", "ResNet-18 (batch size 64)", 1));
  w.jobs.back().reference_gpu.clear();
  w.jobs.back().gpu_type = "A100|H100";
  // The table lacks the reference V100: anchored on the covered model closest in peak to
  // the V100 (125 TFLOPS): A100 (312) before H100 (989), at its peak ratio 312/125 = 2.496;
  // H100 = 2.496 x 60/30 = 4.992.
  w.jobs.push_back(typed_job("lm", "LM (batch size 20)", 1));
  // Not in the table, covering no platform model (A3C: V100 and K80 only), no job type: the
  // peak ratio (empty).
  w.jobs.push_back(typed_job("cyclegan", "CycleGAN", 1));
  w.jobs.push_back(typed_job("a3c", "A3C", 1));
  w.jobs.push_back(typed_job("untyped", "", 1));

  const auto p = two_models();
  const auto table = perf::SpeedTable::read(kUnitsTable);
  const auto prepared = perf::prepare_jobs(p, w, false, &table);
  const auto speeds = [&](std::size_t i) {
    CAPTURE(w.jobs[i].id);
    REQUIRE(prepared[i].model_speed.size() == 2);
    return std::pair{prepared[i].model_speed[0], prepared[i].model_speed[1]};
  };
  CHECK(speeds(0).first == doctest::Approx(2.5));
  CHECK(speeds(0).second == doctest::Approx(4));
  CHECK(speeds(1).first == doctest::Approx(2.5));
  CHECK(speeds(1).second == doctest::Approx(4));
  CHECK(speeds(2).first == doctest::Approx(3));
  CHECK(speeds(2).second == doctest::Approx(4));
  CHECK(speeds(3).first == doctest::Approx(1));
  CHECK(speeds(3).second == doctest::Approx(1.6));
  CHECK(speeds(4).first == doctest::Approx(2.496));
  CHECK(speeds(4).second == doctest::Approx(4.992));
  for (std::size_t i = 5; i < 8; ++i) CHECK(prepared[i].model_speed.empty());
  for (const auto& job : prepared) CHECK_FALSE(job.rejected);
  CHECK(prepared[0].models == 0);  // nothing barred: still any model
  CHECK(prepared[3].models == 0b11);

  // Without a table every job keeps the peak ratio.
  for (const auto& job : perf::prepare_jobs(p, w, false)) CHECK(job.model_speed.empty());
}

TEST_CASE("prepare_jobs: 0 steps/s in the speed table means the job cannot run on that model") {
  auto w = workload_of({
      // ResNet-50: A100 25/10 = 2.5 (rows for any count), H100 0: only the A100 (bit 0) is
      // left.
      typed_job("resnet50", "ResNet-50 (batch size 128)", 8),
      // ViT does not fit an A100: H100 only (10/2 = 5).
      typed_job("vit", "ViT (batch size 256)", 4),
  });
  const auto p = two_models();
  const auto table = perf::SpeedTable::read(kUnitsTable);
  auto prepared = perf::prepare_jobs(p, w, false, &table);
  CHECK(prepared[0].models == 0b01);
  CHECK(prepared[0].model_speed == std::vector<double>{2.5, 0});
  CHECK(prepared[1].models == 0b10);
  CHECK(prepared[1].model_speed == std::vector<double>{0, 5});

  // 12 GPUs of ViT: the A100 cluster (16) is out, the H100 cluster has 8.
  w.jobs[1].num_gpus = 12;
  w.jobs[1].line = 3;
  CHECK(suanli::testing::input_error_of([&] { perf::prepare_jobs(p, w, false, &table); }, "vit")
            .starts_with("w.csv:3: num_gpus: job 'vit' asks for 12 GPUs but the largest cluster "
                         "it may use has 8"));
  prepared = perf::prepare_jobs(p, w, true, &table);
  CHECK(prepared[1].rejected);

  // Asking for the one model it cannot run on: an input error, or rejected.
  w.jobs[0].gpu_type = "H100";
  CHECK(suanli::testing::input_error_of([&] { perf::prepare_jobs(p, w, false, &table); },
                                        "resnet50 on H100") ==
        "w.csv:2: job_type: job 'resnet50' (job type 'ResNet-50 (batch size 128)') cannot run on "
        "any GPU model it may use: " +
            kUnitsTable + " says 0 steps/s on H100 (use --reject-oversized to skip such jobs)");
  prepared = perf::prepare_jobs(p, w, true, &table);
  CHECK(prepared[0].rejected);
  CHECK(prepared[0].reject_reason.find("cannot run on any GPU model") != std::string::npos);
}
