#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/platform/platform_loader.hpp"

using namespace suanli::platform;
using suanli::InputError;

namespace {

const std::string kPlatforms = std::string(SUANLI_FIXTURES) + "/platforms/";

// The InputError message from loading `path`, or "" if it loaded.
std::string load_error(const std::string& path) {
  try {
    load_platform_yaml(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string parse_error(const std::string& text) {
  try {
    parse_platform_yaml(text, "inline.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("loader: the schema example loads with the right numbers") {
  const Platform p = load_platform_yaml(kPlatforms + "two_pods.yaml");
  CHECK(p.name == "two-pods");
  CHECK(p.source == kPlatforms + "two_pods.yaml");
  CHECK(p.pue == doctest::Approx(1.3));

  REQUIRE(p.sites.size() == 2);
  CHECK(p.sites[0].name == "east");
  CHECK(p.sites[0].clusters == std::vector<int>{0, 1});
  CHECK(p.sites[1].name == "west");
  CHECK(p.sites[1].clusters == std::vector<int>{2});

  REQUIRE(p.clusters.size() == 3);
  const Cluster& a100 = p.clusters[0];
  CHECK(a100.name == "a100-pod");
  CHECK(a100.site == 0);
  CHECK(a100.nodes == 16);
  CHECK(a100.node.gpu_model == "A100");
  CHECK(a100.node.gpus == 8);
  CHECK(a100.node.intra.bandwidth_Bps == doctest::Approx(600e9));
  CHECK(a100.node.intra.latency_s == doctest::Approx(1e-6));
  CHECK(a100.node.nic.bandwidth_Bps == doctest::Approx(25e9));  // 200 Gbps
  CHECK(a100.node.nic.latency_s == doctest::Approx(2e-6));
  CHECK(a100.node.static_w == 1000);
  CHECK(a100.fabric.type == FabricType::fat_tree);
  CHECK(a100.fabric.nodes_per_leaf == 8);
  CHECK(a100.fabric.oversubscription == 2);
  CHECK(a100.fabric.switch_w == 750);     // default
  CHECK(a100.fabric.switch_ports == 64);  // default
  CHECK(a100.first_gpu == 0);
  CHECK(a100.first_node == 0);

  const Cluster& h100 = p.clusters[1];
  CHECK(h100.node.gpu_model == "H100");
  // No intra in the file: the device's NVLink (900 GB/s both ways = 450 GB/s each way, 1 us).
  CHECK(h100.node.intra.bandwidth_Bps == doctest::Approx(450e9));
  CHECK(h100.node.intra.latency_s == doctest::Approx(1e-6));
  CHECK(h100.node.nic.bandwidth_Bps == doctest::Approx(50e9));  // "400 Gbps"
  CHECK(h100.node.nic.latency_s == doctest::Approx(1.5e-6));
  CHECK(h100.node.static_w == 2000);  // "2kW"
  CHECK(h100.fabric.oversubscription == 1);
  CHECK(h100.fabric.switch_w == 1200);
  CHECK(h100.fabric.switch_ports == 32);
  CHECK(h100.first_gpu == 128);
  CHECK(h100.first_node == 16);

  const Cluster& test = p.clusters[2];
  CHECK(test.site == 1);
  CHECK(test.node.gpu_model == "testgpu");
  CHECK(test.node.intra.latency_s == doctest::Approx(500e-9));
  CHECK(test.fabric.type == FabricType::star);
  CHECK(test.first_gpu == 160);
  CHECK(test.first_node == 20);

  REQUIRE(p.wan.size() == 1);
  CHECK(p.wan[0].site_a == 0);
  CHECK(p.wan[0].site_b == 1);
  CHECK(p.wan[0].link.bandwidth_Bps == doctest::Approx(50e9));
  CHECK(p.wan[0].link.latency_s == doctest::Approx(10e-3));

  CHECK(p.total_gpus() == 176);
  CHECK(p.total_nodes() == 24);
}

TEST_CASE("loader: devices are the builtin catalog plus the file's additions and overrides") {
  const Platform p = load_platform_yaml(kPlatforms + "two_pods.yaml");
  CHECK(p.devices.names().size() == 16);  // 15 built in + testgpu
  const DeviceSpec* test = p.devices.find("testgpu");
  REQUIRE(test != nullptr);
  CHECK(test->tflops_bf16 == 100);
  CHECK(test->tflops_fp16 == 100);  // tflops sets fp16 too
  CHECK(test->hbm_gb == 80);
  CHECK(test->tdp_w == 400);
  CHECK(test->idle_w == 50);
  CHECK(test->source.find("two_pods.yaml") != std::string::npos);

  // The override changed tdp_w only.
  const DeviceSpec* h100 = p.devices.find("H100");
  CHECK(h100->tdp_w == 650);
  CHECK(h100->tflops_bf16 == 989);
  CHECK(h100->idle_w == 75);
  CHECK(h100->source.find("overridden in") != std::string::npos);
}

TEST_CASE("loader: derived platform queries") {
  const Platform p = load_platform_yaml(kPlatforms + "two_pods.yaml");
  CHECK(p.cluster_of_gpu(0) == 0);
  CHECK(p.cluster_of_gpu(127) == 0);
  CHECK(p.cluster_of_gpu(128) == 1);
  CHECK(p.cluster_of_gpu(175) == 2);
  CHECK_THROWS_AS(p.cluster_of_gpu(176), std::out_of_range);
  CHECK_THROWS_AS(p.cluster_of_gpu(-1), std::out_of_range);
  CHECK(p.node_of_gpu(9) == 1);
  CHECK(p.node_of_gpu(160) == 20);
  CHECK(p.gpu_host_name(0) == "a100-pod-n0-g0");
  CHECK(p.gpu_host_name(9) == "a100-pod-n1-g1");
  CHECK(p.gpu_host_name(128 + 8 + 3) == "h100-pod-n1-g3");  // node index local to its cluster
  CHECK(p.gpu_host_name(175) == "test-pod-n3-g3");
  CHECK(p.device_of_cluster(2).name == "testgpu");
  CHECK(p.most_common_model() == "A100");

  // Fat-tree, 16 nodes / 8 per leaf = 2 leaves; uplink 8 nodes x 8 x 25 GB/s / 2.
  CHECK(p.clusters[0].leaves() == 2);
  CHECK(p.clusters[0].node_nic_Bps() == doctest::Approx(200e9));
  CHECK(p.clusters[0].leaf_uplink_Bps() == doctest::Approx(800e9));
  // 2 leaves x 8 nodes x 8 GPUs / 2 = 64 uplink ports -> 1 spine of 64 ports.
  CHECK(p.clusters[0].switch_count() == 3);
  // 2 leaves x 2 nodes x 8 GPUs / 1 = 32 uplink ports -> 1 spine of 32 ports.
  CHECK(p.clusters[1].switch_count() == 3);
  // Star: one leaf, non-blocking (4 nodes x 4 GPUs x 12.5 GB/s), 16 ports -> 1 switch.
  CHECK(p.clusters[2].leaves() == 1);
  CHECK(p.clusters[2].leaf_uplink_Bps() == doctest::Approx(4 * 4 * 12.5e9));
  CHECK(p.clusters[2].switch_count() == 1);
}

TEST_CASE("loader: switch count edge cases") {
  Cluster c;
  c.nodes = 6;
  c.node.gpus = 8;
  c.fabric.type = FabricType::fat_tree;
  c.fabric.nodes_per_leaf = 8;
  CHECK(c.leaves() == 1);
  CHECK(c.switch_count() == 1);  // one leaf: no spine
  c.nodes = 100;                 // 13 leaves x 64 uplink ports / 64 = 13 spines
  CHECK(c.leaves() == 13);
  CHECK(c.switch_count() == 26);
  c.fabric.oversubscription = 3;  // 13 x 64 / 3 = 277.3 ports -> 5 spines
  CHECK(c.switch_count() == 18);
  c.fabric.type = FabricType::star;  // 800 GPU ports / 64 -> 13 switches
  CHECK(c.switch_count() == 13);
  c.nodes = 2;
  c.node.gpus = 1;
  CHECK(c.switch_count() == 1);
  c.nodes = 1;  // one node alone: its GPUs meet on its own NVSwitch, no cluster switch
  CHECK(c.switch_count() == 0);
}

TEST_CASE("loader: a single node needs no nic, fabric or wan and names are case-insensitive") {
  const Platform p = load_platform_yaml(kPlatforms + "single_node.yaml");
  CHECK(p.name == "single_node");  // no name: the file stem
  CHECK(p.pue == 1.0);
  REQUIRE(p.clusters.size() == 1);
  CHECK(p.clusters[0].node.gpu_model == "V100");  // "v100" in the file
  CHECK(p.clusters[0].fabric.type == FabricType::star);
  CHECK(p.clusters[0].node.static_w == 0);
  CHECK(p.total_gpus() == 4);
}

TEST_CASE("loader: most_common_model breaks ties by first declared") {
  const Platform p = parse_platform_yaml(R"(
sites:
  - name: s
    clusters:
      - {name: x, nodes: 1, node: {gpu: {model: H100, count: 4}, nic: {bandwidth: 1Gbps, latency: 1us}}}
      - {name: y, nodes: 2, node: {gpu: {model: A100, count: 2}, nic: {bandwidth: 1Gbps, latency: 1us}}}
)",
                                         "inline.yaml");
  CHECK(p.most_common_model() == "H100");
}

TEST_CASE("loader: the shipped default platform loads (~512 GPUs over two sites)") {
  const Platform p =
      load_platform_yaml(std::string(SUANLI_FIXTURES) + "/../../platforms/default.yaml");
  CHECK(p.total_gpus() == 512);
  CHECK(p.sites.size() == 2);
  CHECK(p.pue == doctest::Approx(1.3));
}

namespace {

struct BadCase {
  const char* file;
  int line;  // 0: the message carries no line
  const char* field;
  const char* what;
};

// Each invalid fixture and the exact pieces its message must contain.
const std::vector<BadCase> kBadCases = {
    {"malformed.yaml", 10, "", "malformed YAML: "},
    {"unknown_device.yaml", 9, "sites[0].clusters[0].node.gpu.model",
     "unknown device 'B300' (known: V100, A100, H100, H200, MI300X, Ascend910B, T4, P100, V100M16, "
     "V100M32, A10, G2, G3, K80, CPU; add it "
     "under devices:)"},
    {"unknown_unit.yaml", 10, "sites[0].clusters[0].node.nic.bandwidth",
     "unknown bandwidth unit 'Gbit' in '200Gbit' (expected bps, Kbps, Mbps, Gbps, Tbps, Bps, KBps, "
     "MBps, GBps, TBps)"},
    {"missing_unit.yaml", 12, "sites[0].clusters[0].node.nic.latency",
     "missing duration unit in '2' (expected ns, us, ms, s)"},
    {"negative_bandwidth.yaml", 10, "sites[0].clusters[0].node.nic.bandwidth",
     "negative bandwidth '-200Gbps'"},
    {"negative_nodes.yaml", 7, "sites[0].clusters[0].nodes", "must be at least 1, got -4"},
    {"zero_gpu_count.yaml", 9, "sites[0].clusters[0].node.gpu.count", "must be at least 1, got 0"},
    {"non_numeric_nodes.yaml", 7, "sites[0].clusters[0].nodes",
     "expected a whole number, got 'many'"},
    {"fractional_gpu_count.yaml", 9, "sites[0].clusters[0].node.gpu.count",
     "expected a whole number, got '7.5'"},
    {"missing_nic.yaml", 9, "sites[0].clusters[0].node.nic",
     "missing required key 'nic' (required when nodes > 1)"},
    {"missing_nic_multi_cluster.yaml", 14, "sites[0].clusters[1].node.nic",
     "missing required key 'nic' (required when the platform has several clusters)"},
    {"missing_latency.yaml", 10, "sites[0].clusters[0].node.nic.latency",
     "missing required key 'latency'"},
    {"missing_sites.yaml", 2, "sites", "missing required key 'sites'"},
    {"unknown_key.yaml", 7, "sites[0].clusters[0].nodse",
     "unknown key 'nodse' (allowed: name, nodes, node, fabric, power_cap_w); did you mean "
     "'nodes'?"},
    {"unknown_top_key.yaml", 3, "pu",
     "unknown key 'pu' (allowed: name, pue, currency, devices, sites, wan); did you mean 'pue'?"},
    {"duplicate_key.yaml", 11, "sites[0].clusters[0].nodes",
     "duplicate key 'nodes' (first given at line 7)"},
    {"duplicate_site.yaml", 7, "sites[1].name",
     "duplicate site name 'east' (first defined at sites[0].name, line 4)"},
    {"duplicate_cluster.yaml", 9, "sites[1].clusters[0].name",
     "duplicate cluster name 'pod' (first defined at sites[0].clusters[0].name, line 6)"},
    {"wan_unknown_site.yaml", 11, "wan[0].between[1]", "unknown site 'mars' (sites: east, west)"},
    {"site_no_clusters.yaml", 8, "sites[1].clusters", "site 'west' has no clusters"},
    {"site_missing_clusters.yaml", 7, "sites[1].clusters",
     "missing required key 'clusters' (a site needs at least one cluster)"},
    {"disconnected_sites.yaml", 0, "wan", "sites 'a' and 'c' are not connected"},
    {"pue_below_one.yaml", 3, "pue", "must be at least 1, got 0.9"},
    {"new_device_incomplete.yaml", 4, "devices[0].tdp_w",
     "missing required key 'tdp_w' (device 'mygpu' is not in the catalog (V100, A100, H100, H200, "
     "MI300X, Ascend910B, T4, P100, V100M16, V100M32, A10, G2, G3, K80, CPU), so it needs at least "
     "tflops, "
     "tdp_w and idle_w)"},
    {"fat_tree_no_leaf_size.yaml", 11, "sites[0].clusters[0].fabric.nodes_per_leaf",
     "missing required key 'nodes_per_leaf'"},
    {"oversubscription_below_one.yaml", 11, "sites[0].clusters[0].fabric.oversubscription",
     "must be at least 1, got 0.5"},
    {"empty.yaml", 0, "", "the platform file is empty"},
    {"cooling_without_outdoor.yaml", 4, "sites[0].outdoor_c",
     "missing required key 'outdoor_c' (air cooling follows the outdoor temperature"},
    {"cooling_unknown_type.yaml", 5, "sites[0].cooling.type",
     "unknown cooling type 'seawater' (expected fixed, air, liquid or immersion)"},
    {"price_without_currency.yaml", 2, "currency",
     "missing required key 'currency' (site 'east' gives price_per_kwh: in which currency?)"},
    {"power_curve_not_from_zero.yaml", 4, "devices[0].power_curve",
     "needs at least two points, the first at compute share 0 and the last at 1"},
    {"power_curve_above_tdp.yaml", 4, "devices[0].power_curve[1][1]",
     "must be between idle_w (50 W) and tdp_w (400 W), got 450"},
    {"clock_states_not_from_one.yaml", 8, "devices[0].clock_states[0]",
     "the first state is the highest clock: {clock: 1, power: 1}"},
    {"power_cap_below_min.yaml", 16, "sites[0].clusters[0].power_cap_w",
     "80 W is below the lowest limit mygpu accepts (100 W)"},
    {"power_cap_no_clocks.yaml", 8, "sites[0].clusters[0].power_cap_w",
     "device 'mygpu' has no clock states for a power limit to act on"},
};

}  // namespace

TEST_CASE("loader: every kind of bad input gives InputError with file, line and field") {
  for (const BadCase& bad : kBadCases) {
    CAPTURE(bad.file);
    const std::string path = kPlatforms + "invalid/" + bad.file;
    const std::string message = load_error(path);
    CAPTURE(message);
    std::string where = path;
    if (bad.line > 0) {
      where += ':';
      where += std::to_string(bad.line);
    }
    where += ": ";
    if (*bad.field) where += std::string(bad.field) + ": ";
    // The location comes first and is exact: "<path>:<line>: <field>: ".
    CHECK(message.rfind(where, 0) == 0);
    CHECK(message.find(bad.what) != std::string::npos);
  }
}

TEST_CASE("loader: a missing file or a directory is an InputError naming the path") {
  const std::string missing = kPlatforms + "no_such_platform.yaml";
  CHECK(load_error(missing) == missing + ": cannot open platform file: No such file or directory");
  CHECK(load_error(kPlatforms) == kPlatforms + ": is a directory, not a platform file");
}

TEST_CASE("loader: more field checks, from in-memory YAML") {
  const std::string node = "node: {gpu: {model: A100, count: 8}}";
  const auto one_cluster = [&](const std::string& cluster_extra) {
    return "sites:\n  - name: s\n    clusters:\n      - {name: c, nodes: 1, " + node +
           cluster_extra + "}\n";
  };
  CHECK(parse_error(one_cluster(", fabric: {type: ring}")) ==
        "inline.yaml:4: sites[0].clusters[0].fabric.type: unknown fabric type 'ring' (expected "
        "star or fat-tree)");
  CHECK(parse_error(one_cluster(", fabric: {type: star, nodes_per_leaf: 4}")) ==
        "inline.yaml:4: sites[0].clusters[0].fabric.nodes_per_leaf: nodes_per_leaf applies only "
        "to type: fat-tree (this fabric is a star)");
  CHECK(parse_error(one_cluster(", fabric: {type: star, switch_w: 1kWh}")) ==
        "inline.yaml:4: sites[0].clusters[0].fabric.switch_w: unknown power unit 'kWh' in '1kWh' "
        "(expected W, kW, MW)");
  CHECK(parse_error(one_cluster(", fabric: {type: fat-tree, nodes_per_leaf: 0}")) ==
        "inline.yaml:4: sites[0].clusters[0].fabric.nodes_per_leaf: must be at least 1, got 0");
  CHECK(parse_error("sites:\n  - name: s\n    clusters:\n      - {name: bad name, nodes: 1, " +
                    node + "}\n")
            .find("sites[0].clusters[0].name: name 'bad name' may contain only") !=
        std::string::npos);
  CHECK(parse_error("sites: {name: s}\n") ==
        "inline.yaml:1: sites: expected a list of sites, got a map");
  CHECK(parse_error("sites: []\n") == "inline.yaml:1: sites: expected at least one site");
  CHECK(
      parse_error("- just\n- a list\n")
          .rfind("inline.yaml:1: expected a map with keys name, pue, currency, devices, sites, wan",
                 0) == 0);
  // A device override with an idle draw above its TDP.
  CHECK(parse_error("devices:\n  - {name: A100, idle_w: 500}\n" + one_cluster("")) ==
        "inline.yaml:2: devices[0].idle_w: idle_w (500 W) exceeds tdp_w (400 W)");
  // A new device with no intra link, used without node.intra.
  CHECK(parse_error("devices:\n  - {name: x1, tflops: 10, tdp_w: 100, idle_w: 10}\nsites:\n  - "
                    "name: s\n    clusters:\n      - {name: c, nodes: 1, node: {gpu: {model: x1, "
                    "count: 1}}}\n")
            .find("sites[0].clusters[0].node.intra: device 'x1' defines no intra-node link") !=
        std::string::npos);
  CHECK(
      parse_error("devices:\n  - {name: x1, tflops: 10, tdp_w: 100, idle_w: 10}\n  - {name: X1, "
                  "tflops: 20}\n" +
                  one_cluster(""))
          .find("inline.yaml:3: devices[1].name: device 'X1' is listed twice (first at line 2)") ==
      0);
}

TEST_CASE("loader: WAN checks") {
  const std::string sites =
      "sites:\n"
      "  - name: a\n"
      "    clusters: [{name: pa, nodes: 1, node: {gpu: {model: A100, count: 1}, nic: {bandwidth: "
      "1Gbps, latency: 1us}}}]\n"
      "  - name: b\n"
      "    clusters: [{name: pb, nodes: 1, node: {gpu: {model: A100, count: 1}, nic: {bandwidth: "
      "1Gbps, latency: 1us}}}]\n";
  CHECK(parse_error(sites + "wan:\n  - {between: [a, a], bandwidth: 1Gbps, latency: 1ms}\n") ==
        "inline.yaml:7: wan[0].between: a WAN link needs two different sites");
  CHECK(parse_error(sites + "wan:\n  - {between: [a], bandwidth: 1Gbps, latency: 1ms}\n") ==
        "inline.yaml:7: wan[0].between: expected exactly two site names, got 1");
  CHECK(parse_error(sites +
                    "wan:\n  - {between: [a, b], bandwidth: 1Gbps, latency: 1ms}\n  - {between: "
                    "[b, a], bandwidth: 1Gbps, latency: 1ms}\n")
            .find("inline.yaml:8: wan[1].between: a second WAN link between 'b' and 'a'") == 0);
  CHECK(parse_error(sites + "wan:\n  - {between: [a, b], bandwidth: 0Gbps, latency: 1ms}\n") ==
        "inline.yaml:7: wan[0].bandwidth: bandwidth must be positive, got 0Gbps");
  CHECK(parse_error(sites) == "inline.yaml: wan: sites 'a' and 'b' are not connected");
}

TEST_CASE("loader: a site's time series is checked where it is, file and line") {
  const std::string message = load_error(kPlatforms + "invalid/outdoor_series_late_start.yaml");
  CHECK(message.rfind(kPlatforms + "invalid/outdoor_late.csv:2: time_s: the first row must be at "
                                   "time 0",
                      0) == 0);
}
