#pragma once
// Where the watts come from. GPUs: their power by what they do and their clock
// (energy/gpu_power.hpp), as power states SimGrid's host energy plugin integrates. Nodes (CPUs,
// memory, fans) and switches: constant. Facility = IT x PUE.
#include <vector>

#include "suanli/energy/gpu_power.hpp"
#include "suanli/platform/platform.hpp"

namespace suanli::energy {

// A powered-off GPU draws nothing (its share of the node's standby is in static_w).
inline constexpr double kGpuOffW = 0;

// The power of one cluster's GPUs: the device's model, the limit set on them (0: none) and the
// power states their SimGrid hosts are built with.
struct ClusterPower {
  GpuPower gpu;
  double cap_w = 0;
  PowerStates states;
};

// One per cluster, in platform order.
std::vector<ClusterPower> cluster_powers(const platform::Platform& platform);

struct StaticPower {
  double nodes_w = 0;     // sum of node static_w
  double switches_w = 0;  // switch_count x switch_w over clusters
  double total_w() const { return nodes_w + switches_w; }
};

StaticPower static_power(const platform::Platform& platform);

// Sum of every GPU's idle power: the IT power floor together with StaticPower.
double idle_gpu_power_w(const platform::Platform& platform);

// One site over one interval of the facility meter (energy/facility_meter.hpp).
struct MeterRow {
  int site = 0;
  double start_s = 0;
  double end_s = 0;
  double it_j = 0;
  double facility_j = 0;
  double pue = 1;
  double outdoor_c = 0;         // NaN: not given
  double carbon_g_per_kwh = 0;  // NaN: not given
  double carbon_kg = 0;         // NaN: not given
  double price_per_kwh = 0;     // NaN: not given
  double cost = 0;              // NaN: not given
};

struct EnergyTotals {
  double gpu_j = 0;
  double gpu_idle_j = 0;  // the GPUs' floor: idle power while on, off power while off
  double nodes_j = 0;
  double switches_j = 0;
  double static_j = 0;  // nodes_j + switches_j
  double it_j = 0;
  double facility_j = 0;
  // From the facility meter, when it ran: carbon and cost when every site gives an intensity
  // and a price, and its rows.
  bool has_carbon = false;
  bool has_price = false;
  double carbon_kg = 0;
  double cost = 0;
  std::vector<MeterRow> rows;
};

// gpu_j is what the GPU hosts consumed over [0, makespan] (from the SimGrid plugin and the
// accountant), gpu_idle_j their floor over the same time (Accountant::gpu_idle_energy_j).
EnergyTotals energy_totals(const platform::Platform& platform, double gpu_j, double gpu_idle_j,
                           double makespan_s);

inline constexpr double kJoulesPerKwh = 3.6e6;

}  // namespace suanli::energy
