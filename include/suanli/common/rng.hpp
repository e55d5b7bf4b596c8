#pragma once
// The one seeded random source of suanli (job and request generators, workload sampling,
// the power-of-two router). The standard fixes mt19937_64's raw output but not what std::
// distributions make of it, so every draw is built here from the raw 64-bit values: the same
// seed gives the same numbers with every standard library. Integer draws and uniform() use
// only integer and IEEE arithmetic; normal, exponential and gamma also go through log, cos,
// sqrt and pow, whose last bit may differ between C libraries, so callers round what they
// get from them (to seconds, microseconds, tokens) or compare it.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string_view>

namespace suanli {

// splitmix64 (Steele, Lea, Flood 2014): a tiny generator whose consecutive outputs are well
// mixed even from consecutive seeds. The router draws from it; Rng derives substream seeds.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : seed_(seed), engine_(seed) {}

  // An independent generator for one purpose, named so that adding a draw to one stream does
  // not shift another's ("arrivals", "lengths"): seeded from this seed and the name, not from
  // this generator's state.
  Rng stream(std::string_view name) const {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the name
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return Rng(SplitMix64(seed_ ^ h).next());
  }

  std::uint64_t seed() const { return seed_; }

  // The raw 64-bit value, uniform over [0, max()].
  std::uint64_t next() { return engine_(); }
  static constexpr std::uint64_t max() { return std::mt19937_64::max(); }

  // Uniform in [0, 1): the top 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n >= 1, without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (true) {
      const std::uint64_t x = next();
      if (x >= threshold) return x % n;
    }
  }

  // Exponential with mean 1.
  double exponential() { return -std::log(1.0 - uniform()); }

  // Standard normal by Box-Muller (one value per pair of draws).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  // Gamma with shape k and scale 1: Marsaglia and Tsang (2000), and for k < 1 their
  // Gamma(k) = Gamma(k + 1) * U^(1/k).
  double gamma(double k) {
    if (k < 1) return gamma(k + 1) * std::pow(1.0 - uniform(), 1.0 / k);
    const double d = k - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x = 0, v = 0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const double u = 1.0 - uniform();  // (0, 1]
      if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;
};

}  // namespace suanli
