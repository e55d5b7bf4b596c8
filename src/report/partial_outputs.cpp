#include "suanli/report/partial_outputs.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace suanli::report {

namespace {
constexpr const char* kPartial = ".partial";
}

PartialOutputs::PartialOutputs(std::string out_dir, std::vector<std::string> streamed,
                               std::string summary_name)
    : out_dir_(std::move(out_dir)),
      names_(std::move(streamed)),
      summary_name_(std::move(summary_name)) {
  for (const auto& name : names_) {
    const std::string path = out_dir_ + "/" + name + kPartial;
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + path);
    files_.push_back(f);
  }
}

PartialOutputs::~PartialOutputs() {
  for (std::FILE* f : files_)
    if (f) std::fclose(f);
  if (committed_) return;
  for (const auto& name : names_) std::remove((out_dir_ + "/" + name + kPartial).c_str());
  std::remove((out_dir_ + "/" + summary_name_ + kPartial).c_str());
}

void PartialOutputs::commit(nlohmann::ordered_json summary, const RunCosts& costs) {
  const EnergyBreakdown& e = costs.energy;
  constexpr double kJ = 3.6e6;
  summary["energy_gpu_kwh"] = e.gpu_j / kJ;
  summary["energy_it_kwh"] = e.it_j / kJ;
  summary["energy_facility_kwh"] = e.facility_j / kJ;
  // The parts, which add up to energy_facility_kwh.
  summary["energy_gpu_dynamic_kwh"] = (e.gpu_j - e.gpu_idle_j) / kJ;
  summary["energy_gpu_idle_kwh"] = e.gpu_idle_j / kJ;
  summary["energy_node_kwh"] = e.node_j / kJ;
  summary["energy_network_kwh"] = e.network_j / kJ;
  summary["energy_cooling_kwh"] = (e.facility_j - e.it_j) / kJ;
  const double gpu_hours = e.total_gpus * e.end_s / 3600;
  summary["kwh_per_gpu_hour"] = gpu_hours > 0 ? e.facility_j / kJ / gpu_hours : 0.0;
  summary["sim_wall_s"] = costs.sim_wall_s;
  summary["peak_rss_mb"] = costs.peak_rss_mb;
  if (costs.decision_wall_s >= 0) {
    summary["decision_wall_s"] = costs.decision_wall_s;
    summary["decision_p99_ms"] = costs.decision_p99_ms;
  }
  close_streams();
  {
    std::ofstream out(out_dir_ + "/" + summary_name_ + kPartial);
    out << summary.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + out_dir_ + "/" + summary_name_);
  }
  std::vector<std::string> all = names_;
  all.push_back(summary_name_);
  rename_into_place(all);
}

void PartialOutputs::commit_streams() {
  close_streams();
  rename_into_place(names_);
}

void PartialOutputs::close_streams() {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    const bool failed = std::ferror(files_[i]) != 0;
    const bool closed = std::fclose(files_[i]) == 0;
    files_[i] = nullptr;
    if (failed || !closed) throw std::runtime_error("cannot write " + out_dir_ + "/" + names_[i]);
  }
}

void PartialOutputs::rename_into_place(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const std::string to = out_dir_ + "/" + name;
    if (std::rename((to + kPartial).c_str(), to.c_str()) != 0)
      throw std::runtime_error("cannot write " + to);
  }
  committed_ = true;
}

std::string exact_number(double value) {
  return fmt::format("{}", value);
}

}  // namespace suanli::report
