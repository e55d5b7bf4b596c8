#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "suanli/perf/llm_model.hpp"
#include "suanli/perf/llm_roofline.hpp"
#include "suanli/platform/device_catalog.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "test_support.hpp"

using namespace suanli;
using namespace suanli::perf;
using suanli::platform::DeviceCatalog;
using suanli::platform::DeviceSpec;

namespace {

const LlmModel& model(const char* name) {
  static const LlmCatalog catalog = LlmCatalog::builtin();
  return *catalog.find(name);
}

const DeviceSpec& device(const char* name) {
  static const DeviceCatalog catalog = DeviceCatalog::builtin();
  return *catalog.find(name);
}

// H100 SXM: 989 TFLOPS bf16 dense x 0.7 = 692.3 TFLOP/s; 3.35 TB/s x 0.9 = 3.015 TB/s.
constexpr double kH100Flops = 989e12 * 0.7;
constexpr double kH100Bytes = 3.35e12 * 0.9;
// Llama-2-7B: 6,738,415,616 parameters, 13,476,831,232 bytes in bf16; per token
// 2 x 32 layers x 32 KV heads x 128 x 2 B = 524,288 KV bytes, and attention costs
// 4 x 32 layers x 32 heads x 128 = 524,288 FLOPs per (query, key) pair.
constexpr double kL7Params = 6'738'415'616;
constexpr double kL7Weights = 2 * kL7Params;
constexpr double kL7Kv = 524'288;
constexpr double kL7AttnPerPair = 524'288;

std::vector<SequenceWork> decodes(int n, long long context) {
  return std::vector<SequenceWork>(static_cast<std::size_t>(n), SequenceWork{1, context});
}

}  // namespace

TEST_CASE("a single Llama-2-7B decode step on H100 is memory-bound at weights over bandwidth") {
  const std::vector<SequenceWork> batch = {{1, 0}};
  const IterationCost c = iteration_cost(model("llama-2-7b"), device("H100"), {}, batch);
  // FLOPs: 2 x 6,738,415,616 x 1 + 524,288 x 1 x (0 + 2/2) = 13,477,355,520.
  CHECK(c.flops_per_gpu == kL7Weights + kL7AttnPerPair);
  // Bytes: the weights once + the new token's K and V: 13,476,831,232 + 524,288.
  CHECK(c.weight_bytes_per_gpu == kL7Weights);
  CHECK(c.kv_read_bytes_per_gpu == 0);
  CHECK(c.kv_write_bytes_per_gpu == kL7Kv);
  CHECK(c.bytes_per_gpu == kL7Weights + kL7Kv);
  // memory: 13,477,355,520 / 3.015e12 = 4.4701 ms; compute: / 692.3e12 = 19.5 us.
  CHECK(c.bound == Bound::memory);
  CHECK(c.memory_s == doctest::Approx((kL7Weights + kL7Kv) / kH100Bytes));
  CHECK(c.compute_s == doctest::Approx((kL7Weights + kL7AttnPerPair) / kH100Flops));
  CHECK(c.time_s == c.memory_s);
  // ... which is weights / (HBM x efficiency) = 4.46993 ms to within 0.004%.
  CHECK(c.time_s == doctest::Approx(kL7Weights / kH100Bytes).epsilon(1e-4));
  CHECK(c.time_s == doctest::Approx(4.46993e-3).epsilon(1e-5));
  CHECK(c.allreduce_bytes_per_gpu == 0);  // tp 1
  CHECK(c.pp_send_bytes_per_gpu == 0);
  CHECK(c.new_tokens == 1);
}

TEST_CASE("a decode step reads the whole cached context of its sequence") {
  const std::vector<SequenceWork> batch = {{1, 1000}, {1, 3000}};
  const IterationCost c = iteration_cost(model("llama-2-7b"), device("H100"), {}, batch);
  // KV read: (1000 + 3000) x 524,288; written: 2 x 524,288.
  CHECK(c.kv_read_bytes_per_gpu == 4000 * kL7Kv);
  CHECK(c.kv_write_bytes_per_gpu == 2 * kL7Kv);
  // Attention pairs: 1 x (1000 + 1) + 1 x (3000 + 1) = 4,002.
  CHECK(c.flops_per_gpu == 2 * kL7Params * 2 + kL7AttnPerPair * 4002);
}

TEST_CASE("a large Llama-2-7B prefill on H100 is compute-bound") {
  const std::vector<SequenceWork> batch = {{8192, 0}};
  const IterationCost c = iteration_cost(model("llama-2-7b"), device("H100"), {}, batch);
  // FLOPs: 2 x 6,738,415,616 x 8192 = 1.10402e14 for the matmuls, and for causal attention
  // 524,288 x 8192 x (0 + 8193 / 2) = 1.75944e13: 1.27997e14 in all.
  const double flops = 2 * kL7Params * 8192 + kL7AttnPerPair * 8192 * 4096.5;
  CHECK(c.flops_per_gpu == doctest::Approx(flops));
  // compute: 1.27997e14 / 692.3e12 = 184.9 ms; memory: (13,476,831,232 + 8192 x 524,288)
  // = 17,771,798,528 B / 3.015e12 = 5.89 ms.
  CHECK(c.bound == Bound::compute);
  CHECK(c.compute_s == doctest::Approx(0.1848859).epsilon(1e-6));
  CHECK(c.memory_s == doctest::Approx((kL7Weights + 8192 * kL7Kv) / kH100Bytes));
  CHECK(c.time_s == c.compute_s);
}

TEST_CASE("Llama-2-7B decode on H100 turns compute-bound at 232 sequences") {
  // B decode steps with no context: compute B (W + a) / 692.3e12, memory (W + B k) / 3.015e12,
  // with W = 13,476,831,232, a = k = 524,288. Equal at
  //   B = (W / 3.015e12) / ((W + a) / 692.3e12 - k / 3.015e12)
  //     = 4.469927e-3 / (1.946751e-5 - 1.738928e-7) = 231.68,
  // close to the ridge 692.3e12 / 3.015e12 = 229.6 FLOP/B of a 2 FLOP per 2 byte workload.
  const IterationCost at231 =
      iteration_cost(model("llama-2-7b"), device("H100"), {}, decodes(231, 0));
  const IterationCost at232 =
      iteration_cost(model("llama-2-7b"), device("H100"), {}, decodes(232, 0));
  CHECK(at231.bound == Bound::memory);
  CHECK(at231.compute_s == doctest::Approx(4.496994e-3).epsilon(1e-6));
  CHECK(at231.memory_s == doctest::Approx(4.510097e-3).epsilon(1e-6));
  CHECK(at232.bound == Bound::compute);
  CHECK(at232.compute_s == doctest::Approx(4.516462e-3).epsilon(1e-6));
  CHECK(at232.memory_s == doctest::Approx(4.510271e-3).epsilon(1e-6));
}

TEST_CASE("a prefill chunk after a context attends to the context and causally to itself") {
  // 512 new tokens after 1024 cached: sum over j = 1..512 of (1024 + j)
  // = 512 x 1024 + 512 x 513 / 2 = 655,616 = 512 x (1024 + 513 / 2).
  const std::vector<SequenceWork> batch = {{512, 1024}};
  const IterationCost c = iteration_cost(model("llama-2-7b"), device("H100"), {}, batch);
  double pairs = 0;
  for (int j = 1; j <= 512; ++j) pairs += 1024 + j;
  CHECK(pairs == 655'616);
  CHECK(c.flops_per_gpu == 2 * kL7Params * 512 + kL7AttnPerPair * pairs);
  CHECK(c.kv_read_bytes_per_gpu == 1024 * kL7Kv);
  CHECK(c.kv_write_bytes_per_gpu == 512 * kL7Kv);
}

TEST_CASE("tensor and pipeline parallelism split the work and add all-reduce traffic") {
  const LlmModel& m = model("llama-2-70b");  // 68,976,648,192 params, 80 layers, hidden 8192
  const std::vector<SequenceWork> batch = decodes(100, 500);
  const IterationCost one = iteration_cost(m, device("H100"), {1, 1}, batch);
  const IterationCost tp4 = iteration_cost(m, device("H100"), {4, 1}, batch);
  CHECK(tp4.flops_per_gpu == doctest::Approx(one.flops_per_gpu / 4));
  CHECK(tp4.weight_bytes_per_gpu == doctest::Approx(2.0 * 68'976'648'192 / 4));
  CHECK(tp4.kv_read_bytes_per_gpu == doctest::Approx(100 * 500 * 327'680.0 / 4));
  // 2 all-reduces x 80 layers of 100 tokens x 8192 x 2 B = 2 x 80 x 1,638,400 B, of which a
  // ring sends 2 x 3/4 per GPU: 393,216,000 B.
  CHECK(tp4.allreduce_bytes_per_gpu == doctest::Approx(393'216'000.0));
  CHECK(one.allreduce_bytes_per_gpu == 0);
  CHECK(tp4.pp_send_bytes_per_gpu == 0);

  const IterationCost tp4pp2 = iteration_cost(m, device("H100"), {4, 2}, batch);
  CHECK(tp4pp2.flops_per_gpu == doctest::Approx(one.flops_per_gpu / 8));
  CHECK(tp4pp2.bytes_per_gpu == doctest::Approx(tp4.bytes_per_gpu / 2));
  CHECK(tp4pp2.allreduce_bytes_per_gpu == doctest::Approx(393'216'000.0 / 2));  // 40 layers
  // The next stage gets 100 tokens x 8192 x 2 B, a quarter from each rank: 409,600 B.
  CHECK(tp4pp2.pp_send_bytes_per_gpu == doctest::Approx(409'600.0));
}

TEST_CASE("an MoE iteration reads the experts its tokens touch") {
  const LlmModel& m = model("mixtral-8x7b");
  // One token uses 2 of 8 experts: the shared weights + 2 experts = the 12.9B active ones.
  CHECK(experts_touched_fraction(m, 1) == doctest::Approx(0.25));
  const std::vector<SequenceWork> one = {{1, 0}};
  const IterationCost c1 = iteration_cost(m, device("H100"), {}, one);
  CHECK(c1.weight_bytes_per_gpu == doctest::Approx(2 * 12.9e9));
  // 2 x 12.9e9 FLOPs per token + attention 4 x 32 x 32 x 128 x 1.
  CHECK(c1.flops_per_gpu == doctest::Approx(2 * 12.9e9 + 524'288));
  // Two tokens miss an expert with probability 0.75^2: 1 - 0.5625 = 0.4375 touched.
  CHECK(experts_touched_fraction(m, 2) == doctest::Approx(0.4375));
  // 64 tokens: 1 - 0.75^64 = 1 - 1.0e-8: every expert, the whole 46.7B.
  const IterationCost c64 = iteration_cost(m, device("H100"), {}, decodes(64, 0));
  CHECK(c64.weight_bytes_per_gpu == doctest::Approx(2 * 46.7e9));
  CHECK(experts_touched_fraction(model("llama-2-7b"), 1) == 1.0);  // dense
}

TEST_CASE("KV capacity of Llama-2-70B on 4 x H100 is 457,906 tokens in 28,619 blocks") {
  const KvCapacity k = kv_capacity(model("llama-2-70b"), device("H100"), {4, 1}, 0.1);
  // HBM 4 x 80 GB = 320e9 B; weights 2 x 68,976,648,192 = 137,953,296,384 B; reserve 10% =
  // 32e9 B; free 150,046,703,616 B / 327,680 B per token = 457,906.2 tokens; / 16 = 28,619
  // blocks, 457,904 tokens usable.
  CHECK(k.hbm_bytes == 320e9);
  CHECK(k.weight_bytes == 137'953'296'384.0);
  CHECK(k.reserve_bytes == doctest::Approx(32e9));
  CHECK(k.free_bytes == doctest::Approx(150'046'703'616.0));
  CHECK(k.tokens == 457'906);
  CHECK(k.blocks == 28'619);
  CHECK(k.usable_tokens() == 457'904);
  CHECK(k.fits());
  CHECK(kv_capacity_tokens(model("llama-2-70b"), device("H100"), {4, 1}, 0.1, "chat") == 457'906);
  // pp splits the layers instead: the same total.
  CHECK(kv_capacity(model("llama-2-70b"), device("H100"), {2, 2}, 0.1).tokens == 457'906);
}

TEST_CASE("with more tensor-parallel ranks than KV heads the KV heads are replicated") {
  const LlmModel& m = model("llama-2-70b");  // 8 KV heads
  // tp 8: one KV head per rank, 327,680 / 8 = 40,960 B per token; tp 16: still one whole
  // head per rank (each is held twice).
  CHECK(kv_bytes_per_token_per_gpu(m, {8, 1}) == 40'960);
  CHECK(kv_bytes_per_token_per_gpu(m, {16, 1}) == 40'960);
  CHECK(kv_bytes_per_token_per_gpu(m, {16, 2}) == 20'480);
  // 16 x H100: free 1,280e9 - 137,953,296,384 - 128e9 = 1,014,046,703,616 B over
  // 2 x 327,680 B per token = 1,547,312.5 tokens.
  CHECK(kv_capacity(m, device("H100"), {16, 1}, 0.1).tokens == 1'547'312);
}

TEST_CASE("weights that do not fit leave no KV capacity and name the deployment") {
  const KvCapacity k = kv_capacity(model("llama-2-70b"), device("H100"), {1, 1}, 0.1);
  CHECK_FALSE(k.fits());
  CHECK(k.tokens == 0);
  CHECK(k.free_bytes < 0);
  CHECK(testing::input_error_of(
            [] {
              kv_capacity_tokens(model("llama-2-70b"), device("H100"), {1, 1}, 0.1, "chat");
            },
            "70B on one H100") ==
        "deployment 'chat': the llama-2-70b weights (138.0 GB) and the reserve (8.0 GB) leave no "
        "room for one KV block of 16 tokens (5.2 MB) in the 80.0 GB of 1 x H100 (tp 1 x pp 1)");
}

TEST_CASE("roofline efficiencies come from the device: catalog defaults, MI300X, platform YAML") {
  CHECK(device("H100").compute_efficiency == 0.7);
  CHECK(device("H100").memory_efficiency == 0.9);
  CHECK(device("MI300X").compute_efficiency == 0.45);
  CHECK(device("MI300X").memory_efficiency == 0.81);

  const platform::Platform p =
      platform::load_platform_yaml(std::string(SUANLI_FIXTURES) + "/serving/platform.yaml");
  const DeviceSpec& slow = *p.devices.find("slowgpu");
  CHECK(slow.compute_efficiency == 0.5);
  CHECK(slow.memory_efficiency == 0.6);
  CHECK(p.devices.find("nohbm")->compute_efficiency == 0.7);  // default for a new device
  const std::vector<SequenceWork> batch = {{1, 0}};
  const IterationCost c = iteration_cost(model("llama-2-7b"), slow, {}, batch);
  CHECK(c.compute_s == doctest::Approx((kL7Weights + kL7AttnPerPair) / (100e12 * 0.5)));
  CHECK(c.memory_s == doctest::Approx((kL7Weights + kL7Kv) / (1e12 * 0.6)));

  const std::string bad =
      "devices:\n  - {name: H100, memory_efficiency: 0}\n"
      "sites:\n  - name: s\n    clusters:\n      - name: c\n        nodes: 1\n"
      "        node: {gpu: {model: H100, count: 8}}\n";
  CHECK(testing::input_error_of([&] { platform::parse_platform_yaml(bad, "p.yaml"); }, "0") ==
        "p.yaml:2: devices[0].memory_efficiency: must be between 0.001 and 1, got 0");
}

TEST_CASE("the roofline refuses impossible inputs") {
  const LlmModel& m = model("llama-2-7b");
  const DeviceSpec& h100 = device("H100");
  const std::vector<SequenceWork> ok = {{1, 0}};
  const std::vector<SequenceWork> none;
  const std::vector<SequenceWork> zero = {{0, 10}};
  const std::vector<SequenceWork> negative = {{1, -1}};
  CHECK_THROWS_AS(iteration_cost(m, h100, {0, 1}, ok), std::invalid_argument);
  CHECK_THROWS_AS(iteration_cost(m, h100, {1, 0}, ok), std::invalid_argument);
  CHECK_THROWS_AS(iteration_cost(m, h100, {}, none), std::invalid_argument);
  CHECK_THROWS_AS(iteration_cost(m, h100, {}, zero), std::invalid_argument);
  CHECK_THROWS_AS(iteration_cost(m, h100, {}, negative), std::invalid_argument);
  DeviceSpec no_hbm = h100;
  no_hbm.hbm_tbps = 0;
  CHECK_THROWS_AS(iteration_cost(m, no_hbm, {}, ok), std::invalid_argument);
  CHECK_THROWS_AS(kv_capacity(m, h100, {1, 1}, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(kv_capacity(m, h100, {1, 1}, 0.1, 0), std::invalid_argument);
}
