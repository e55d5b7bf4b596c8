#include "suanli/platform/platform_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace suanli::platform {
namespace {

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// 2 -> "2", 1.5 -> "1.5": no trailing zeros.
std::string shortest(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// Watts shown in the largest unit that keeps at least one digit before the point.
std::string power(double watts) {
  if (watts >= 1e6) return fixed(watts / 1e6, 2) + " MW";
  if (watts >= 1e3) return fixed(watts / 1e3, 1) + " kW";
  return fixed(watts, 0) + " W";
}

std::string fabric_text(const Cluster& c) {
  if (c.fabric.type == FabricType::star) return "star";
  return "fat-tree, " + std::to_string(c.leaves()) + " leaves x " +
         std::to_string(c.fabric.nodes_per_leaf) + " nodes, " +
         shortest(c.fabric.oversubscription) + ":1";
}

// A table whose columns are as wide as their widest cell; numeric columns align right.
std::string table(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& right_aligned) {
  std::vector<size_t> width(right_aligned.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      if (i > 0) line += "  ";
      line += right_aligned[i] ? pad + row[i] : row[i] + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += "  " + line + "\n";
  }
  return out;
}

}  // namespace

PlatformSummary summarize(const Platform& p) {
  PlatformSummary s;
  s.sites = static_cast<int>(p.sites.size());
  s.clusters = static_cast<int>(p.clusters.size());
  for (size_t i = 0; i < p.clusters.size(); ++i) {
    const Cluster& c = p.clusters[i];
    const DeviceSpec& device = p.device_of_cluster(static_cast<int>(i));
    s.nodes += c.nodes;
    s.gpus += c.gpu_count();
    auto it = std::find_if(s.gpus_by_model.begin(), s.gpus_by_model.end(),
                           [&](const ModelCount& m) { return m.model == c.node.gpu_model; });
    if (it == s.gpus_by_model.end())
      s.gpus_by_model.push_back({c.node.gpu_model, c.gpu_count()});
    else
      it->gpus += c.gpu_count();
    s.peak_pflops_bf16 += c.gpu_count() * device.tflops_bf16 / 1000.0;
    s.max_it_power_w += c.gpu_count() * device.tdp_w + c.nodes * c.node.static_w +
                        c.switch_count() * c.fabric.switch_w;
  }
  s.max_facility_power_w = s.max_it_power_w * p.pue;
  return s;
}

std::string format_summary(const Platform& p, const PlatformSummary& s) {
  std::string out = "Platform " + p.name + " (PUE " + fixed(p.pue, 2) + ")";
  if (!p.source.empty()) out += " from " + p.source;
  out += "\n\n";

  // "128 x A100" with the counts right-aligned among themselves, the models left-aligned.
  size_t count_width = 0;
  for (const Cluster& c : p.clusters)
    count_width = std::max(count_width, std::to_string(c.gpu_count()).size());
  std::vector<std::vector<std::string>> rows{{"site", "cluster", "nodes", "GPUs", "fabric"}};
  for (const Cluster& c : p.clusters) {
    const std::string count = std::to_string(c.gpu_count());
    rows.push_back({p.sites[static_cast<size_t>(c.site)].name, c.name, std::to_string(c.nodes),
                    std::string(count_width - count.size(), ' ') + count + " x " + c.node.gpu_model,
                    fabric_text(c)});
  }
  out += table(rows, {false, false, true, false, false});

  std::string models;
  for (const ModelCount& m : s.gpus_by_model) {
    if (!models.empty()) models += ", ";
    models += std::to_string(m.gpus) + " " + m.model;
  }
  out += "\n";
  out += "Totals: " + std::to_string(s.sites) + " sites, " + std::to_string(s.clusters) +
         " clusters, " + std::to_string(s.nodes) + " nodes, " + std::to_string(s.gpus) + " GPUs (" +
         models + ")\n";
  out += "Peak bf16 (dense): " + fixed(s.peak_pflops_bf16, 1) + " PFLOPS\n";
  out += "Max power: IT " + power(s.max_it_power_w) + ", facility " +
         power(s.max_facility_power_w) + "\n";
  for (const WanLink& w : p.wan) {
    out += "WAN " + p.sites[static_cast<size_t>(w.site_a)].name + " <-> " +
           p.sites[static_cast<size_t>(w.site_b)].name + ": " +
           shortest(w.link.bandwidth_Bps * 8 / 1e9) + " Gbps, " + shortest(w.link.latency_s * 1e3) +
           " ms\n";
  }
  return out;
}

}  // namespace suanli::platform
