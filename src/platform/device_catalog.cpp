#include "suanli/platform/device_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace suanli::platform {
namespace {

constexpr double kGBps = 1e9;  // bytes per second in one GB/s
constexpr double kUs = 1e-6;

DeviceSpec make(std::string name, std::string kind, double bf16, double fp16, double fp32,
                double hbm_gb, double hbm_tbps, double tdp_w, double idle_w,
                double intra_both_ways_GBps, double intra_latency_s, std::string source) {
  DeviceSpec d;
  d.name = std::move(name);
  d.kind = std::move(kind);
  d.tflops_bf16 = bf16;
  d.tflops_fp16 = fp16;
  d.tflops_fp32 = fp32;
  d.hbm_gb = hbm_gb;
  d.hbm_tbps = hbm_tbps;
  d.tdp_w = tdp_w;
  d.idle_w = idle_w;
  // Vendors quote NVLink/Infinity Fabric/HCCS as the sum of both directions; a SimGrid
  // split-duplex link has its bandwidth in each direction, so it gets half.
  d.intra = LinkSpec{intra_both_ways_GBps / 2 * kGBps, intra_latency_s};
  d.source = std::move(source);
  return d;
}

// The H100's active power by compute share, as shares of the way from idle to TDP. ML.ENERGY
// benchmark v3 (ml-energy/leaderboard 0cd52dab, public/data/models/
// meta-llama__Llama-3.1-8B-Instruct__lm-arena-chat.json): one H100 SXM under vLLM draws 486,
// 513, 560, 610, 669 and 688 W at max_num_seqs 8, 16, 32, 64, 128 and 192, where suanli's
// roofline puts the compute share of a Llama-3-8B decode step (mean context 1,000 tokens) at
// 0.034, 0.064, 0.114, 0.189, 0.281 and 0.336; with the catalog's 75 W idle and 700 W TDP these
// are 0.658 .. 0.981 of the way. Fitted points (the first extrapolated to share 0; docs/model.md):
constexpr PowerPoint kMeasuredShape[] = {{0, 0.61},   {0.1, 0.76},  {0.2, 0.87},
                                         {0.3, 0.96}, {0.35, 0.98}, {1, 1}};

// Power above idle at a lower SM clock, compute-bound work, as a share of it at the highest:
// the A100 SXM sweep of the Perseus artifact (Chung et al., SOSP'24; ml-energy/zeus 38cb3f90,
// sosp24_data/emulation/stage_profile/gpt3-175b+a100_sxm_bf16.csv, forward and backward
// stages of GPT-3 175B, mean over 8 stages), the relative power at 1350, 1260, 1170, 1080, 990,
// 900 and 855 MHz of 1410 (0.955, 0.812, 0.685, 0.596, 0.557, 0.517, 0.497 of the total)
// turned into the part above the 60 W idle of a 400 W A100. The sweep ends at 855 MHz.
constexpr ClockState kMeasuredClocks[] = {{1, 1},         {0.957, 0.947}, {0.894, 0.776},
                                          {0.830, 0.629}, {0.766, 0.524}, {0.702, 0.478},
                                          {0.638, 0.432}, {0.606, 0.408}};

}  // namespace

std::vector<PowerPoint> default_power_curve(double idle_w, double tdp_w) {
  std::vector<PowerPoint> curve;
  for (const auto& point : kMeasuredShape)
    curve.push_back({point.share, idle_w + point.watts * (tdp_w - idle_w)});
  return curve;
}

// Every TFLOPS figure is dense (no 2:4 sparsity). Intra-node link bandwidths below are the
// vendors' per-device aggregate figures as published, both directions together; the catalog
// stores half (one direction). Idle power is never on a datasheet: the idle_w values are typical
// measured idle draws and every `source` string says so.
// compute_efficiency and memory_efficiency keep the DeviceSpec defaults (0.7, 0.9:
// FasterTransformer on A100 as profiled in kipply's "Transformer Inference Arithmetic") except
// where a measurement of the device says otherwise.
DeviceCatalog DeviceCatalog::builtin() {
  DeviceCatalog c;
  // NVIDIA Tesla V100 SXM2 32GB, "NVIDIA Tesla V100 GPU Accelerator" datasheet:
  // 125 TFLOPS fp16 tensor, 15.7 fp32, 32 GB HBM2 at 900 GB/s, 300 W, NVLink 300 GB/s.
  // V100 has no bf16 unit; bf16 work is assumed to run as fp16 tensor maths (125).
  c.upsert(make("V100", "gpu", 125, 125, 15.7, 32, 0.9, 300, 40, 300, 1 * kUs,
                "NVIDIA Tesla V100 SXM2 32GB datasheet; no bf16 on V100, bf16 = fp16 tensor "
                "(125); idle_w is a typical measured value, not a datasheet figure"));
  // NVIDIA A100 80GB SXM, "NVIDIA A100 Tensor Core GPU" datasheet: 312 TFLOPS bf16/fp16
  // dense, 19.5 fp32 (non-tensor), 80 GB HBM2e at 2,039 GB/s, 400 W, NVLink 600 GB/s.
  c.upsert(make("A100", "gpu", 312, 312, 19.5, 80, 2.039, 400, 60, 600, 1 * kUs,
                "NVIDIA A100 Tensor Core GPU datasheet (80GB SXM), dense figures; idle_w is "
                "a typical measured value, not a datasheet figure"));
  // NVIDIA H100 SXM5, "NVIDIA H100 Tensor Core GPU" datasheet: 1,979 TFLOPS bf16 is with
  // sparsity, so dense is 989; fp32 67; 80 GB HBM3 at 3.35 TB/s; up to 700 W; NVLink 900 GB/s.
  c.upsert(make("H100", "gpu", 989, 989, 67, 80, 3.35, 700, 75, 900, 1 * kUs,
                "NVIDIA H100 Tensor Core GPU datasheet (SXM5), dense = half the sparse "
                "figure; idle_w is a typical measured value, not a datasheet figure"));
  // NVIDIA H200 SXM, "NVIDIA H200 Tensor Core GPU" datasheet: same compute as H100 SXM
  // (989 dense bf16, 67 fp32), 141 GB HBM3e at 4.8 TB/s, up to 700 W, NVLink 900 GB/s.
  c.upsert(make("H200", "gpu", 989, 989, 67, 141, 4.8, 700, 75, 900, 1 * kUs,
                "NVIDIA H200 Tensor Core GPU datasheet (SXM), dense figures; idle_w is a "
                "typical measured value, not a datasheet figure"));
  // AMD Instinct MI300X, "AMD Instinct MI300X Accelerator" data sheet: 1,307.4 TFLOPS
  // bf16/fp16 dense, 163.4 fp32 (matrix), 192 GB HBM3 at 5.3 TB/s, 750 W, Infinity Fabric
  // 896 GB/s (7 links x 128 GB/s).
  // Efficiencies (LLM roofline): Ambati et al., "AMD MI300X GPU Performance Analysis"
  // (arXiv:2510.27583, 2025) measure about 45% of the peak matrix FLOPS in practice (ROCm
  // software, clocks dropping under sustained load) and 81% of the peak HBM bandwidth
  // (BabelStream), against up to 90% for NVIDIA's GPUs, whose 0.7 / 0.9 defaults stay.
  DeviceSpec mi300x = make("MI300X", "gpu", 1307.4, 1307.4, 163.4, 192, 5.3, 750, 90, 896, 1 * kUs,
                           "AMD Instinct MI300X data sheet, dense figures; idle_w is a typical "
                           "measured value, not a datasheet figure");
  mi300x.compute_efficiency = 0.45;
  mi300x.memory_efficiency = 0.81;
  c.upsert(std::move(mi300x));
  // Huawei Ascend 910B as in the Atlas 800T A2 training server. Huawei publishes few
  // per-chip numbers and public figures vary by SKU (910B1..910B4); used here: ~313 TFLOPS
  // fp16 (also taken as bf16), 64 GB HBM2e at 1.6 TB/s, 400 W, HCCS 392 GB/s. Huawei gives
  // no fp32 figure: 78 TFLOPS (about a quarter of fp16) is an estimate.
  c.upsert(make("Ascend910B", "gpu", 313, 313, 78, 64, 1.6, 400, 70, 392, 1 * kUs,
                "publicly reported Huawei Atlas 800T A2 / Ascend 910B figures (public figures "
                "vary by SKU; used 313 TFLOPS fp16 = bf16, 64 GB HBM2e, 1.6 TB/s, 400 W, HCCS "
                "392 GB/s); fp32 78 is an estimate; idle_w is a typical measured value, not a "
                "datasheet figure"));
  // The GPU models of Alibaba's cluster-trace-gpu-v2023 node list (openb), older or
  // inference-class cards; their intra-node link is PCIe (no NVLink in those servers).
  // NVIDIA T4, "NVIDIA T4 Tensor Core GPU" datasheet: 65 TFLOPS fp16 tensor (no bf16 unit:
  // bf16 = fp16), 8.1 fp32, 16 GB GDDR6 at 320 GB/s, 70 W; PCIe Gen3 x16 (16 GB/s each way).
  c.upsert(make("T4", "gpu", 65, 65, 8.1, 16, 0.32, 70, 10, 32, 1 * kUs,
                "NVIDIA T4 datasheet; no bf16 on T4, bf16 = fp16 tensor (65); PCIe Gen3 x16; "
                "idle_w is a typical measured value, not a datasheet figure"));
  // NVIDIA Tesla P100 PCIe 16GB, "NVIDIA Tesla P100" datasheet: 18.7 TFLOPS fp16 (no tensor
  // cores, no bf16: bf16 = fp16), 9.3 fp32, 16 GB HBM2 at 732 GB/s, 250 W; PCIe Gen3 x16.
  c.upsert(make("P100", "gpu", 18.7, 18.7, 9.3, 16, 0.732, 250, 25, 32, 1 * kUs,
                "NVIDIA Tesla P100 PCIe 16GB datasheet; no bf16, bf16 = fp16 (18.7); idle_w is "
                "a typical measured value, not a datasheet figure"));
  // The V100 SXM2 in its 16 GB and 32 GB versions, as the openb node list names them: the
  // same compute and links as "V100" above, different memory.
  c.upsert(make("V100M16", "gpu", 125, 125, 15.7, 16, 0.9, 300, 40, 300, 1 * kUs,
                "NVIDIA Tesla V100 SXM2 16GB datasheet; bf16 = fp16 tensor (125); idle_w is a "
                "typical measured value, not a datasheet figure"));
  c.upsert(make("V100M32", "gpu", 125, 125, 15.7, 32, 0.9, 300, 40, 300, 1 * kUs,
                "NVIDIA Tesla V100 SXM2 32GB datasheet; bf16 = fp16 tensor (125); idle_w is a "
                "typical measured value, not a datasheet figure"));
  // NVIDIA A10, "NVIDIA A10 Tensor Core GPU" datasheet: 125 TFLOPS bf16/fp16 tensor dense
  // (250 with sparsity), 31.2 fp32, 24 GB GDDR6 at 600 GB/s, 150 W; PCIe Gen4 x16 (32 GB/s
  // each way).
  c.upsert(make("A10", "gpu", 125, 125, 31.2, 24, 0.6, 150, 15, 64, 1 * kUs,
                "NVIDIA A10 datasheet, dense figures; PCIe Gen4 x16; idle_w is a typical "
                "measured value, not a datasheet figure"));
  // G2 and G3: the other two GPU models of the openb node list (549 nodes x 8 G2, 39 nodes x
  // 8 G3: 4,704 of its 6,212 GPUs). What they are is NOT public: the trace's README says
  // "G1, G2, G3 are undisclosed internal GPU codes"; the FGD paper's simulator
  // (hkust-adsl/kubernetes-scheduler-simulator, MapGpuTypeMemoryMiB) lists the memory of every
  // other model of the trace but none for G2 or G3; no public issue or paper found names them.
  // Stand-in, so that the node list runs at all: the NVIDIA Tesla V100 SXM2 32GB datasheet
  // figures (as "V100M32" above), because the V100 SXM2 is the only disclosed model of the
  // same cluster that also comes in 8-GPU servers (V100M16x8, V100M32x8), and because it
  // claims no generation newer than the trace discloses. The speed, memory, power and NVLink
  // below are therefore the V100's, not G2's or G3's; docs/platform-format.md says so.
  for (const char* undisclosed : {"G2", "G3"}) {
    c.upsert(make(undisclosed, "gpu", 125, 125, 15.7, 32, 0.9, 300, 40, 300, 1 * kUs,
                  std::string("unknown: Alibaba's undisclosed internal GPU code ") + undisclosed +
                      " (cluster-trace-gpu-v2023 README); stand-in: NVIDIA Tesla V100 SXM2 32GB "
                      "datasheet figures, bf16 = fp16 tensor (125); idle_w is a typical "
                      "measured value, not a datasheet figure"));
  }
  // NVIDIA Tesla K80, one of the board's two GK210 GPUs (what a cloud "K80 GPU", and Gavel's
  // k80 worker, is): the board datasheet's 8.73 TFLOPS fp32 (boost), 24 GB GDDR5 at 480 GB/s
  // and 300 W, halved. No fp16/bf16 acceleration: bf16 = fp16 = fp32. PCIe Gen3 x16.
  c.upsert(make("K80", "gpu", 4.365, 4.365, 4.365, 12, 0.24, 150, 25, 32, 1 * kUs,
                "NVIDIA Tesla K80 board datasheet, halved per GPU (2 GPUs per board); no fp16 "
                "units, bf16 = fp16 = fp32; idle_w is a typical measured value, not a datasheet "
                "figure"));
  // Generic server CPU socket modelled on the AMD EPYC 9654 (AMD product page): 96 Zen 4
  // cores, 2.4 GHz base, 360 W default TDP, 12 channels of DDR5-4800.
  //   fp32 peak = 96 cores x 2.4 GHz x 32 FLOP/cycle (2 FMA pipes x 8 fp32 lanes x 2 FLOP,
  //   AVX-512 executed as 2 x 256-bit) = 7,372.8 GFLOPS = 7.3728 TFLOPS.
  //   memory bandwidth = 12 ch x 4.8 GT/s x 8 B = 460.8 GB/s ~ 0.46 TB/s (no HBM: hbm_gb 0).
  // bf16/fp16 are set equal to fp32: the CPU-equivalent speed of such work.
  // Intra link: socket-to-socket xGMI, 4 x16 links at 32 GT/s = 4 x 16 x 32 / 8 = 256 GB/s
  // each way, 512 GB/s both ways.
  c.upsert(make("CPU", "cpu", 7.3728, 7.3728, 7.3728, 0, 0.46, 360, 100, 512, 1 * kUs,
                "AMD EPYC 9654 product page (96 cores, 2.4 GHz base, 360 W, 12ch DDR5-4800); "
                "fp32 derived as 96 x 2.4 GHz x 32 FLOP/cycle, bf16 = fp32; idle_w is a "
                "typical measured value, not a datasheet figure"));
  // Power by work and clock: every entry gets the H100-measured curve shape between its own
  // idle and TDP; the GPUs get the A100-measured clock table (no public sweep of the others
  // was found: docs/model.md says how far that carries).
  for (DeviceSpec& d : c.devices_) {
    d.power_curve = default_power_curve(d.idle_w, d.tdp_w);
    if (d.kind != "gpu") {
      d.power_source =
          "power curve: the H100 shape (ML.ENERGY v3) between idle and TDP; no "
          "clock table";
      continue;
    }
    d.clock_states.assign(std::begin(kMeasuredClocks), std::end(kMeasuredClocks));
    d.power_source = d.name == "H100" || d.name == "A100"
                         ? "power curve: ML.ENERGY v3 (H100); clock table: Perseus A100 SXM sweep"
                         : "power curve and clock table: the H100 shape (ML.ENERGY v3) and the "
                           "A100 SXM sweep (Perseus), carried over; not measured on " +
                               d.name;
  }
  return c;
}

bool same_device_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

const DeviceSpec* DeviceCatalog::find(std::string_view name) const {
  for (const DeviceSpec& d : devices_)
    if (same_device_name(d.name, name)) return &d;
  return nullptr;
}

void DeviceCatalog::upsert(DeviceSpec spec) {
  for (DeviceSpec& d : devices_) {
    if (same_device_name(d.name, spec.name)) {
      d = std::move(spec);
      return;
    }
  }
  devices_.push_back(std::move(spec));
}

std::vector<std::string> DeviceCatalog::names() const {
  std::vector<std::string> out;
  out.reserve(devices_.size());
  for (const DeviceSpec& d : devices_) out.push_back(d.name);
  return out;
}

}  // namespace suanli::platform
