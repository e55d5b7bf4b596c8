#include "suanli/platform/platform.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace suanli::platform {
namespace {

// ceil() that ignores floating-point noise: 64 / 2.0 / 32 must give 1, not 2.
int ceil_count(double x) {
  return static_cast<int>(std::ceil(x - 1e-9));
}

int ceil_div(int a, int b) {
  return (a + b - 1) / b;
}

}  // namespace

int Cluster::leaves() const {
  if (fabric.type == FabricType::star) return 1;
  return ceil_div(nodes, std::max(1, fabric.nodes_per_leaf));
}

double Cluster::leaf_uplink_Bps() const {
  // A star is one non-blocking switch: its "uplink" carries every node at full rate.
  if (fabric.type == FabricType::star) return node_nic_Bps() * nodes;
  return fabric.nodes_per_leaf * node_nic_Bps() / fabric.oversubscription;
}

int Cluster::switch_count() const {
  const int ports = std::max(1, fabric.switch_ports);
  // One node alone needs no cluster switch: its GPUs meet on the node's own NVSwitch.
  if (fabric.type == FabricType::star && nodes == 1) return 0;
  if (fabric.type == FabricType::star) return std::max(1, ceil_div(gpu_count(), ports));
  const int leaf_count = leaves();
  // A single leaf needs no spine layer: the leaf switch is the whole fabric.
  if (leaf_count == 1) return 1;
  // One uplink port per rail (GPU) on each leaf, thinned by the oversubscription ratio.
  const double uplink_ports =
      static_cast<double>(leaf_count) * fabric.nodes_per_leaf * node.gpus / fabric.oversubscription;
  const int spines = std::max(1, ceil_count(uplink_ports / ports));
  return leaf_count + spines;
}

int Platform::total_gpus() const {
  int n = 0;
  for (const Cluster& c : clusters) n += c.gpu_count();
  return n;
}

int Platform::total_nodes() const {
  int n = 0;
  for (const Cluster& c : clusters) n += c.nodes;
  return n;
}

int Platform::cluster_of_gpu(int gpu) const {
  // Clusters are laid out in increasing first_gpu order, so the owner is the last
  // cluster starting at or before `gpu`.
  const auto it = std::upper_bound(clusters.begin(), clusters.end(), gpu,
                                   [](int g, const Cluster& c) { return g < c.first_gpu; });
  if (gpu < 0 || it == clusters.begin() || gpu >= total_gpus())
    throw std::out_of_range("GPU index " + std::to_string(gpu) + " is out of range (platform has " +
                            std::to_string(total_gpus()) + " GPUs)");
  return static_cast<int>(std::prev(it) - clusters.begin());
}

int Platform::node_of_gpu(int gpu) const {
  const Cluster& c = clusters[static_cast<size_t>(cluster_of_gpu(gpu))];
  return c.first_node + (gpu - c.first_gpu) / c.node.gpus;
}

const DeviceSpec& Platform::device_of_cluster(int cluster) const {
  const Cluster& c = clusters.at(static_cast<size_t>(cluster));
  const DeviceSpec* d = devices.find(c.node.gpu_model);
  // The loader rejects unknown models, so this only fires for hand-built platforms.
  if (d == nullptr)
    throw std::logic_error("cluster '" + c.name + "' uses device '" + c.node.gpu_model +
                           "' which is not in the platform's catalog");
  return *d;
}

std::string Platform::gpu_host_name(int gpu) const {
  const Cluster& c = clusters[static_cast<size_t>(cluster_of_gpu(gpu))];
  const int local = gpu - c.first_gpu;
  return c.name + "-n" + std::to_string(local / c.node.gpus) + "-g" +
         std::to_string(local % c.node.gpus);
}

std::string Platform::most_common_model() const {
  // Counts in first-declared order; strict '>' keeps the first model on ties.
  std::vector<std::pair<std::string, int>> counts;
  for (const Cluster& c : clusters) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& mc) { return mc.first == c.node.gpu_model; });
    if (it == counts.end())
      counts.emplace_back(c.node.gpu_model, c.gpu_count());
    else
      it->second += c.gpu_count();
  }
  std::string best;
  int best_count = -1;
  for (const auto& [model, count] : counts) {
    if (count > best_count) {
      best = model;
      best_count = count;
    }
  }
  return best;
}

}  // namespace suanli::platform

namespace suanli::platform {

Cooling Platform::cooling_of(int site) const {
  if (const auto& c = sites[std::size_t(site)].cooling) return *c;
  Cooling fixed;
  fixed.pue = pue;
  return fixed;
}

double Cooling::pue_at(double outdoor_c) const {
  if (type == Type::fixed) return pue;
  if (outdoor_c <= low_c) return pue_min;
  if (outdoor_c >= high_c) return pue_max;
  return pue_min + (pue_max - pue_min) * (outdoor_c - low_c) / (high_c - low_c);
}

// docs/model.md, "Cooling, climate and carbon": where each default comes from.
Cooling Cooling::of_type(Type type) {
  Cooling c;
  c.type = type;
  switch (type) {
    case Type::fixed:
      break;
    case Type::air:  // chillers with an air-side economiser
      c.pue_min = 1.15, c.pue_max = 1.60, c.low_c = 10, c.high_c = 35;
      break;
    case Type::liquid:  // direct-to-chip, warm water, dry coolers
      c.pue_min = 1.08, c.pue_max = 1.20, c.low_c = 20, c.high_c = 40;
      break;
    case Type::immersion:
      c.pue_min = 1.03, c.pue_max = 1.08, c.low_c = 25, c.high_c = 45;
      break;
  }
  return c;
}

std::string_view cooling_type_name(Cooling::Type type) {
  switch (type) {
    case Cooling::Type::fixed:
      return "fixed";
    case Cooling::Type::air:
      return "air";
    case Cooling::Type::liquid:
      return "liquid";
    case Cooling::Type::immersion:
      return "immersion";
  }
  return "?";
}

}  // namespace suanli::platform
