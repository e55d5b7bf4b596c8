#include "suanli/energy/gpu_power.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace suanli::energy {

GpuPower::GpuPower(const platform::DeviceSpec& device)
    : idle_w_(device.idle_w),
      curve_(device.power_curve.empty() ? platform::default_power_curve(device.idle_w, device.tdp_w)
                                        : device.power_curve),
      clocks_(device.clock_states.empty() ? std::vector<platform::ClockState>{{1, 1}}
                                          : device.clock_states) {}

namespace {

// Linear between consecutive points, flat beyond the ends; x_of must be monotone (rising or
// falling) along `points`. A segment of equal x gives its first point's y.
template <class Points, class X, class Y>
double interpolate(const Points& points, double x, X x_of, Y y_of) {
  for (std::size_t i = 1; i < points.size(); ++i) {
    const double xa = x_of(points[i - 1]), xb = x_of(points[i]);
    if (x < std::min(xa, xb) || x > std::max(xa, xb)) continue;
    const double ya = y_of(points[i - 1]), yb = y_of(points[i]);
    return xa == xb ? ya : ya + (yb - ya) * (x - xa) / (xb - xa);
  }
  const bool nearer_front = std::abs(x - x_of(points.front())) <= std::abs(x - x_of(points.back()));
  return y_of(nearer_front ? points.front() : points.back());
}

}  // namespace

double GpuPower::curve_w(double share) const {
  return interpolate(
      curve_, share, [](const auto& p) { return p.share; }, [](const auto& p) { return p.watts; });
}

double GpuPower::power_at(double clock) const {
  return interpolate(
      clocks_, clock, [](const auto& c) { return c.clock; }, [](const auto& c) { return c.power; });
}

double GpuPower::clock_at_power(double power) const {
  return interpolate(
      clocks_, power, [](const auto& c) { return c.power; }, [](const auto& c) { return c.clock; });
}

double GpuPower::active_w(double share, double clock) const {
  const double dynamic = curve_w(share) - idle_w_;
  return clock >= 1 ? idle_w_ + dynamic : idle_w_ + dynamic * power_at(clock);
}

double GpuPower::slowdown(double share, double clock) {
  if (clock >= 1) return 1;  // exactly: work at the highest clock keeps its time to the bit
  share = std::clamp(share, 0.0, 1.0);
  return share / clock + (1 - share);
}

double GpuPower::clock_under_cap(double share, double cap_w) const {
  const double dynamic = curve_w(share) - idle_w_;
  if (cap_w <= 0 || idle_w_ + dynamic <= cap_w) return 1;
  return clock_at_power((cap_w - idle_w_) / dynamic);
}

double GpuPower::share_of_mfu(double mfu, const platform::DeviceSpec& device) {
  return std::min(1.0, mfu / device.compute_efficiency);
}

PowerStates::PowerStates(const GpuPower& power, double peak_flops, double cap_w)
    : idle_w_(power.idle_w()) {
  for (int b = 0; b <= kShareSteps; ++b) {
    const double share = double(b) / kShareSteps;
    const double clock = power.clock_under_cap(share, cap_w);
    const double watts = power.active_w(share, clock);
    clocks_.push_back(clock);
    speeds_.push_back(peak_flops * clock);
    full_w_.push_back(watts);
    if (!wattage_.empty()) wattage_ += ',';
    wattage_ += fmt::format("{}:{}:{}", idle_w_, idle_w_, watts);
  }
}

int PowerStates::state_for(double share) const {
  return int(std::lround(std::clamp(share, 0.0, 1.0) * kShareSteps));
}

}  // namespace suanli::energy
