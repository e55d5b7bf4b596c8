#include "suanli/report/partial_outputs.hpp"

#include <cmath>
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

namespace {

// An empty field for a quantity a site does not give.
std::string given(double value) {
  return std::isnan(value) ? std::string() : exact_number(value);
}

void write_energy_csv(const std::string& path, const std::vector<EnergyBreakdown::Row>& rows) {
  std::ofstream out(path);
  out << "start_s,end_s,site,it_kwh,facility_kwh,pue,outdoor_c,carbon_g_per_kwh,carbon_kg,"
         "price_per_kwh,cost\n";
  constexpr double kJ = 3.6e6;
  for (const auto& r : rows)
    out << exact_number(r.start_s) << ',' << exact_number(r.end_s) << ',' << r.site << ','
        << exact_number(r.it_j / kJ) << ',' << exact_number(r.facility_j / kJ) << ','
        << exact_number(r.pue) << ',' << given(r.outdoor_c) << ',' << given(r.carbon_g_per_kwh)
        << ',' << given(r.carbon_kg) << ',' << given(r.price_per_kwh) << ',' << given(r.cost)
        << '\n';
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

PartialOutputs::~PartialOutputs() {
  for (std::FILE* f : files_)
    if (f) std::fclose(f);
  if (committed_) return;
  for (const auto& name : names_) std::remove((out_dir_ + "/" + name + kPartial).c_str());
  std::remove((out_dir_ + "/" + summary_name_ + kPartial).c_str());
  std::remove((out_dir_ + "/energy.csv" + kPartial).c_str());
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
  if (e.has_carbon) summary["carbon_kg"] = e.carbon_kg;
  if (e.has_price) {
    summary["energy_cost"] = e.cost;
    summary["currency"] = e.currency;
  }
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
  if (!e.rows.empty()) {
    write_energy_csv(out_dir_ + "/energy.csv" + kPartial, e.rows);
    all.push_back("energy.csv");
  }
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
