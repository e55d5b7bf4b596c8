#include <doctest/doctest.h>

#include <string>

#include "suanli/platform/platform_loader.hpp"
#include "suanli/platform/platform_summary.hpp"

using namespace suanli::platform;

namespace {

const std::string kPlatforms = std::string(SUANLI_FIXTURES) + "/platforms/";

}  // namespace

// two_pods.yaml, by hand:
//   a100-pod: 16 nodes x 8 A100 = 128 GPUs; fat-tree 8/leaf -> 2 leaves, 2x8x8/2 = 64 uplink
//             ports / 64 = 1 spine -> 3 switches x 750 W (default)
//   h100-pod:  4 nodes x 8 H100 =  32 GPUs (tdp overridden to 650 W); 2/leaf -> 2 leaves,
//             2x2x8/1 = 32 ports / 32 = 1 spine -> 3 switches x 1200 W
//   test-pod:  4 nodes x 4 testgpu = 16 GPUs (100 TFLOPS, 400 W); star -> 1 switch x 750 W
//   peak bf16 = (128 x 312 + 32 x 989 + 16 x 100) / 1000 = (39936 + 31648 + 1600) / 1000
//             = 73.184 PFLOPS
//   IT power  = GPUs 128x400 + 32x650 + 16x400 = 51200 + 20800 + 6400 = 78400
//             + static 16x1000 + 4x2000 + 4x1000 = 28000
//             + switches 3x750 + 3x1200 + 1x750 = 6600            -> 113000 W
//   facility  = 113000 x 1.3 = 146900 W
TEST_CASE("summary: totals of a small platform match the hand computation") {
  const Platform p = load_platform_yaml(kPlatforms + "two_pods.yaml");
  const PlatformSummary s = summarize(p);
  CHECK(s.sites == 2);
  CHECK(s.clusters == 3);
  CHECK(s.nodes == 24);
  CHECK(s.gpus == 176);
  REQUIRE(s.gpus_by_model.size() == 3);
  CHECK(s.gpus_by_model[0].model == "A100");
  CHECK(s.gpus_by_model[0].gpus == 128);
  CHECK(s.gpus_by_model[1].model == "H100");
  CHECK(s.gpus_by_model[1].gpus == 32);
  CHECK(s.gpus_by_model[2].model == "testgpu");
  CHECK(s.gpus_by_model[2].gpus == 16);
  CHECK(s.peak_pflops_bf16 == doctest::Approx(73.184));
  CHECK(s.max_it_power_w == doctest::Approx(113000));
  CHECK(s.max_facility_power_w == doctest::Approx(146900));
}

TEST_CASE("summary: GPUs of one model in several clusters are counted together") {
  const Platform p = parse_platform_yaml(R"(
sites:
  - name: s
    clusters:
      - {name: x, nodes: 2, node: {gpu: {model: A100, count: 8}, nic: {bandwidth: 1Gbps, latency: 1us}}}
      - {name: y, nodes: 1, node: {gpu: {model: H100, count: 8}, nic: {bandwidth: 1Gbps, latency: 1us}}}
      - {name: z, nodes: 1, node: {gpu: {model: a100, count: 4}, nic: {bandwidth: 1Gbps, latency: 1us}}}
)",
                                         "inline.yaml");
  const PlatformSummary s = summarize(p);
  REQUIRE(s.gpus_by_model.size() == 2);
  CHECK(s.gpus_by_model[0].model == "A100");
  CHECK(s.gpus_by_model[0].gpus == 20);
  CHECK(s.gpus_by_model[1].gpus == 8);
  CHECK(s.max_facility_power_w == s.max_it_power_w);  // pue defaults to 1
}

TEST_CASE("summary: format_summary shows the header, one row per cluster and the totals") {
  const Platform p = load_platform_yaml(kPlatforms + "two_pods.yaml");
  const std::string text = format_summary(p, summarize(p));
  CAPTURE(text);
  CHECK(text.rfind("Platform two-pods (PUE 1.30)", 0) == 0);
  // Columns are aligned: GPU counts right-aligned among themselves, models left-aligned.
  CHECK(text.find("\n"
                  "  site  cluster   nodes  GPUs           fabric\n"
                  "  east  a100-pod     16  128 x A100     fat-tree, 2 leaves x 8 nodes, 2:1\n"
                  "  east  h100-pod      4   32 x H100     fat-tree, 2 leaves x 2 nodes, 1:1\n"
                  "  west  test-pod      4   16 x testgpu  star\n") != std::string::npos);
  CHECK(text.find("Totals: 2 sites, 3 clusters, 24 nodes, 176 GPUs (128 A100, 32 H100, 16 "
                  "testgpu)") != std::string::npos);
  CHECK(text.find("Peak bf16 (dense): 73.2 PFLOPS") != std::string::npos);
  CHECK(text.find("Max power: IT 113.0 kW, facility 146.9 kW") != std::string::npos);
  CHECK(text.find("WAN east <-> west: 400 Gbps, 10 ms") != std::string::npos);
}
