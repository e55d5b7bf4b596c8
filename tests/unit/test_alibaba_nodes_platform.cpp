// Alibaba cluster-trace-gpu-v2023 node list as a platform (alibaba_nodes_platform.hpp), and
// load_platform_file's choice between it and platform YAML.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/platform/alibaba_nodes_platform.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/platform/topology.hpp"
#include "test_support.hpp"

using namespace suanli::platform;
using suanli::testing::input_error_of;
using suanli::testing::TempFile;

namespace {

const std::string kNodesSmall = std::string(SUANLI_FIXTURES) + "/traces/alibaba/nodes_small.csv";
const std::string kHeader = "sn,cpu_milli,memory_mib,gpu,model\n";
// Temporary files of this test file are suanli_alinodes_<pid>_<name>.
const std::string kTempPrefix = "suanli_alinodes";

struct Expected {
  const char* name;
  const char* model;
  int nodes;
  int gpus_per_node;
  int first_gpu;
  int cpu_milli = -1;  // -1: not checked
  int memory_mib = -1;
};

// Checks the clusters' names, models, sizes and global indices against `expected`.
void check_clusters(const Platform& p, const std::vector<Expected>& expected) {
  REQUIRE(p.clusters.size() == expected.size());
  int first_node = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Cluster& c = p.clusters[i];
    const Expected& e = expected[i];
    CAPTURE(e.name);
    CHECK(c.name == e.name);
    CHECK(c.site == 0);
    CHECK(c.node.gpu_model == e.model);
    CHECK(c.nodes == e.nodes);
    CHECK(c.node.gpus == e.gpus_per_node);
    CHECK(c.first_gpu == e.first_gpu);
    if (e.cpu_milli >= 0) CHECK(c.node.cpu_milli == e.cpu_milli);
    if (e.memory_mib >= 0) CHECK(c.node.memory_mib == e.memory_mib);
    CHECK(c.first_node == first_node);
    first_node += c.nodes;
  }
}

std::string parse_error(const std::string& text) {
  return input_error_of([&] { parse_alibaba_nodes(text, "x.csv"); }, text);
}

}  // namespace

TEST_CASE("alibaba nodes: one star cluster per GPU model and GPU count, in one site") {
  const Platform p = load_alibaba_nodes(kNodesSmall);
  CHECK(p.name == "nodes_small");
  CHECK(p.source == kNodesSmall);
  CHECK(p.pue == 1.0);
  REQUIRE(p.sites.size() == 1);
  CHECK(p.sites[0].name == "alibaba");
  CHECK(p.wan.empty());
  // nodes_small.csv: 13 rows, 2 CPU-only (skipped). Clusters sorted by model, then GPUs per
  // node; first_gpu is the running sum of nodes x GPUs per node; nodes keep their CPUs and
  // memory (A10: 128000 milli, 1048576 MiB on line 12; G2: 96000, 393216 on lines 4 and 7).
  const std::vector<Expected> expected = {
      {"A10x1", "A10", 1, 1, 0, 128000, 1048576},
      {"G2x8", "G2", 2, 8, 1, 96000, 393216},
      {"G3x8", "G3", 1, 8, 17},
      {"P100x2", "P100", 1, 2, 25},
      {"T4x2", "T4", 3, 2, 27},
      {"T4x4", "T4", 1, 4, 33},
      {"V100M16x4", "V100M16", 1, 4, 37},
      {"V100M32x8", "V100M32", 1, 8, 41},
  };
  check_clusters(p, expected);
  CHECK(p.sites[0].clusters == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  for (const Cluster& c : p.clusters) {
    CAPTURE(c.name);
    CHECK(c.fabric.type == FabricType::star);
    CHECK(c.node.static_w == 0);
    // The device's own link inside the node; one 25 Gb/s port per node outside it.
    CHECK(c.node.intra.bandwidth_Bps == p.devices.find(c.node.gpu_model)->intra.bandwidth_Bps);
    CHECK(c.node_nic_Bps() == doctest::Approx(25e9 / 8));
    CHECK(c.node.nic.latency_s == doctest::Approx(5e-6));
  }
  CHECK(p.total_gpus() == 49);
  CHECK(p.total_nodes() == 11);
  CHECK(p.most_common_model() == "G2");  // 16 G2 against 10 T4: the duration reference
  CHECK(p.gpu_host_name(48) == "V100M32x8-n0-g7");
  // A usable platform: its topology builds, one GPU vertex per GPU.
  CHECK(build_topology(p).gpu_vertex.size() == 49);
}

TEST_CASE("alibaba nodes: G2 and G3 stand in as the V100 SXM2 32GB and say they are unknown") {
  const DeviceCatalog c = DeviceCatalog::builtin();
  const DeviceSpec& v100 = *c.find("V100M32");
  for (const char* name : {"G2", "G3"}) {
    CAPTURE(name);
    const DeviceSpec* d = c.find(name);
    REQUIRE(d != nullptr);
    CHECK(d->kind == "gpu");
    CHECK(d->tflops_bf16 == v100.tflops_bf16);
    CHECK(d->tflops_fp32 == v100.tflops_fp32);
    CHECK(d->hbm_gb == v100.hbm_gb);
    CHECK(d->hbm_tbps == v100.hbm_tbps);
    CHECK(d->tdp_w == v100.tdp_w);
    CHECK(d->idle_w == v100.idle_w);
    CHECK(d->intra.bandwidth_Bps == v100.intra.bandwidth_Bps);
    CHECK(d->source.find("unknown") != std::string::npos);
    CHECK(d->source.find("stand-in") != std::string::npos);
    CHECK(d->source.find("idle") != std::string::npos);
  }
}

TEST_CASE("alibaba nodes: what real files and spreadsheets do is accepted") {
  // A byte order mark, CRLF line ends, comments and blank lines, quoted fields, columns in
  // another order plus an unknown one, "nan" and a named model on CPU-only nodes, a GPU count
  // written as "4.0" (pandas), a model in other case, no newline at the end.
  const std::string text =
      "\xEF\xBB\xBF# exported\r\n"
      "model,gpu,sn,memory_mib,cpu_milli,rack\r\n"
      "\r\n"
      "nan,0,cpu-0,1024,1000,r1\r\n"
      "T4,0,cpu-1,1024,1000,r1\r\n"
      "\"t4\",4.0,\"gpu,0\",1024,1000,r2\r\n"
      "T4,4,gpu-1,1024,1000,r2";
  const Platform p = parse_alibaba_nodes(text, "dir/quirks.csv");
  CHECK(p.name == "quirks");
  REQUIRE(p.clusters.size() == 1);
  CHECK(p.clusters[0].name == "T4x4");
  CHECK(p.clusters[0].node.gpu_model == "T4");  // the catalog's spelling
  CHECK(p.clusters[0].nodes == 2);
  CHECK(p.total_gpus() == 8);
}

TEST_CASE("alibaba nodes: bad input is one line naming the file, the line and the field") {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"",
       "x.csv: no header line (the file is empty); expected 'sn,cpu_milli,memory_mib,gpu,model'"},
      {"sn,cpu_milli,memory_mib,model\nn0,1,1,T4\n",
       "x.csv:1: gpu: required column missing from the header (expected the node list header "
       "'sn,cpu_milli,memory_mib,gpu,model')"},
      {"sn,gpu\nn0,1\n", "x.csv:1: model: required column missing from the header"},
      {kHeader + "n0,1,1,2.5,T4\n", "x.csv:2: gpu: '2.5' is not a whole number of GPUs"},
      {kHeader + "n0,1,1,two,T4\n", "x.csv:2: gpu: 'two' is not a number"},
      {kHeader + "n0,1,1,,T4\n", "x.csv:2: gpu: missing value"},
      {kHeader + "n0,1,1,1,T4\nn1,1,1,-2,T4\n", "x.csv:3: gpu: must be >= 0, got '-2'"},
      {kHeader + "n0,-5,1,1,T4\n", "x.csv:2: cpu_milli: must be >= 0, got '-5'"},
      {kHeader + "n0,1,lots,1,T4\n", "x.csv:2: memory_mib: 'lots' is not a number"},
      {kHeader + "n0,1,1,8,G9\n",
       "x.csv:2: model: unknown GPU model 'G9' (known: V100, A100, H100, H200, MI300X, "
       "Ascend910B, T4, P100, V100M16, V100M32, A10, G2, G3, K80, CPU)"},
      {kHeader + "n0,1,1,2,\n",
       "x.csv:2: model: missing value (a node with 2 GPUs needs its GPU model)"},
      {kHeader + "n0,1,1,2,nan\n", "x.csv:2: model: missing value"},
      {kHeader + ",1,1,2,T4\n", "x.csv:2: sn: missing value"},
      {kHeader + "n0,1,1,2,T4\n\nn0,1,1,2,T4\n",
       "x.csv:4: sn: duplicate node name 'n0' (first on line 2)"},
      {kHeader + "n0,1,1,2\n", "x.csv:2: expected 5 fields as in the header (line 1), found 4"},
      {kHeader + "n0,1,1,\"2,T4\n",
       "x.csv:2: gpu: unterminated quoted field (quotes must close on the same line)"},
      {kHeader + "n0,1,1,0,\nn1,1,1,0,\n",
       "x.csv: gpu: no node has a GPU (2 CPU-only nodes); a platform needs at least one"},
      {kHeader + "n0,1,1,2000000,T4\nn1,1,1,2000000,T4\n",
       "x.csv:3: gpu: too many GPUs in all (at most 2097151)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string message = parse_error(c.text);
    CHECK_MESSAGE(message.starts_with(c.message), message);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("alibaba nodes: the header is recognised, other first lines are not") {
  CHECK(looks_like_alibaba_nodes("sn,cpu_milli,memory_mib,gpu,model"));
  CHECK(looks_like_alibaba_nodes("sn,cpu_milli,memory_mib,gpu,model\r"));
  CHECK(looks_like_alibaba_nodes("\xEF\xBB\xBFsn,cpu_milli,memory_mib,gpu,model\nn0,1,1,1,T4"));
  CHECK(looks_like_alibaba_nodes("\"sn\", \"gpu\", \"model\""));
  CHECK(looks_like_alibaba_nodes("sn,model,gpu,rack"));
  CHECK_FALSE(looks_like_alibaba_nodes(""));
  CHECK_FALSE(looks_like_alibaba_nodes("name: two-pods"));
  CHECK_FALSE(looks_like_alibaba_nodes("sites:"));
  CHECK_FALSE(looks_like_alibaba_nodes("sn,cpu_milli,memory_mib,gpu"));  // no model
  CHECK_FALSE(looks_like_alibaba_nodes("gpu,model,sn"));                 // sn not first
  CHECK_FALSE(looks_like_alibaba_nodes("snx,gpu,model"));
  CHECK_FALSE(looks_like_alibaba_nodes(
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
      "deletion_time,scheduled_time"));  // the pod list
}

TEST_CASE("alibaba nodes: load_platform_file reads a node list or YAML by the first line") {
  CHECK(load_platform_file(kNodesSmall).clusters.size() == 8);
  const Platform yaml =
      load_platform_file(std::string(SUANLI_FIXTURES) + "/platforms/two_pods.yaml");
  CHECK(yaml.name == "two-pods");

  // Comment and blank lines before the header are passed over.
  const TempFile commented(kTempPrefix, "commented.csv",
                           "# openb nodes\n\n" + kHeader + "n0,1,1,8,G2\n");
  const Platform p = load_platform_file(commented.path());
  REQUIRE(p.clusters.size() == 1);
  CHECK(p.clusters[0].name == "G2x8");

  // A node list's errors come from the node list reader, anything else's from the YAML loader.
  const TempFile bad(kTempPrefix, "bad.csv", kHeader + "n0,1,1,8,B300\n");
  CHECK(input_error_of([&] { load_platform_file(bad.path()); }, bad.path())
            .starts_with(bad.path() + ":2: model: unknown GPU model 'B300'"));
  const std::string missing = "/nonexistent/nodes.csv";
  CHECK(input_error_of([&] { load_platform_file(missing); }, missing)
            .starts_with(missing + ": cannot open platform file"));
}

TEST_CASE("alibaba nodes: the real node lists (when /work/shared/traces is present)") {
  const std::filesystem::path root = "/work/shared/traces/alibaba_gpu_v2023";
  if (!std::filesystem::exists(root / "openb_node_list_all_node.csv")) {
    MESSAGE("skipped: " << root.string() << " is not present");
    return;
  }
  // Counted with Python's csv module: openb_node_list_all_node.csv has 1523 rows, 310 of them
  // CPU-only (gpu 0, empty model); the 1213 GPU nodes hold 6212 GPUs in 15 kinds of node
  // (model, GPUs, cpu_milli, memory_mib): 12 (model, GPUs per node) pairs, of which P100x2
  // comes with 8, 16 or 64 cores and V100M16x8 with 64 or 82, named by cores and GiB.
  // openb_node_list_gpu_node.csv is the same 1213 GPU nodes (renumbered) without the others.
  const std::vector<Expected> expected = {
      {"A10x1", "A10", 2, 1, 0, 128000, 1048576},
      {"G2x8", "G2", 549, 8, 2, 96000, 393216},
      {"G3x8", "G3", 39, 8, 4394, 128000, 786432},
      {"P100x1", "P100", 3, 1, 4706, 8000, 61440},
      {"P100x2-8c60g", "P100", 2, 2, 4709, 8000, 61440},
      {"P100x2-16c120g", "P100", 107, 2, 4713, 16000, 122880},
      {"P100x2-64c256g", "P100", 22, 2, 4927, 64000, 262144},
      {"T4x2", "T4", 387, 2, 4971, 104000, 524288},
      {"T4x4", "T4", 17, 4, 5745, 96000, 393216},
      {"V100M16x1", "V100M16", 19, 1, 5813, 8000, 32768},
      {"V100M16x4", "V100M16", 28, 4, 5832, 32000, 131072},
      {"V100M16x8-64c256g", "V100M16", 7, 8, 5944, 64000, 262144},
      {"V100M16x8-82c336g", "V100M16", 1, 8, 6000, 82000, 344064},
      {"V100M32x4", "V100M32", 9, 4, 6008, 48000, 376832},
      {"V100M32x8", "V100M32", 21, 8, 6044, 96000, 786432},
  };
  for (const char* file : {"openb_node_list_all_node.csv", "openb_node_list_gpu_node.csv"}) {
    CAPTURE(file);
    const Platform p = load_platform_file((root / file).string());
    CHECK(p.total_nodes() == 1213);
    CHECK(p.total_gpus() == 6212);
    check_clusters(p, expected);
    CHECK(p.most_common_model() == "G2");  // 4392 of the 6212 GPUs
  }
}

TEST_CASE("alibaba nodes: nodes of one model and GPU count that differ in CPUs or memory") {
  // Two P100x2 kinds (16 cores 120 GiB twice, 64 cores 256 GiB once) and one T4x2: the
  // P100x2 clusters are told apart by cores and GiB, sorted by cpu_milli; T4x2 keeps its name.
  // A column absent from the header means "not modelled" (0).
  const Platform p = parse_alibaba_nodes(kHeader +
                                             "a,16000,122880,2,P100\n"
                                             "b,64000,262144,2,P100\n"
                                             "c,16000.0,122880,2,P100\n"
                                             "d,104000,524288,2,T4\n",
                                         "kinds.csv");
  check_clusters(p, {{"P100x2-16c120g", "P100", 2, 2, 0, 16000, 122880},
                     {"P100x2-64c256g", "P100", 1, 2, 4, 64000, 262144},
                     {"T4x2", "T4", 1, 2, 6, 104000, 524288}});
  const Platform bare = parse_alibaba_nodes("sn,gpu,model\na,2,T4\n", "bare.csv");
  check_clusters(bare, {{"T4x2", "T4", 1, 2, 0, 0, 0}});
  CHECK(parse_error(kHeader + "a,2e9,1,2,T4\n") ==
        "x.csv:2: cpu_milli: is out of range, got '2e9'");
}
