#include "suanli/energy/accountant.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

namespace suanli::energy {

Accountant::Accountant(const platform::Platform& platform,
                       std::span<simgrid::s4u::Host* const> gpu_hosts,
                       std::span<const ClusterPower> powers)
    : gpu_hosts_(gpu_hosts),
      powers_(powers),
      static_w_(static_power(platform).total_w()),
      floor_w_(static_w_ + idle_gpu_power_w(platform)) {
  node_share_w_.reserve(std::size_t(platform.total_gpus()));
  sites_.resize(platform.sites.size());
  for (const auto& cluster : platform.clusters) {
    auto& site = sites_[std::size_t(cluster.site)];
    site.gpus.emplace_back(cluster.first_gpu, cluster.first_gpu + cluster.gpu_count());
    site.static_w +=
        cluster.nodes * cluster.node.static_w + cluster.switch_count() * cluster.fabric.switch_w;
    site_of_cluster_.push_back(cluster.site);
  }
  for (const auto& cluster : platform.clusters)
    node_share_w_.insert(node_share_w_.end(), std::size_t(cluster.gpu_count()),
                         cluster.node.gpus > 0 ? cluster.node.static_w / cluster.node.gpus : 0);
}

double Accountant::node_share_energy_j(std::span<const int> gpus, double seconds) const {
  double watts = 0;
  for (int g : gpus) watts += node_share_w_[std::size_t(g)];
  return watts * seconds;
}

double Accountant::hosts_energy_j(std::span<simgrid::s4u::Host* const> hosts) {
  double total = 0;
  for (auto* host : hosts) total += sg_host_get_consumed_energy(host);
  return total;
}

double Accountant::gpus_energy_j(std::span<const int> gpus) const {
  double total = 0;
  for (int g : gpus) total += sg_host_get_consumed_energy(gpu_hosts_[std::size_t(g)]);
  return total;
}

double Accountant::gpus_energy_since(std::span<const int> gpus, double before_j) const {
  double energy = -before_j;
  for (int g : gpus) energy += sg_host_get_consumed_energy(gpu_hosts_[std::size_t(g)]);
  return energy;
}

double Accountant::gpu_energy_j() const {
  double total = unseen_j_;
  if (unseen_w_ != 0) total += unseen_w_ * (simgrid::s4u::Engine::get_clock() - unseen_since_s_);
  for (auto* host : gpu_hosts_) total += sg_host_get_consumed_energy(host);
  return total;
}

double Accountant::add_unseen_compute(int cluster, int state, double gpu_seconds) {
  const double extra = gpu_seconds * powers_[std::size_t(cluster)].states.dynamic_w(state);
  unseen_j_ += extra;
  sites_[std::size_t(site_of_cluster_[std::size_t(cluster)])].unseen_j += extra;
  return extra;
}

void Accountant::accrue_unseen() {
  const double now = simgrid::s4u::Engine::get_clock();
  unseen_j_ += unseen_w_ * (now - unseen_since_s_);
  for (auto& site : sites_) site.unseen_j += site.unseen_w * (now - unseen_since_s_);
  unseen_since_s_ = now;
}

void Accountant::unseen_changed(int cluster, double watts) {
  accrue_unseen();
  unseen_w_ += watts;
  sites_[std::size_t(site_of_cluster_[std::size_t(cluster)])].unseen_w += watts;
}

void Accountant::unseen_compute_started(int cluster, int state, double gpus) {
  unseen_changed(cluster, gpus * powers_[std::size_t(cluster)].states.dynamic_w(state));
}

void Accountant::unseen_compute_ended(int cluster, int state, double gpus) {
  unseen_changed(cluster, -gpus * powers_[std::size_t(cluster)].states.dynamic_w(state));
}

std::vector<double> Accountant::site_it_energy_j() const {
  const double now = simgrid::s4u::Engine::get_clock();
  std::vector<double> energy;
  energy.reserve(sites_.size());
  for (const auto& site : sites_) {
    double j = site.unseen_j + site.unseen_w * (now - unseen_since_s_) + site.static_w * now;
    for (const auto& [first, end] : site.gpus)
      for (int g = first; g < end; ++g)
        j += sg_host_get_consumed_energy(gpu_hosts_[std::size_t(g)]);
    energy.push_back(j);
  }
  return energy;
}

double Accountant::idle_energy_j(const PowerStates& states, double gpu_seconds) {
  return gpu_seconds * states.idle_w();
}

double Accountant::share_energy_j(const PowerStates& states, int state, double share_seconds) {
  return share_seconds * states.full_w(state);
}

void Accountant::gpu_powered(int cluster, bool on) {
  accrue_floor();
  floor_w_ += (on ? 1 : -1) * (powers_[std::size_t(cluster)].states.idle_w() - kGpuOffW);
}

// floor_w_ is the static power plus every GPU's floor; the GPUs' part accrues with the clock.
void Accountant::accrue_floor() {
  const double now = simgrid::s4u::Engine::get_clock();
  floor_j_ += (floor_w_ - static_w_) * (now - floor_since_s_);
  floor_since_s_ = now;
}

double Accountant::gpu_idle_energy_j() const {
  return floor_j_ + (floor_w_ - static_w_) * (simgrid::s4u::Engine::get_clock() - floor_since_s_);
}

}  // namespace suanli::energy
