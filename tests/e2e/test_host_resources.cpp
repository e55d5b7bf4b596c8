// Pods: jobs asking for CPU cores and host memory beside GPUs (or instead of them) run on one
// node that holds all of it at once (include/suanli/sched/cluster_view.hpp, docs/model.md).
//
// pods.yaml: 2 nodes of 2 GPUs (GPUs 0-1 on node 0, 2-3 on node 1), 8 cores and 64 GiB per
// node, GPUs 310 W busy (the jobs' compute share, 0.4 / 0.7, in the state of share 0.55:
// 200 + 0.55 x 200 W) / 50 W idle, 100 W static per node, switch 0 W, PUE 1.
// pods.csv, all submitted at 0, in this order (FIFO):
//   a: 1 GPU, 6 cores, 16 GiB, 100 s     b: the same     c: 1 GPU, 4 cores, 8 GiB, 50 s
//   d: no GPU, 2 cores, 60 GiB, 30 s     e: 1 GPU, 1 core, 8 GiB, 20 s
// t=0:   a goes on node 0 (GPU 0; 2 cores left), b on node 1 (GPU 2; 2 cores left). c would
//        fit the free GPUs 1 and 3 but neither node has 4 cores: it waits, and FIFO holds d
//        and e behind it.
// t=100: a and b end. c goes on node 0 (GPU 0; 4 cores, 56 GiB left), d on node 1 (no GPU;
//        6 cores, 4 GiB left), e then fits node 0 only (node 1 lacks its 8 GiB): GPU 1.
//        c ends at 150, d at 130, e at 120. Makespan 150 s.
// Energy: GPUs busy 100 + 100 + 50 + 20 = 270 GPU-s at 310 W = 83,700 J; idle
//   4 x 150 - 270 = 330 GPU-s at 50 W = 16,500 J; GPU energy 100,200 J. Static
//   2 nodes x 100 W x 150 s = 30,000 J; IT = facility = 130,200 J. The CPU-only pod adds no
//   GPU energy (the node's CPUs are in its static power). Utilisation 270 / 600 = 0.45.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

TEST_CASE("pods: a job waits for CPUs on one node though GPUs are free, CPU-only pods run") {
  const auto out = e2e::fresh_dir("pods");
  const auto r = e2e::run_suanli({"run", "--platform", fixture("e2e/pods.yaml"), "--workload",
                                  fixture("e2e/pods.csv"), "--policy", "fifo", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(out);
  REQUIRE(jobs.size() == 5);
  struct Expected {
    const char* id;
    double start, end;
    const char* hosts;
    double energy_j;
  };
  for (const Expected& e : {Expected{"a", 0, 100, "0", 31000}, Expected{"b", 0, 100, "2", 31000},
                            Expected{"c", 100, 150, "0", 15500}, Expected{"d", 100, 130, "", 0},
                            Expected{"e", 100, 120, "1", 6200}}) {
    CAPTURE(e.id);
    auto& row = jobs[e.id];
    CHECK(num(row, "start_time") == doctest::Approx(e.start));
    CHECK(num(row, "end_time") == doctest::Approx(e.end));
    CHECK(row["hosts"] == e.hosts);
    CHECK(num(row, "energy_j") == doctest::Approx(e.energy_j).epsilon(1e-6));
    CHECK(row["final_state"] == "COMPLETED");
  }
  CHECK(jobs["d"]["num_gpus"] == "0");
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["makespan_s"].get<double>() == doctest::Approx(150));
  CHECK(summary["energy_gpu_kwh"].get<double>() == doctest::Approx(100200 / 3.6e6).epsilon(1e-6));
  CHECK(summary["energy_it_kwh"].get<double>() == doctest::Approx(130200 / 3.6e6).epsilon(1e-6));
  CHECK(summary["gpu_utilization"].get<double>() == doctest::Approx(0.45));
  // The first timeline row, after the pass at t=0: a and b run, c, d and e wait.
  const auto timeline = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(!timeline.empty());
  CHECK(num(timeline.front(), "busy_gpus") == 2);
  CHECK(num(timeline.front(), "running_jobs") == 2);
  CHECK(num(timeline.front(), "queued_jobs") == 3);
}

TEST_CASE("pods: one no node can hold is bad input, or rejected with --reject-oversized") {
  // big asks 100 GiB on nodes of 64 GiB: line 3 of the file.
  const auto out = e2e::fresh_dir("pods_too_big");
  const std::vector<std::string> args = {"run",
                                         "--platform",
                                         fixture("e2e/pods.yaml"),
                                         "--workload",
                                         fixture("e2e/pods_too_big.csv"),
                                         "--out",
                                         out};
  const auto r = e2e::run_suanli(args);
  CHECK(r.status == 2);
  CHECK_MESSAGE(r.err.find("pods_too_big.csv:3: num_gpus: job 'big' is a pod asking for 1 GPUs, "
                           "1000 CPU thousandths and 102400 MiB on one node") != std::string::npos,
                r.err);
  auto with_reject = args;
  with_reject.push_back("--reject-oversized");
  const auto ok = e2e::run_suanli(with_reject);
  REQUIRE_MESSAGE(ok.status == 0, ok.err);
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["big"]["final_state"] == "REJECTED");
  CHECK(jobs["fits"]["final_state"] == "COMPLETED");
}
