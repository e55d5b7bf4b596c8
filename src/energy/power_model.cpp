#include "suanli/energy/power_model.hpp"

namespace suanli::energy {

std::vector<ClusterPower> cluster_powers(const platform::Platform& platform) {
  std::vector<ClusterPower> powers;
  powers.reserve(platform.clusters.size());
  for (std::size_t c = 0; c < platform.clusters.size(); ++c) {
    const auto& device = platform.device_of_cluster(int(c));
    const GpuPower gpu(device);
    const double cap = platform.clusters[c].power_cap_w;
    powers.push_back({gpu, cap, PowerStates(gpu, device.peak_flops(), cap)});
  }
  return powers;
}

StaticPower static_power(const platform::Platform& platform) {
  StaticPower power;
  for (const auto& cluster : platform.clusters) {
    power.nodes_w += cluster.nodes * cluster.node.static_w;
    power.switches_w += cluster.switch_count() * cluster.fabric.switch_w;
  }
  return power;
}

double idle_gpu_power_w(const platform::Platform& platform) {
  double watts = 0;
  for (std::size_t c = 0; c < platform.clusters.size(); ++c)
    watts += platform.clusters[c].gpu_count() * platform.device_of_cluster(int(c)).idle_w;
  return watts;
}

EnergyTotals energy_totals(const platform::Platform& platform, double gpu_j, double gpu_idle_j,
                           double makespan_s) {
  EnergyTotals totals;
  totals.gpu_j = gpu_j;
  totals.gpu_idle_j = gpu_idle_j;
  const StaticPower power = static_power(platform);
  totals.nodes_j = power.nodes_w * makespan_s;
  totals.switches_j = power.switches_w * makespan_s;
  totals.static_j = totals.nodes_j + totals.switches_j;
  totals.it_j = totals.gpu_j + totals.static_j;
  totals.facility_j = totals.it_j * platform.pue;
  return totals;
}

}  // namespace suanli::energy
