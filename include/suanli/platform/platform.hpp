#pragma once
// The platform as a plain value: sites, clusters of identical nodes, the fabric of each
// cluster, WAN links between sites. Global GPU indices run cluster by cluster, node by node:
// GPU g of cluster c is clusters[c].first_gpu + node * node.gpus + local.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/platform/device_catalog.hpp"
#include "suanli/platform/time_series.hpp"

namespace suanli::platform {

enum class FabricType { star, fat_tree };

struct FabricSpec {
  FabricType type = FabricType::star;
  int nodes_per_leaf = 0;         // fat-tree only
  double oversubscription = 1.0;  // fat-tree only: leaf downlink / uplink bandwidth
  double switch_w = 750;          // per switch; default: NVIDIA QM9700 typical power
  int switch_ports = 64;          // radix used to count switches for power
};

struct NodeSpec {
  std::string gpu_model;
  int gpus = 0;
  LinkSpec intra;       // per GPU; defaults to the device's own intra-node link
  LinkSpec nic;         // per GPU rail
  double static_w = 0;  // CPUs, memory, fans: constant per node
  // Host resources jobs may ask for beside GPUs (a pod's cpu_milli and memory_mib): CPU cores
  // in thousandths and host memory in MiB. 0 = not modelled: requests for it always fit.
  int cpu_milli = 0;
  int memory_mib = 0;
};

struct Cluster {
  std::string name;
  int site = 0;  // index into Platform::sites
  int nodes = 0;
  NodeSpec node;
  FabricSpec fabric;
  int first_gpu = 0;   // global index of its first GPU
  int first_node = 0;  // global index of its first node
  // The power limit set on each GPU (nvidia-smi -pl), in watts; 0: none (docs/model.md).
  double power_cap_w = 0;

  int gpu_count() const { return nodes * node.gpus; }
  // Fat-tree: ceil(nodes / nodes_per_leaf); star: 1 (one non-blocking switch).
  int leaves() const;
  // Aggregate NIC bandwidth of one node (gpus x per-GPU rail).
  double node_nic_Bps() const { return node.nic.bandwidth_Bps * node.gpus; }
  // Uplink bandwidth of one leaf: nodes_per_leaf x node NIC / oversubscription.
  // Star: nodes x node NIC (the single switch is non-blocking).
  double leaf_uplink_Bps() const;
  // Physical switches, for power. Fat-tree: leaves + spines, where spines =
  // ceil(leaves x nodes_per_leaf x gpus / oversubscription / switch_ports), at least 1 when
  // there are several leaves and 0 with a single leaf. Star: ceil(GPUs / switch_ports), >= 1.
  int switch_count() const;
};

// How a site removes its heat: facility power / IT power (PUE) as a function of the outdoor
// dry-bulb temperature (docs/model.md, "Cooling, climate and carbon"). fixed: `pue` whatever
// the weather; air (chillers with an economiser), liquid (direct-to-chip) and immersion: pue_min
// up to low_c, rising linearly to pue_max at high_c, flat above.
struct Cooling {
  enum class Type { fixed, air, liquid, immersion };
  Type type = Type::fixed;
  double pue = 1.0;  // fixed
  double pue_min = 1.0, pue_max = 1.0, low_c = 0, high_c = 0;
  double pue_at(double outdoor_c) const;
  // The defaults of a type (docs/model.md has where they come from).
  static Cooling of_type(Type type);
};

std::string_view cooling_type_name(Cooling::Type type);

struct Site {
  std::string name;
  std::vector<int> clusters;
  std::optional<Cooling> cooling;  // none: fixed at the platform's pue (Platform::cooling_of)
  TimeSeries outdoor_c;            // empty: not given (only fixed cooling may go without)
  TimeSeries carbon_g_per_kwh;     // grid carbon intensity, location-based; empty: not given
  TimeSeries price_per_kwh;        // electricity price in Platform::currency; empty: not given
};

struct WanLink {
  int site_a = 0;
  int site_b = 0;
  LinkSpec link;
};

struct Platform {
  std::string name;
  std::string source;    // file it was loaded from
  double pue = 1.0;      // of sites without a cooling entry
  std::string currency;  // of every site's price_per_kwh
  DeviceCatalog devices;
  std::vector<Site> sites;
  std::vector<Cluster> clusters;
  std::vector<WanLink> wan;

  // A site's cooling: its own, else fixed at `pue`.
  Cooling cooling_of(int site) const;
  int total_gpus() const;
  int total_nodes() const;
  // Throws std::out_of_range for an index outside [0, total_gpus()).
  int cluster_of_gpu(int gpu) const;
  // Global node index of a GPU.
  int node_of_gpu(int gpu) const;
  // The catalog entry of the cluster's GPU model (std::logic_error if absent: the loader
  // guarantees it is present and stores the catalog's spelling in NodeSpec::gpu_model).
  const DeviceSpec& device_of_cluster(int cluster) const;
  // "<cluster>-n<node>-g<local>", the SimGrid host name of a GPU.
  std::string gpu_host_name(int gpu) const;
  // The model with the most GPUs (ties: first declared); the reference for duration-only jobs.
  std::string most_common_model() const;
};

}  // namespace suanli::platform
