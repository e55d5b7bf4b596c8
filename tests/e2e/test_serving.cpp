// End-to-end: LLM inference serving replay (run --deployment), cases derived by hand.
//
// tests/fixtures/serving_e2e/platform.yaml: one node of 2 "tgpu" (100 TFLOPS = 1e14 FLOP/s,
// 1 TB/s HBM, 10 GB, both roofline efficiencies 1, 400 W computing, 50 W idle), intra-node
// links of 100 GB/s, no latency. models.yaml: "toy", 1e9 parameters in bf16 (2e9 bytes of
// weights), 10 layers, hidden 1000, 10 heads of 100, no GQA: KV = 2 x 10 x 10 x 100 x 2 =
// 40,000 bytes per token.
//
// Roofline of one iteration (docs/serving-model.md), per GPU of a tp-way replica:
//   FLOPs  = (2 x 1e9 x new tokens + 4 x 10 x 10 x 100 x sum(new x (context + (new+1)/2))) / tp
//   bytes  = (2e9 + 40,000 x (sum of contexts + new tokens)) / tp
//   time   = max(FLOPs / 1e14, bytes / 1e12)
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

e2e::Result serve(const std::string& out, const std::string& deployment,
                  const std::string& requests, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run",
                                "--platform",
                                fixture("serving_e2e/platform.yaml"),
                                "--models",
                                fixture("serving_e2e/models.yaml"),
                                "--deployment",
                                fixture("serving_e2e/" + deployment),
                                "--requests",
                                fixture("serving_e2e/" + requests),
                                "--out",
                                out};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::run_suanli(args);
}

struct Served {
  std::map<std::string, e2e::Row> rows;  // requests.csv by request_id
  nlohmann::json summary;
};

Served run_requests(const std::string& name, const std::string& deployment,
                    const std::string& requests, std::vector<std::string> extra = {}) {
  const auto out = e2e::fresh_dir(name);
  const auto r = serve(out, deployment, requests, std::move(extra));
  REQUIRE_MESSAGE(r.status == 0, r.err);
  Served served;
  for (auto& row : e2e::read_csv(out + "/requests.csv")) served.rows[row["request_id"]] = row;
  served.summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  return served;
}

}  // namespace

// one.yaml: tp 1, no KV reserve. One request, prompt 1000, 3 output tokens.
//   prefill (1000 new, context 0): FLOPs 2e12 + 4e4 x 1000 x 500.5 = 2.02002e12 -> 0.0202002 s;
//     bytes 2e9 + 4e7 = 2.04e9 -> 0.00204 s: compute-bound. First token at 0.0202002.
//   decode 1 (1 new, context 1000): bytes 2e9 + 4e4 x 1001 = 2.04004e9 -> 0.00204004 s
//     (FLOPs 2.04004e9 -> 2.04e-5 s): memory-bound.
//   decode 2 (context 1001): bytes 2.04008e9 -> 0.00204008 s.
//   end 0.0202002 + 0.00204004 + 0.00204008 = 0.02428032; TPOT (end - first) / 2 = 0.00204006.
//   energy: one GPU computing the whole time, the prefill compute-bound (share 1: 400 W), the
//   decodes memory-bound (share 2.04e-5 / 0.00204 = 0.01, in the state of share 0: 200 W):
//   400 x 0.0202002 + 200 x (0.00204004 + 0.00204008) = 8.08008 + 0.816024 = 8.896104 J.
TEST_CASE("serving: one request on an idle replica, prefill roofline then memory-bound decodes") {
  for (const char* model : {"flows", "ptask"}) {
    CAPTURE(model);
    auto served = run_requests(std::string("serve-one-") + model, "one.yaml", "one_request.csv",
                               {"--exec-model", model});
    auto& rows = served.rows;
    REQUIRE(rows.count("r1") == 1);
    auto& r = rows["r1"];
    CHECK(num(r, "first_token_time") == doctest::Approx(0.0202002).epsilon(1e-9));
    CHECK(num(r, "ttft_s") == doctest::Approx(0.0202002).epsilon(1e-9));
    CHECK(num(r, "end_time") == doctest::Approx(0.02428032).epsilon(1e-9));
    CHECK(num(r, "tpot_s") == doctest::Approx(0.00204006).epsilon(1e-9));
    CHECK(num(r, "energy_j") == doctest::Approx(8.896104).epsilon(1e-6));
    CHECK(r["replica"] == "toy1/0");
    CHECK(r["final_state"] == "COMPLETED");
    const auto& s = served.summary;
    CHECK(s["requests_completed"] == 1);
    CHECK(s["makespan_s"].get<double>() == doctest::Approx(0.02428032).epsilon(1e-9));
    // 3 output tokens over the makespan. What serving used: the replica's one GPU while it
    // served, computing the whole time (8.896104 J), no static power, PUE 1 — not the
    // platform's other GPU, idle beside it (50 W x 0.02428032 s), which the cluster's
    // energy_it_kwh still has: 8.896104 J x 1000 / 3 tokens.
    CHECK(s["throughput_tokens_per_s"].get<double>() == doctest::Approx(3 / 0.02428032));
    CHECK(s["serving_gpu_energy_j"].get<double>() == doctest::Approx(8.896104).epsilon(1e-9));
    CHECK(s["serving_energy_j"].get<double>() == doctest::Approx(8.896104).epsilon(1e-9));
    CHECK(s["energy_it_kwh"].get<double>() * 3.6e6 ==
          doctest::Approx(8.896104 + 50 * 0.02428032).epsilon(1e-9));
    CHECK(s["energy_per_1k_output_tokens_j"].get<double>() ==
          doctest::Approx(8.896104 / 3 * 1000).epsilon(1e-9));
  }
}

// big_batch.yaml: max_batch 256, max_batch_tokens 8192. N requests at 0, prompt 16, 2 tokens:
// one prefill iteration for all (16 N tokens), then one decode iteration (N x 1 new, context 16).
//   N = 50:  prefill FLOPs 1.6e12 + 4e4 x 50 x 16 x 8.5 = 1.600272e12 -> 0.01600272 s;
//            decode FLOPs 1e11 + 4e4 x 50 x 17 -> 1.00034e-3 s, bytes 2e9 + 4e4 x (800 + 50)
//            = 2.034e9 -> 2.034e-3 s: memory-bound, TPOT 0.002034.
//   N = 200: prefill 6.4e12 + 4e4 x 200 x 136 = 6.401088e12 -> 0.06401088 s;
//            decode FLOPs 4e11 + 4e4 x 200 x 17 = 4.00136e11 -> 4.00136e-3 s, bytes 2e9 +
//            4e4 x 3400 = 2.136e9 -> 2.136e-3 s: compute-bound, TPOT 0.00400136.
TEST_CASE("serving: a large enough decode batch becomes compute-bound") {
  auto small = run_requests("serve-batch-50", "big_batch.yaml", "batch_50.csv").rows;
  REQUIRE(small.size() == 50);
  for (const auto& [id, r] : small) {
    CHECK(num(r, "ttft_s") == doctest::Approx(0.01600272).epsilon(1e-9));
    CHECK(num(r, "tpot_s") == doctest::Approx(0.002034).epsilon(1e-9));
  }
  auto large = run_requests("serve-batch-200", "big_batch.yaml", "batch_200.csv").rows;
  REQUIRE(large.size() == 200);
  for (const auto& [id, r] : large) {
    CHECK(num(r, "ttft_s") == doctest::Approx(0.06401088).epsilon(1e-9));
    CHECK(num(r, "tpot_s") == doctest::Approx(0.00400136).epsilon(1e-9));
  }
}

// prefix.jsonl (Mooncake): request 0 at 0 s, 1024 tokens, hash ids [1, 2] (512-token blocks);
// request 1 at 1 s, 1536 tokens, [1, 2, 3]. Request 0 finishes long before request 1 comes,
// and its 64 KV blocks of 16 tokens stay cached: request 1 hits 1024 tokens and prefills 512
// with a context of 1024:
//   FLOPs 2e9 x 512 + 4e4 x 512 x (1024 + 256.5) = 1.05022464e12 -> 0.0105022464 s;
//   bytes 2e9 + 4e4 x (1024 + 512) = 2.06144e9 -> 0.00206 s: compute-bound.
// Without the hit it would prefill 1536: 3.072e12 + 4e4 x 1536 x 768.5 -> 0.031192166 s.
// Request 0: 2.048e12 + 4e4 x 1024 x 512.5 = 2.068992e12 -> 0.02068992 s.
TEST_CASE("serving: a prefix hit removes exactly its prefill work") {
  auto rows = run_requests("serve-prefix", "one.yaml", "prefix.jsonl").rows;
  REQUIRE(rows.size() == 2);
  CHECK(num(rows["0"], "prefix_hit_tokens") == 0);
  CHECK(num(rows["0"], "ttft_s") == doctest::Approx(0.02068992).epsilon(1e-9));
  CHECK(num(rows["1"], "prefix_hit_tokens") == 1024);
  CHECK(num(rows["1"], "ttft_s") == doctest::Approx(0.0105022464).epsilon(1e-9));
  CHECK(rows["1"]["tpot_s"].empty());  // one output token: no time per output token
}

// tight_kv.yaml: 10 KV blocks of 16 tokens. A and B at 0, prompt 64 (4 blocks), 40 tokens.
//   joint prefill (128 tokens): 2.56e11 + 4e4 x 2 x 64 x 32.5 = 2.561664e11 -> 0.002561664 s.
//   decode i = 1..16 (both): token 64 + i needs 5 blocks each: 10 in use at i = 1.
//     each (2e9 + 8e4 (64 + i)) / 1e12: sum 0.0320928 s.
//   decode 17: A's token 81 needs a 6th block, none is free: B, the newest, is preempted
//     (17 tokens generated) and requeued with a prompt of 64 + 17 = 81 (6 blocks).
//   A alone, i = 17..39: (2e9 + 4e4 (64 + i)) / 1e12, sum 0.04608464 s; A needs 7 blocks at
//     the end, so B (6) cannot come back before A ends at 0.002561664 + 0.0320928 +
//     0.04608464 = 0.080739104.
//   B recomputes 81 tokens: bytes 2e9 + 4e4 x 81 -> 0.00200324 s (memory-bound, FLOPs
//     1.6213284e11 -> 0.0016 s), emitting token 18; then 22 decodes j = 1..22 at context
//     80 + j: (2e9 + 4e4 (81 + j)) / 1e12, sum 0.0440814 s. B ends at 0.126823744.
TEST_CASE("serving: KV exhaustion preempts the newest sequence at the expected step") {
  auto served = run_requests("serve-kv", "tight_kv.yaml", "two_long.csv");
  auto& rows = served.rows;
  REQUIRE(rows.size() == 2);
  CHECK(num(rows["A"], "preemptions") == 0);
  CHECK(num(rows["B"], "preemptions") == 1);
  CHECK(num(rows["A"], "ttft_s") == doctest::Approx(0.002561664).epsilon(1e-9));
  CHECK(num(rows["B"], "ttft_s") == doctest::Approx(0.002561664).epsilon(1e-9));
  CHECK(num(rows["A"], "end_time") == doctest::Approx(0.080739104).epsilon(1e-9));
  CHECK(num(rows["B"], "end_time") == doctest::Approx(0.126823744).epsilon(1e-9));
  CHECK(served.summary["preemptions"] == 1);
}

// tp2.yaml: the one.yaml request on both GPUs (tp 2). Per GPU, half the FLOPs and bytes, then
// a ring all-reduce: 2 per layer of 1000 x 1000 x 2 bytes (prefill) -> each GPU sends
// 2 x 10 x 2e6 x 2 (2 - 1) / 2 = 4e7 bytes to the other over its 100 GB/s link: 0.0004 s.
//   prefill: 1.01001e12 / 1e14 = 0.0101001 s + 0.0004 s = 0.0105001 (first token).
//   decodes: bytes 1.02002e9 and 1.02004e9 -> 1.02002e-3 and 1.02004e-3 s, each plus an
//     all-reduce of 2 x 10 x 2000 x 1 = 4e4 bytes -> 4e-7 s: TPOT (1.02042e-3 + 1.02044e-3) / 2.
//   energy: both GPUs at 400 W in the compute-bound prefill, 200 W in the memory-bound decodes
//     (share ~0.01: state 0), idle (50 W) during the all-reduces: 800 x 0.0101001
//     + 400 x (1.02002e-3 + 1.02004e-3) + 100 x (4e-4 + 8e-7) = 8.936184 J.
TEST_CASE("serving: tensor parallelism sends its all-reduce over the intra-node links") {
  auto rows = run_requests("serve-tp2", "tp2.yaml", "one_request.csv").rows;
  const auto& r = rows["r1"];
  CHECK(num(r, "ttft_s") == doctest::Approx(0.0105001).epsilon(1e-9));
  CHECK(num(r, "tpot_s") == doctest::Approx(1.02043e-3).epsilon(1e-9));
  CHECK(num(r, "energy_j") == doctest::Approx(8.936184).epsilon(1e-6));
}

// --slo-ttft 0.015: of the 2 requests of prefix.jsonl only request 1 (TTFT 0.0105) meets it.
TEST_CASE("serving: SLO attainment and goodput follow --slo-ttft") {
  const auto out = e2e::fresh_dir("serve-slo");
  const auto r = serve(out, "one.yaml", "prefix.jsonl", {"--slo-ttft", "0.015"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(s["slo_attainment"].get<double>() == doctest::Approx(0.5));
  CHECK(s["goodput_rps"].get<double>() == doctest::Approx(1 / s["makespan_s"].get<double>()));
}

TEST_CASE("serving: compare runs every router and prints one row each") {
  const auto out = e2e::fresh_dir("serve-compare");
  const auto r = e2e::run_suanli({"compare", "--platform", fixture("serving_e2e/platform.yaml"),
                                  "--models", fixture("serving_e2e/models.yaml"), "--deployment",
                                  fixture("serving_e2e/one.yaml"), "--requests",
                                  fixture("serving_e2e/prefix.jsonl"), "--routers",
                                  "round-robin,least-tokens", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("round-robin") != std::string::npos);
  CHECK(r.out.find("least-tokens") != std::string::npos);
  for (const char* router : {"round-robin", "least-tokens"}) {
    const auto s = nlohmann::json::parse(e2e::read_file(out + "/" + router + "/summary.json"));
    CHECK(s["routers"] == router);
    CHECK(s["requests_completed"] == 2);
  }
  CHECK(std::filesystem::exists(out + "/compare.csv"));
}

TEST_CASE("serving: bad deployment and bad request rows stop with one line and status 2") {
  const auto dir = e2e::fresh_dir("serve-bad");
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/unknown_model.yaml")
        << "deployments:\n  - {name: x, model: no-such-model, gpu: tgpu, tp: 1, replicas: 1}\n";
    std::ofstream(dir + "/bad_requests.csv")
        << "arrival_time,prompt_tokens,output_tokens\n0,10,5\n1,-3,5\n";
  }
  auto r = e2e::run_suanli({"run", "--platform", fixture("serving_e2e/platform.yaml"),
                            "--deployment", dir + "/unknown_model.yaml", "--requests",
                            fixture("serving_e2e/one_request.csv"), "--out", dir + "/o1"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown_model.yaml:2") != std::string::npos);
  CHECK(r.err.find("no-such-model") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/o1"));

  r = e2e::run_suanli({"run", "--platform", fixture("serving_e2e/platform.yaml"), "--models",
                       fixture("serving_e2e/models.yaml"), "--deployment",
                       fixture("serving_e2e/one.yaml"), "--requests", dir + "/bad_requests.csv",
                       "--out", dir + "/o2"});
  CHECK(r.status == 2);
  CHECK(r.err.find("bad_requests.csv:3: prompt_tokens") != std::string::npos);

  // Beside a replica of one.yaml on one of platform_2nodes' two GPUs, a 2-GPU job can never
  // run: an input error before anything runs.
  r = e2e::run_suanli({"run", "--platform", fixture("serving_e2e/platform_2nodes.yaml"), "--models",
                       fixture("serving_e2e/models.yaml"), "--deployment",
                       fixture("serving_e2e/one.yaml"), "--requests",
                       fixture("serving_e2e/one_request.csv"), "--workload",
                       fixture("serving_e2e/two_gpu_job.csv"), "--out", dir + "/o3"});
  CHECK(r.status == 2);
  CHECK(r.err.find("two_gpu_job.csv:2: num_gpus: job 'big' asks for 2 GPUs but, beside the "
                   "serving replicas, the largest cluster it may use has 1 GPUs left") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/o3"));
}

// disaggregated.yaml on platform_2nodes.yaml (two nodes of one tgpu, NIC rails of 100 Gb/s =
// 12.5 GB/s, no latency): the prefill replica takes node 0's GPU, the decode replica node
// 1's. one_request.csv (prompt 1000, 3 tokens):
//   prefill on node 0: 0.0202002 s as on one replica (first token);
//   KV transfer: 1000 x 40,000 = 4e7 bytes from GPU 0 to GPU 1, route intra 100 GB/s ->
//     NIC 12.5 GB/s -> NIC -> intra: 4e7 / 1.25e10 = 0.0032 s;
//   decodes on node 1: 0.00204004 + 0.00204008 s.
//   end 0.0202002 + 0.0032 + 0.00408012 = 0.02748032; TPOT (0.0032 + 0.00408012) / 2.
TEST_CASE("serving: disaggregated KV transfer takes bytes over the bottleneck bandwidth") {
  const auto out = e2e::fresh_dir("serve-disaggregated");
  const auto r = e2e::run_suanli({"run", "--platform", fixture("serving_e2e/platform_2nodes.yaml"),
                                  "--models", fixture("serving_e2e/models.yaml"), "--deployment",
                                  fixture("serving_e2e/disaggregated.yaml"), "--requests",
                                  fixture("serving_e2e/one_request.csv"), "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto rows = e2e::read_csv(out + "/requests.csv");
  REQUIRE(rows.size() == 1);
  CHECK(num(rows[0], "ttft_s") == doctest::Approx(0.0202002).epsilon(1e-9));
  CHECK(num(rows[0], "end_time") == doctest::Approx(0.02748032).epsilon(1e-9));
  CHECK(num(rows[0], "tpot_s") == doctest::Approx((0.0032 + 0.00408012) / 2).epsilon(1e-9));
  CHECK(rows[0]["replica"] == "toy-split/d0");
  // GPU energy of the request: the prefill at 400 W, the two memory-bound decodes at 200 W (the
  // transfer is network time).
  CHECK(num(rows[0], "energy_j") ==
        doctest::Approx(400 * 0.0202002 + 200 * 0.00408012).epsilon(1e-6));
}

// autoscale.yaml on platform_2nodes.yaml: replicas {min 0, max 2}, no cooldown, scale down
// below 50 % KV use, cold start 2e9 bytes / (16 Gb/s = 2e9 B/s) = 1 s. Both GPUs start off.
// two_apart.csv: r1 at 0, r2 at 3 (prompt 1000, 3 tokens: 0.02428032 s of work each).
//   t=0: no replica on: replica 0 starts (GPU 0 on, idle while loading), serves r1 from
//        t=1: first token 1.0202002, end 1.02428032.
//   samples every 0.7 s: at 1.4 replica 0 is on with an empty KV cache (< 50 %): it drains
//        (nothing to finish) and powers off.
//   t=3: r2 starts replica 0 again: first token 4.0202002, end 4.02428032 (TTFT 1.0202002).
// GPU energy: GPU 0 idle 1 s (50 J) + a request's iterations (8.896104 J, as on an idle
// replica) + idle from 1.02428032 to 1.4 (18.785984 J) + off to 3 (0) + idle 1 s (50 J)
// + 8.896104 J = 136.578192 J; GPU 1 never powers on: 0 J.
TEST_CASE("serving: autoscaling starts replicas with a cold start and powers idle ones off") {
  const auto out = e2e::fresh_dir("serve-autoscale");
  const auto r = e2e::run_suanli({"run", "--platform", fixture("serving_e2e/platform_2nodes.yaml"),
                                  "--models", fixture("serving_e2e/models.yaml"), "--deployment",
                                  fixture("serving_e2e/autoscale.yaml"), "--requests",
                                  fixture("serving_e2e/two_apart.csv"), "--serving-sample-seconds",
                                  "0.7", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  std::map<std::string, e2e::Row> rows;
  for (auto& row : e2e::read_csv(out + "/requests.csv")) rows[row["request_id"]] = row;
  CHECK(num(rows["r1"], "first_token_time") == doctest::Approx(1.0202002).epsilon(1e-9));
  CHECK(num(rows["r1"], "end_time") == doctest::Approx(1.02428032).epsilon(1e-9));
  CHECK(num(rows["r2"], "first_token_time") == doctest::Approx(4.0202002).epsilon(1e-9));
  CHECK(num(rows["r2"], "ttft_s") == doctest::Approx(1.0202002).epsilon(1e-9));
  const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(s["energy_gpu_kwh"].get<double>() * 3.6e6 == doctest::Approx(136.578192).epsilon(1e-6));
  auto timeline = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(timeline.size() == 6);  // 0.7, 1.4, 2.1, 2.8, 3.5 and the end
  const int on[] = {1, 1, 0, 0, 1, 1};
  for (int k = 0; k < 6; ++k) CHECK(num(timeline[std::size_t(k)], "replicas_on") == on[k]);
}

// Training and serving on one cluster: platform_2nodes' two GPUs, one.yaml's replica takes
// GPU 0 (placed first), the 100 s training job of one_job.csv runs on GPU 1 from 0 to 100,
// the request as on an idle replica (0.0202002 first token, end 0.02428032).
// Whole-cluster GPU energy in both summaries: GPU 1 for 100 s at the job's compute share, MFU
// 0.4 over tgpu's efficiency 1 = 0.4, 200 + 0.4 x 200 = 280 W (28,000 J) + GPU 0 computing
// 8.896104 J and idle 50 W x (100 - 0.02428032) s (4,998.785984 J) = 33,007.682088 J.
TEST_CASE("serving: training jobs run beside the replicas, on the GPUs they leave") {
  const auto out = e2e::fresh_dir("serve-combined");
  const auto r = e2e::run_suanli({"run", "--platform", fixture("serving_e2e/platform_2nodes.yaml"),
                                  "--models", fixture("serving_e2e/models.yaml"), "--deployment",
                                  fixture("serving_e2e/one.yaml"), "--requests",
                                  fixture("serving_e2e/one_request.csv"), "--workload",
                                  fixture("serving_e2e/one_job.csv"), "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["train"]["hosts"] == "1");
  CHECK(num(jobs["train"], "start_time") == 0);
  CHECK(num(jobs["train"], "end_time") == doctest::Approx(100));
  auto requests = e2e::read_csv(out + "/requests.csv");
  REQUIRE(requests.size() == 1);
  CHECK(requests[0]["replica"] == "toy1/0");
  CHECK(num(requests[0], "end_time") == doctest::Approx(0.02428032).epsilon(1e-9));
  // One summary.json: a section per service, the cluster's energy once.
  const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(s["energy_gpu_kwh"].get<double>() * 3.6e6 == doctest::Approx(33007.682088).epsilon(1e-6));
  CHECK(s["end_s"].get<double>() == doctest::Approx(100));
  CHECK(s["training"]["jobs_completed"] == 1);
  CHECK(s["training"]["policy"] == "fifo");
  CHECK(s["serving"]["requests_completed"] == 1);
  CHECK(!s["training"].contains("energy_gpu_kwh"));
  CHECK(!std::filesystem::exists(out + "/serving_summary.json"));
  CHECK(!std::filesystem::exists(out + "/serving_timeline.csv"));
  // One timeline, every 1 s to the end (t = 100): the job on GPU 1 throughout, the replica on
  // GPU 0 computing only in (0, 0.0243); 280 W + 50 W = 330 W in every period after the first.
  auto timeline = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(timeline.size() == 100);
  CHECK(num(timeline[99], "time") == 100);
  for (std::size_t i = 1; i < timeline.size(); ++i) {
    CAPTURE(i);
    CHECK(timeline[i]["training_gpus"] == "1");
    CHECK(timeline[i]["running_jobs"] == "1");
    CHECK(timeline[i]["busy_gpus"] == "1");
    CHECK(timeline[i]["serving_busy_gpus"] == "0");
    CHECK(timeline[i]["total_gpus"] == "2");
    CHECK(timeline[i]["replicas_on"] == "1");
    CHECK(num(timeline[i], "it_power_w") == doctest::Approx(330).epsilon(1e-9));
  }
}

// A combined run has one timeline, sampled every --serving-sample-seconds: a training
// timeline period is refused rather than silently ignored.
TEST_CASE("serving: a combined run refuses --sample-seconds") {
  const auto out = e2e::fresh_dir("serve-combined-sample");
  const auto r = e2e::run_suanli(
      {"run", "--platform", fixture("serving_e2e/platform_2nodes.yaml"), "--models",
       fixture("serving_e2e/models.yaml"), "--deployment", fixture("serving_e2e/one.yaml"),
       "--requests", fixture("serving_e2e/one_request.csv"), "--workload",
       fixture("serving_e2e/one_job.csv"), "--sample-seconds", "10", "--out", out});
  CHECK(r.status == 2);
  CHECK(r.err.find("--sample-seconds") != std::string::npos);
  CHECK(r.err.find("--serving-sample-seconds") != std::string::npos);
  CHECK(!std::filesystem::exists(out));
}

// The deployment file on the bundled default platform (128 H100): every request
// trace format replays to the end, every request accounted for. Traces that name models
// (BurstGPT, the native fixture) need them listed under serves:.
TEST_CASE("serving: the issue's deployment replays every request trace format") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"azure_2023.csv", "issue_example.yaml"},
      {"azure_2024.csv", "issue_example.yaml"},
      {"mooncake.jsonl", "issue_example.yaml"},
      {"burstgpt.csv", "issue_example_serves.yaml"},
      {"native.csv", "issue_example_serves.yaml"}};
  for (const auto& [trace, deployment] : cases) {
    CAPTURE(trace);
    const auto out = e2e::fresh_dir("serve-issue-" + trace);
    const auto r = e2e::run_suanli({"run", "--deployment", fixture("serving/" + deployment),
                                    "--requests", fixture("requests/" + trace), "--out", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
    CHECK(s["replicas"] == 4);
    CHECK(s["requests_completed"].get<int>() + s["requests_rejected"].get<int>() ==
          s["requests_total"].get<int>());
    CHECK(s["requests_completed"].get<int>() > 0);
    CHECK(e2e::read_csv(out + "/requests.csv").size() == s["requests_total"].get<std::size_t>());
  }
}

// compare --deployments: one row per file, named by the file.
TEST_CASE("serving: compare takes several deployment files") {
  const auto out = e2e::fresh_dir("serve-compare-deployments");
  const auto r =
      e2e::run_suanli({"compare", "--platform", fixture("serving_e2e/platform.yaml"), "--models",
                       fixture("serving_e2e/models.yaml"), "--deployments",
                       fixture("serving_e2e/one.yaml") + "," + fixture("serving_e2e/tp2.yaml"),
                       "--requests", fixture("serving_e2e/one_request.csv"), "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  // tp2's TTFT (0.0105001 s, derived above) beats one's (0.0202002 s).
  const auto one = nlohmann::json::parse(e2e::read_file(out + "/one/summary.json"));
  const auto tp2 = nlohmann::json::parse(e2e::read_file(out + "/tp2/summary.json"));
  CHECK(one["ttft_p50_s"].get<double>() == doctest::Approx(0.0202002).epsilon(1e-9));
  CHECK(tp2["ttft_p50_s"].get<double>() == doctest::Approx(0.0105001).epsilon(1e-9));
  CHECK(r.out.find("one") != std::string::npos);
  CHECK(r.out.find("tp2") != std::string::npos);
}

TEST_CASE("serving: a model the trace names and no deployment serves is an input error") {
  const auto out = e2e::fresh_dir("serve-unserved");
  const auto r = e2e::run_suanli({"run", "--deployment", fixture("serving/issue_example.yaml"),
                                  "--requests", fixture("requests/burstgpt.csv"), "--out", out});
  CHECK(r.status == 2);
  CHECK(r.err.find("burstgpt.csv:2: model: no deployment serves model 'ChatGPT' (list it under "
                   "a deployment's serves:)") != std::string::npos);
}

TEST_CASE("serving: --requests without --deployment is refused, not ignored") {
  const auto out = e2e::fresh_dir("serve-no-deployment");
  for (const char* command : {"run", "compare"}) {
    CAPTURE(command);
    const auto r = e2e::run_suanli(
        {command, "--requests", fixture("serving_e2e/one_request.csv"), "--out", out});
    CHECK(r.status == 2);
    CHECK(r.err.find("--requests: a request trace needs --deployment") != std::string::npos);
  }
}

// One energy accountant for training and serving: a job holding half a GPU beside a replica
// (platform_2nodes: replica on GPU 0, the job on GPU 1) draws the same energy under both
// execution models. Under ptask a share is timed without SimGrid, and its dynamic power used
// to be lost from a combined run's totals (they were the serving side's only).
// GPU 1: 100 s at idle 50 W + half of (280 - 50) W (the job's compute share 0.4: 280 W) =
// 165 W -> 16,500 J; GPU 0: the request's iterations (8.896104 J) + 50 W for the rest of the
// 100 s (4,998.785984 J). Total 21,507.682088 J; the timeline's second row (t in (1, 2]) is
// 50 + 165 = 215 W under
// both models, with the half-GPU job's GPU and the replica's among the 2 GPUs (the issue's
// example: two timelines used to say 275 W and 1 GPU, and 371 W and 2 GPUs).
TEST_CASE("serving: a GPU share beside a replica draws the same energy under flows and ptask") {
  for (const char* model : {"flows", "ptask"}) {
    CAPTURE(model);
    const auto out = e2e::fresh_dir(std::string("serve-share-") + model);
    const auto r = e2e::run_suanli(
        {"run", "--platform", fixture("serving_e2e/platform_2nodes.yaml"), "--models",
         fixture("serving_e2e/models.yaml"), "--deployment", fixture("serving_e2e/one.yaml"),
         "--requests", fixture("serving_e2e/one_request.csv"), "--workload",
         fixture("reference/inputs/half_job.csv"), "--exec-model", model, "--out", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
    CHECK(s["energy_gpu_kwh"].get<double>() * 3.6e6 == doctest::Approx(21507.682088).epsilon(1e-9));
    auto timeline = e2e::read_csv(out + "/timeline.csv");
    REQUIRE(timeline.size() >= 2);
    CHECK(num(timeline[1], "it_power_w") == doctest::Approx(215).epsilon(1e-9));
    CHECK(timeline[1]["training_gpus"] == "1");
    CHECK(timeline[1]["total_gpus"] == "2");
  }
}
