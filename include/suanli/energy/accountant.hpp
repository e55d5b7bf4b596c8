#pragma once
// The one owner of a simulation's watts. GPU energy is what SimGrid's host energy plugin
// integrates on the GPU hosts (their power profiles, energy/power_model.hpp) plus the
// computing that the engine times itself without a SimGrid activity (serving iterations
// chained in a replica's own clock, shares of a GPU under ptask), which the plugin sees as
// idle. The engine's services only tell it what ran, where and for how long; every product
// of power and time is taken here, and every output (per job, per request, timelines,
// summaries) reads its energy from one accountant, so that they agree.
#include <span>
#include <vector>

#include "suanli/energy/power_model.hpp"
#include "suanli/platform/platform.hpp"

namespace simgrid::s4u {
class Host;
}

namespace suanli::energy {

class Accountant {
 public:
  // `gpu_hosts`: the SimGrid host of every GPU, by global GPU index.
  // `powers`: the clusters' power models, the ones the hosts were built with.
  Accountant(const platform::Platform& platform, std::span<simgrid::s4u::Host* const> gpu_hosts,
             std::span<const ClusterPower> powers);

  // What the plugin has counted on these hosts so far.
  static double hosts_energy_j(std::span<simgrid::s4u::Host* const> hosts);
  // The same for GPUs by global index, and what they drew since the plugin had counted
  // `before_j` on them (a gpus_energy_j() taken earlier).
  double gpus_energy_j(std::span<const int> gpus) const;
  double gpus_energy_since(std::span<const int> gpus, double before_j) const;
  // Every GPU's energy so far (at SimGrid's clock): the plugin's plus the computing timed
  // outside SimGrid.
  double gpu_energy_j() const;

  // The power model of a cluster's GPUs, its limit and its hosts' power states.
  const ClusterPower& cluster_power(int cluster) const { return powers_[std::size_t(cluster)]; }

  // Computing timed outside SimGrid: `gpu_seconds` (GPUs x seconds, or a share of one GPU x
  // seconds) of `cluster` in power state `state`. Adds the dynamic energy above idle that the
  // plugin did not see, and returns it.
  double add_unseen_compute(int cluster, int state, double gpu_seconds);
  // Computing timed outside SimGrid that lasts from now until the matching
  // unseen_compute_ended (same arguments): `gpus` (or a share of one GPU). Its dynamic energy
  // accrues with the clock, so that gpu_energy_j() is right at every instant.
  void unseen_compute_started(int cluster, int state, double gpus);
  void unseen_compute_ended(int cluster, int state, double gpus);
  // Every site's IT energy so far (its GPUs, nodes and switches), by site index: what the
  // facility meter turns into facility energy, carbon and cost.
  std::vector<double> site_it_energy_j() const;
  // Energy of `gpu_seconds` of a GPU idling (powered on, not computing).
  static double idle_energy_j(const PowerStates& states, double gpu_seconds);
  // A job holding a share of one GPU for `share_seconds` (share x seconds) in power state
  // `state`: that share of the state's full power (its idle part included), what the plugin
  // integrates for its load while it computes alone.
  static double share_energy_j(const PowerStates& states, int state, double share_seconds);

  // Instantaneous power for change-driven timelines: the floor (node and switch static power,
  // every GPU idle) plus the dynamic power of the work running now (what started minus what
  // ended, in watts above idle).
  void work_started(double dynamic_w) { busy_extra_w_ += dynamic_w; }
  void work_ended(double dynamic_w) { busy_extra_w_ -= dynamic_w; }
  // A GPU of `cluster` powered on or off (autoscaling): the floor follows.
  void gpu_powered(int cluster, bool on);
  double it_power_w() const { return floor_w_ + busy_extra_w_; }
  // Mean IT power over a period in which the GPUs consumed `gpu_energy_j`: theirs plus the
  // node and switch static power.
  double mean_it_power_w(double gpu_energy_j, double period_s) const {
    return gpu_energy_j / period_s + static_w_;
  }
  // Node and switch static power (constant).
  double static_w() const { return static_w_; }
  // The share of their nodes' static power that `gpus` stand for over `seconds` (a node's
  // static_w split evenly over its GPUs): what a service that held them is charged for the
  // nodes (serving's energy).
  double node_share_energy_j(std::span<const int> gpus, double seconds) const;
  // The GPUs' floor so far: each one's idle power while powered on and its off power while
  // off, whatever it computed. What the GPUs drew above it (gpu_energy_j() minus this) is
  // their dynamic energy.
  double gpu_idle_energy_j() const;

 private:
  std::span<simgrid::s4u::Host* const> gpu_hosts_;
  std::span<const ClusterPower> powers_;
  std::vector<double> node_share_w_;  // per GPU: its node's static_w / the node's GPUs
  double static_w_ = 0;
  double floor_w_ = 0;
  double busy_extra_w_ = 0;
  double unseen_j_ = 0;  // accrued up to unseen_since_s_
  double unseen_w_ = 0;  // dynamic power of the unseen computing running now
  double unseen_since_s_ = 0;
  struct SiteShare {
    std::vector<std::pair<int, int>> gpus;  // [first, end) ranges of global GPU indices
    double static_w = 0;
    double unseen_j = 0;  // the site's part of unseen_j_ and unseen_w_
    double unseen_w = 0;
  };
  std::vector<SiteShare> sites_;
  std::vector<int> site_of_cluster_;
  void unseen_changed(int cluster, double watts);
  double floor_j_ = 0;  // the GPUs' floor energy up to floor_since_s_
  double floor_since_s_ = 0;
  void accrue_unseen();
  void accrue_floor();
};

}  // namespace suanli::energy
