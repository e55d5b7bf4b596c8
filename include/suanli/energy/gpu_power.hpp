#pragma once
// A GPU's power and speed as functions of what it does (docs/model.md, "GPU power"). Work is
// described by its compute share s in [0, 1]: the share of its time the compute units run at
// their dense matmul rate (a training job: MFU / compute_efficiency; a serving iteration: its
// roofline compute time over its time). At the highest clock it draws P(s), the device's power
// curve. At a lower SM clock c (DVFS, or the clock a power limit settles at) the power above
// idle is scaled by the device's clock table, power(c), and only the compute-bound share of the
// time stretches: s / c + (1 - s).
#include <string>
#include <vector>

#include "suanli/platform/device_catalog.hpp"

namespace suanli::energy {

class GpuPower {
 public:
  explicit GpuPower(const platform::DeviceSpec& device);

  double idle_w() const { return idle_w_; }

  // P(s) at SM clock c (a fraction of the highest, between the table's lowest and 1).
  double active_w(double share, double clock = 1) const;
  // The time of work at clock c over its time at the highest clock.
  static double slowdown(double share, double clock);
  // The clock a power limit settles at for this work: the highest whose draw is within
  // `cap_w` (0: no limit), at least the table's lowest.
  double clock_under_cap(double share, double cap_w) const;

  // A training job's compute share: its MFU over the share of peak its dense matmuls reach.
  static double share_of_mfu(double mfu, const platform::DeviceSpec& device);

 private:
  double idle_w_ = 0;
  std::vector<platform::PowerPoint> curve_;
  std::vector<platform::ClockState> clocks_;  // fastest first
  double curve_w(double share) const;
  double power_at(double clock) const;        // the clock table, interpolated
  double clock_at_power(double power) const;  // its inverse
};

// The power states SimGrid's host energy plugin integrates on one cluster's GPU hosts: one per
// compute share rounded to 1/kShareSteps, each at the clock the cluster's power limit settles
// at for that share (the highest without a limit) and drawing active_w(share, clock) at full
// load (idle when idle). Work runs in the state of its share: the engine times it at that
// state's clock and the plugin (or, for work timed outside SimGrid, the accountant) charges
// that state's power, so that both execution models agree.
class PowerStates {
 public:
  static constexpr int kShareSteps = 20;
  PowerStates(const GpuPower& power, double peak_flops, double cap_w);

  int count() const { return int(speeds_.size()); }
  int state_for(double share) const;
  double clock(int state) const { return clocks_[std::size_t(state)]; }
  double full_w(int state) const { return full_w_[std::size_t(state)]; }
  double dynamic_w(int state) const { return full_w_[std::size_t(state)] - idle_w_; }
  double idle_w() const { return idle_w_; }
  const std::vector<double>& speeds() const { return speeds_; }
  // SimGrid's "wattage_per_state" property: "idle:idle:full" per state, comma-separated.
  const std::string& wattage_per_state() const { return wattage_; }

 private:
  double idle_w_ = 0;
  std::vector<double> clocks_;
  std::vector<double> speeds_;
  std::vector<double> full_w_;
  std::string wattage_;
};

}  // namespace suanli::energy
