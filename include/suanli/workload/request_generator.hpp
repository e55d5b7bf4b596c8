#pragma once
// Synthetic LLM request streams: arrivals Poisson, bursty (Gamma gaps) or diurnal at a mean
// rate, prompt and output lengths drawn from quantile tables fitted to the Azure LLM inference
// trace 2023 (conversation or code). The same options and seed give the same requests on every
// machine (docs/requests.md says what that rests on). No model, SLO class, id or prefix blocks
// unless asked: requests are independent.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "suanli/workload/request.hpp"

namespace suanli::workload {

struct RequestGenOptions {
  std::int64_t count = 1000;        // requests (1 .. 2^31 - 1)
  std::uint64_t seed = 0;           // same options + seed: the same requests everywhere
  double rate = 1.0;                // mean requests per second (> 0)
  std::string arrival = "poisson";  // "poisson", "gamma" or "diurnal"
  // gamma: the squared coefficient of variation (CV^2) of the gaps between arrivals; gaps are
  // Gamma with shape 1 / burstiness and mean 1 / rate. 1 is Poisson, above 1 bursty.
  double burstiness = 1.0;
  // diurnal: the rate at t seconds (t = 0 is midnight) is
  // rate * (1 + diurnal_amplitude * cos(2 pi (t / 3600 - peak_hour) / 24)), 0 <= amplitude <= 1,
  // so `rate` is the mean over a whole day, and the busiest hour is peak_hour (0 <= h < 24).
  double diurnal_amplitude = 0.5;
  double peak_hour = 15.0;
  std::string lengths = "azure-conv";  // "azure-conv" or "azure-code" (request_length_tables)
  std::string model;                   // every request's model; "" = none
};

// A length distribution as its quantiles: the p-quantile for p = permille / 1000. Draws
// interpolate linearly between neighbouring quantiles and round to whole tokens.
struct RequestLengthTable {
  std::string_view name;    // as given to `lengths`
  std::string_view source;  // the trace file the quantiles were computed from
  std::span<const int> permille;
  std::span<const int> prompt;  // quantiles of ContextTokens
  std::span<const int> output;  // quantiles of GeneratedTokens
};

std::span<const RequestLengthTable> request_length_tables();

// The first request arrives at 0 (with diurnal arrivals that is midnight); times are rounded
// to microseconds. Requests are numbered from 1 (Request::line) in arrival order. Throws
// InputError("--option: ...") for options out of range.
RequestWorkload generate_requests(const RequestGenOptions& options);

}  // namespace suanli::workload
