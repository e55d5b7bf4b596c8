#include "suanli/energy/power_model.hpp"

namespace suanli::energy {

PowerProfile gpu_power_profile(const platform::DeviceSpec& device) {
  // epsilon = idle: a GPU that holds a kernel at near-zero load draws about its idle power;
  // SimGrid interpolates linearly from epsilon to full with the load.
  return PowerProfile{device.idle_w, device.idle_w, device.tdp_w, 0.0};
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
