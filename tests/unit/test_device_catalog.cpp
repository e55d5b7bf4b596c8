#include <doctest/doctest.h>

#include <string>

#include "suanli/platform/device_catalog.hpp"

using namespace suanli::platform;

TEST_CASE("builtin catalog holds every required device with sane values") {
  const DeviceCatalog c = DeviceCatalog::builtin();
  for (const char* name : {"V100", "A100", "H100", "H200", "MI300X", "Ascend910B", "CPU"}) {
    CAPTURE(name);
    const DeviceSpec* d = c.find(name);
    REQUIRE(d != nullptr);
    CHECK(d->name == name);
    CHECK(d->tflops_bf16 > 0);
    CHECK(d->tflops_fp16 >= d->tflops_fp32);
    CHECK(d->tflops_fp32 > 0);
    CHECK(d->hbm_tbps > 0);
    CHECK(d->tdp_w > d->idle_w);
    CHECK(d->idle_w > 0);
    CHECK(d->intra.bandwidth_Bps > 0);
    CHECK(d->intra.latency_s == doctest::Approx(1e-6));
    CHECK(d->source.find("idle") != std::string::npos);  // idle is always flagged an estimate
    CHECK(d->peak_flops() == doctest::Approx(d->tflops_bf16 * 1e12));
  }
  CHECK(c.names().size() == 15);  // 7 required + 7 of the Alibaba openb node list + K80
}

TEST_CASE("builtin catalog carries the datasheet figures (dense, no sparsity)") {
  const DeviceCatalog c = DeviceCatalog::builtin();
  const DeviceSpec& v100 = *c.find("V100");
  CHECK(v100.tflops_bf16 == 125);  // no bf16 on V100: fp16 tensor rate stands in
  CHECK(v100.tflops_fp32 == doctest::Approx(15.7));
  CHECK(v100.hbm_gb == 32);
  CHECK(v100.tdp_w == 300);
  CHECK(v100.intra.bandwidth_Bps == doctest::Approx(150e9));  // 300 GB/s both ways

  const DeviceSpec& a100 = *c.find("A100");
  CHECK(a100.tflops_bf16 == 312);
  CHECK(a100.tflops_fp32 == doctest::Approx(19.5));
  CHECK(a100.hbm_gb == 80);
  CHECK(a100.hbm_tbps == doctest::Approx(2.039));
  CHECK(a100.tdp_w == 400);
  CHECK(a100.intra.bandwidth_Bps == doctest::Approx(300e9));  // 600 GB/s both ways

  const DeviceSpec& h100 = *c.find("H100");
  CHECK(h100.tflops_bf16 == 989);  // half the 1,979 sparse figure
  CHECK(h100.tflops_fp32 == 67);
  CHECK(h100.hbm_tbps == doctest::Approx(3.35));
  CHECK(h100.tdp_w == 700);
  CHECK(h100.intra.bandwidth_Bps == doctest::Approx(450e9));  // 900 GB/s both ways

  const DeviceSpec& h200 = *c.find("H200");
  CHECK(h200.hbm_gb == 141);
  CHECK(h200.hbm_tbps == doctest::Approx(4.8));

  const DeviceSpec& mi300x = *c.find("MI300X");
  CHECK(mi300x.tflops_bf16 == doctest::Approx(1307.4));
  CHECK(mi300x.tflops_fp32 == doctest::Approx(163.4));
  CHECK(mi300x.hbm_gb == 192);
  CHECK(mi300x.tdp_w == 750);
  CHECK(mi300x.intra.bandwidth_Bps == doctest::Approx(448e9));  // 896 GB/s both ways

  const DeviceSpec& ascend = *c.find("Ascend910B");
  CHECK(ascend.hbm_gb == 64);
  CHECK(ascend.hbm_tbps == doctest::Approx(1.6));
  CHECK(ascend.intra.bandwidth_Bps == doctest::Approx(196e9));  // 392 GB/s both ways
  CHECK(ascend.source.find("vary") != std::string::npos);

  const DeviceSpec& cpu = *c.find("CPU");
  CHECK(cpu.kind == "cpu");
  CHECK(cpu.hbm_gb == 0);
  CHECK(cpu.hbm_tbps == doctest::Approx(0.46));
  // 96 cores x 2.4 GHz x 32 FLOP/cycle
  CHECK(cpu.tflops_fp32 == doctest::Approx(96 * 2.4e9 * 32 / 1e12));
  CHECK(cpu.tflops_bf16 == cpu.tflops_fp32);
  CHECK(cpu.tdp_w == 360);
}

TEST_CASE("find is exact but case-insensitive, nullptr when unknown") {
  const DeviceCatalog c = DeviceCatalog::builtin();
  REQUIRE(c.find("a100") != nullptr);
  CHECK(c.find("a100") == c.find("A100"));
  CHECK(c.find("ascend910b")->name == "Ascend910B");
  CHECK(c.find("A1") == nullptr);     // no prefix matching
  CHECK(c.find("A100 ") == nullptr);  // no trimming
  CHECK(c.find("B200") == nullptr);
}

TEST_CASE("upsert replaces an entry in place and appends new ones") {
  DeviceCatalog c = DeviceCatalog::builtin();
  DeviceSpec capped = *c.find("H100");
  capped.tdp_w = 500;
  c.upsert(capped);
  CHECK(c.find("H100")->tdp_w == 500);
  CHECK(c.names().size() == 15);
  CHECK(c.names()[2] == "H100");  // position kept

  DeviceSpec custom;
  custom.name = "TestGPU";
  custom.tflops_bf16 = 100;
  c.upsert(custom);
  CHECK(c.names().size() == 16);
  CHECK(c.names().back() == "TestGPU");
  CHECK(c.find("testgpu")->tflops_bf16 == 100);
}

TEST_CASE("builtin catalog has the GPU models of the Alibaba openb node list") {
  const DeviceCatalog c = DeviceCatalog::builtin();
  // Datasheets: T4 65 TFLOPS fp16 tensor, 70 W; P100 PCIe 18.7 fp16, 250 W; V100 SXM2 16/32GB
  // 125 fp16 tensor, 300 W; A10 125 bf16 dense, 150 W.
  CHECK(c.find("T4")->tflops_bf16 == doctest::Approx(65));
  CHECK(c.find("T4")->tdp_w == doctest::Approx(70));
  CHECK(c.find("P100")->tflops_fp16 == doctest::Approx(18.7));
  CHECK(c.find("V100M16")->hbm_gb == doctest::Approx(16));
  CHECK(c.find("V100M32")->hbm_gb == doctest::Approx(32));
  CHECK(c.find("A10")->tdp_w == doctest::Approx(150));
  CHECK(c.find("A10")->intra.bandwidth_Bps == doctest::Approx(32e9));  // PCIe Gen4, one way
}

TEST_CASE("builtin catalog has Gavel's K80 worker, per GPU of the two-GPU board") {
  const DeviceCatalog c = DeviceCatalog::builtin();
  // K80 board: 8.73 TFLOPS fp32 boost, 24 GB, 480 GB/s, 300 W, two GPUs: half of each.
  CHECK(c.find("K80")->tflops_fp32 == doctest::Approx(8.73 / 2));
  CHECK(c.find("K80")->hbm_gb == doctest::Approx(12));
  CHECK(c.find("K80")->tdp_w == doctest::Approx(150));
}
