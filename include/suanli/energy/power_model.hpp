#pragma once
// Where the watts come from. GPUs: a power profile per device that SimGrid's host energy
// plugin integrates (idle when idle, linear in load up to TDP when computing). Nodes (CPUs,
// memory, fans) and switches: constant. Facility = IT x PUE.
#include "suanli/platform/platform.hpp"

namespace suanli::energy {

struct PowerProfile {
  double idle_w = 0;     // powered on, no work
  double epsilon_w = 0;  // computing at (almost) zero load
  double full_w = 0;     // computing at full load
  double off_w = 0;      // powered off
};

PowerProfile gpu_power_profile(const platform::DeviceSpec& device);

struct StaticPower {
  double nodes_w = 0;     // sum of node static_w
  double switches_w = 0;  // switch_count x switch_w over clusters
  double total_w() const { return nodes_w + switches_w; }
};

StaticPower static_power(const platform::Platform& platform);

// Sum of every GPU's idle power: the IT power floor together with StaticPower.
double idle_gpu_power_w(const platform::Platform& platform);

struct EnergyTotals {
  double gpu_j = 0;
  double gpu_idle_j = 0;  // the GPUs' floor: idle power while on, off power while off
  double nodes_j = 0;
  double switches_j = 0;
  double static_j = 0;  // nodes_j + switches_j
  double it_j = 0;
  double facility_j = 0;
};

// gpu_j is what the GPU hosts consumed over [0, makespan] (from the SimGrid plugin and the
// accountant), gpu_idle_j their floor over the same time (Accountant::gpu_idle_energy_j).
EnergyTotals energy_totals(const platform::Platform& platform, double gpu_j, double gpu_idle_j,
                           double makespan_s);

inline constexpr double kJoulesPerKwh = 3.6e6;

}  // namespace suanli::energy
