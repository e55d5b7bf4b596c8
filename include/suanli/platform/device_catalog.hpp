#pragma once
// Accelerator and CPU specifications. Built-in entries carry the datasheet they come from;
// a platform file may override any field of an entry or add entries.
#include <string>
#include <string_view>
#include <vector>

namespace suanli::platform {

struct LinkSpec {
  double bandwidth_Bps = 0;  // bytes per second
  double latency_s = 0;
};

// A point of a GPU's power curve: the power it draws while active at its highest clock when
// `share` of its time its compute units run at their dense matmul rate (0: memory-bound work
// such as decode at small batches, 1: a dense GEMM). docs/model.md, "GPU power".
struct PowerPoint {
  double share = 0;
  double watts = 0;
};

// A clock (DVFS) state: the SM clock as a fraction of the highest, and the compute part of the
// dynamic power at that clock as a fraction of the compute part at the highest clock.
struct ClockState {
  double clock = 1;
  double power = 1;
};

struct DeviceSpec {
  std::string name;
  std::string kind = "gpu";  // "gpu" or "cpu"
  double tflops_bf16 = 0;    // dense, no sparsity
  double tflops_fp16 = 0;
  double tflops_fp32 = 0;
  double hbm_gb = 0;
  double hbm_tbps = 0;
  double tdp_w = 0;
  double idle_w = 0;
  LinkSpec intra;      // per-device intra-node link (NVLink/NVSwitch, Infinity Fabric, HCCS)
  std::string source;  // datasheet / reference the numbers come from
  // Active power by compute share at the highest clock, shares increasing from 0 to 1, linear
  // in between (docs/model.md, "GPU power"); the last point is TDP.
  std::vector<PowerPoint> power_curve;
  // The clock table, fastest first from {1, 1}, linear in between; one state: no DVFS modelled
  // (a power limit is refused).
  std::vector<ClockState> clock_states{{1, 1}};
  // The lowest power limit the driver accepts (nvidia-smi -pl), when known; a limit must also
  // let compute-bound work fit at the lowest clock of the table.
  double min_power_cap_w = 0;
  std::string power_source;  // where power_curve, clock_states and min_power_cap_w come from
  // Achieved / peak, for the LLM-serving roofline (perf/llm_roofline.hpp): the share of
  // tflops_bf16 that large matrix multiplications reach, and the share of hbm_tbps that
  // streaming weights and KV cache reaches. Defaults: the best efficiencies profiled for
  // FasterTransformer on A100 (kipply, "Transformer Inference Arithmetic", 2022: 0.7 of peak
  // FLOPS in the MLP matmuls, 0.9 of HBM bandwidth), the values llm-analysis also uses. The
  // catalog lowers them where measurements say otherwise (device_catalog.cpp, MI300X).
  double compute_efficiency = 0.7;
  double memory_efficiency = 0.9;

  // The speed SimGrid runs this device at: dense bf16 peak, in FLOP/s.
  double peak_flops() const { return tflops_bf16 * 1e12; }
};

// The power curve a device gets when its entry gives none: the shape measured on H100 (the
// ML.ENERGY benchmark v3, docs/model.md "GPU power") as shares of the way from idle to TDP.
std::vector<PowerPoint> default_power_curve(double idle_w, double tdp_w);

// Device names compare case-insensitively ("a100" is "A100") so a platform file or a trace
// need not remember the catalog's capitalisation; the catalog keeps the spelling it was given.
bool same_device_name(std::string_view a, std::string_view b);

class DeviceCatalog {
 public:
  // V100, A100, H100, H200, MI300X, Ascend910B, CPU.
  static DeviceCatalog builtin();

  // Exact name, compared case-insensitively ("a100" finds "A100"); nullptr when unknown.
  const DeviceSpec* find(std::string_view name) const;
  // Adds a new entry or replaces the entry with the same (case-insensitive) name, keeping
  // its position in names().
  void upsert(DeviceSpec spec);
  // In insertion order (builtin: the order listed above).
  std::vector<std::string> names() const;
  const std::vector<DeviceSpec>& all() const { return devices_; }

 private:
  std::vector<DeviceSpec> devices_;
};

}  // namespace suanli::platform
