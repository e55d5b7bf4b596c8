#include <doctest/doctest.h>

#include "suanli/energy/gpu_power.hpp"

using namespace suanli;
using energy::GpuPower;
using energy::PowerStates;

namespace {

// A made-up device with round numbers: idle 100 W; active 300 W on memory-bound work, 500 W at
// compute share 0.5, 600 W (TDP) compute-bound; the part above idle x 0.5 at clock 0.8 and
// x 0.25 at clock 0.5.
platform::DeviceSpec device() {
  platform::DeviceSpec d;  // unnamed: GpuPower needs only the figures
  d.tflops_bf16 = 100;
  d.tdp_w = 600;
  d.idle_w = 100;
  d.compute_efficiency = 0.8;
  d.power_curve = {{0, 300}, {0.5, 500}, {1, 600}};
  d.clock_states = {{1, 1}, {0.8, 0.5}, {0.5, 0.25}};
  return d;
}

}  // namespace

TEST_CASE("the power curve: linear between its points, at the highest clock") {
  const GpuPower gpu(device());
  CHECK(gpu.active_w(0) == 300);
  CHECK(gpu.active_w(0.25) == doctest::Approx(400));  // halfway from 300 to 500
  CHECK(gpu.active_w(0.5) == 500);
  CHECK(gpu.active_w(0.75) == doctest::Approx(550));  // halfway from 500 to 600
  CHECK(gpu.active_w(1) == 600);
  // A memory-bound decode iteration draws less than a compute-bound one.
  CHECK(gpu.active_w(0.1) < gpu.active_w(0.9));
}

TEST_CASE("a lower clock scales the power above idle and stretches only the compute share") {
  const GpuPower gpu(device());
  // idle + (P(s) - idle) x power(clock):
  CHECK(gpu.active_w(1, 0.8) == doctest::Approx(350));    // 100 + 500 x 0.5
  CHECK(gpu.active_w(0.5, 0.8) == doctest::Approx(300));  // 100 + 400 x 0.5
  CHECK(gpu.active_w(0, 0.8) == doctest::Approx(200));    // 100 + 200 x 0.5
  // Between table points, linear: power(0.65) = 0.25 + 0.25 x 0.15 / 0.3 = 0.375.
  CHECK(gpu.active_w(1, 0.65) == doctest::Approx(287.5));  // 100 + 500 x 0.375
  // Time: s / clock + (1 - s). Compute-bound at 0.8: 1.25; half: 0.5 / 0.8 + 0.5 = 1.125;
  // memory-bound work does not slow; at the highest clock exactly 1.
  CHECK(GpuPower::slowdown(1, 0.8) == doctest::Approx(1.25));
  CHECK(GpuPower::slowdown(0.5, 0.8) == doctest::Approx(1.125));
  CHECK(GpuPower::slowdown(0, 0.5) == 1);
  CHECK(GpuPower::slowdown(0.3, 1) == 1);
}

TEST_CASE("a power limit settles at the highest clock whose draw fits") {
  const GpuPower gpu(device());
  CHECK(gpu.clock_under_cap(1, 0) == 1);    // no limit
  CHECK(gpu.clock_under_cap(1, 600) == 1);  // at TDP: nothing to cut
  // Compute-bound under 350 W: power(c) = (350 - 100) / 500 = 0.5 -> c = 0.8.
  CHECK(gpu.clock_under_cap(1, 350) == doctest::Approx(0.8));
  CHECK(gpu.clock_under_cap(1, 287.5) == doctest::Approx(0.65));  // power 0.375
  CHECK(gpu.clock_under_cap(1, 225) == doctest::Approx(0.5));     // power 0.25
  // Memory-bound work draws 300 W: a 350 W limit never binds.
  CHECK(gpu.clock_under_cap(0, 350) == 1);
  // Share 0.5 under 300 W: power = 200 / 400 = 0.5 -> 0.8.
  CHECK(gpu.clock_under_cap(0.5, 300) == doctest::Approx(0.8));
}

TEST_CASE("training work's compute share is its MFU over what dense matmuls reach") {
  const auto d = device();
  CHECK(GpuPower::share_of_mfu(0.4, d) == doctest::Approx(0.5));  // 0.4 / 0.8
  CHECK(GpuPower::share_of_mfu(0.9, d) == 1);                     // capped at 1
}

TEST_CASE("a device without a curve gets the measured shape between its idle and TDP") {
  auto d = device();
  d.power_curve.clear();
  const GpuPower gpu(d);
  const auto shape = platform::default_power_curve(100, 600);
  CHECK(gpu.active_w(0) == doctest::Approx(shape.front().watts));
  CHECK(shape.front().watts == doctest::Approx(405));  // 100 + 0.61 x 500
  CHECK(gpu.active_w(1) == 600);
}

TEST_CASE("power states: one per compute share step, at the clock the limit sets") {
  const GpuPower gpu(device());
  const PowerStates free(gpu, 1e14, 0);
  CHECK(free.count() == PowerStates::kShareSteps + 1);
  CHECK(free.state_for(0) == 0);
  CHECK(free.state_for(1) == PowerStates::kShareSteps);
  CHECK(free.state_for(0.52) == PowerStates::kShareSteps / 2);  // rounded to 0.5
  CHECK(free.full_w(free.state_for(0.5)) == 500);
  CHECK(free.dynamic_w(free.state_for(0.5)) == 400);
  CHECK(free.clock(free.state_for(1)) == 1);
  CHECK(free.speeds()[0] == 1e14);
  // "idle:epsilon:full" per state: the first is memory-bound work.
  CHECK(free.wattage_per_state().rfind("100:100:300,", 0) == 0);

  // Under 350 W: memory-bound work keeps the highest clock (300 W); compute-bound work runs at
  // 0.8 (350 W); share 0.5 at power (350 - 100) / 400 = 0.625, clock 0.8 + 0.2 x 0.125 / 0.5.
  const PowerStates capped(gpu, 1e14, 350);
  CHECK(capped.clock(0) == 1);
  CHECK(capped.full_w(0) == 300);
  const int compute = capped.state_for(1);
  CHECK(capped.clock(compute) == doctest::Approx(0.8));
  CHECK(capped.speeds()[std::size_t(compute)] == doctest::Approx(0.8e14));
  CHECK(capped.full_w(compute) == doctest::Approx(350));
  const int half = capped.state_for(0.5);
  CHECK(capped.clock(half) == doctest::Approx(0.85));
  CHECK(capped.full_w(half) == doctest::Approx(350));
}
