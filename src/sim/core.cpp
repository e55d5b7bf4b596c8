#include "suanli/sim/core.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

namespace suanli::sim {

namespace sg4 = simgrid::s4u;

Core::Core(const platform::Platform& platform, const platform::Topology& topology,
           ExecModel exec_model)
    : platform_(platform),
      exec_model_(exec_model),
      session_(exec_model),
      power_(energy::cluster_powers(platform)),
      sim_(build_simgrid_platform(platform, topology, power_)),
      accountant_(platform, sim_.gpu_hosts, power_),
      allocation_(platform, topology),
      parked_(sim_.gpu_hosts.size(), 0),
      held_for_run_(platform.clusters.size(), 0),
      site_peak_it_w_(platform.sites.size(), 0) {
  for (std::size_t c = 0; c < platform.clusters.size(); ++c) {
    const auto& cluster = platform.clusters[c];
    site_peak_it_w_[std::size_t(cluster.site)] +=
        cluster.gpu_count() * platform.device_of_cluster(int(c)).tdp_w +
        cluster.nodes * cluster.node.static_w + cluster.switch_count() * cluster.fabric.switch_w;
  }
  // The accountant keeps the instantaneous power of change-driven timelines from what the
  // services report.
  work_started.connect([this](double dynamic_w) { accountant_.work_started(dynamic_w); });
  work_ended.connect([this](double dynamic_w) { accountant_.work_ended(dynamic_w); });
}

double Core::now() {
  return sg4::Engine::get_clock();
}

void Core::set_power(int gpu, bool on) {
  auto* host = sim_.gpu_hosts[std::size_t(gpu)];
  if (host->is_on() == on) return;
  if (on)
    host->turn_on();
  else
    host->turn_off();
  accountant_.gpu_powered(allocation_.cluster_of_node(allocation_.node_of_gpu(gpu)), on);
}

void Core::acquire(std::span<const int> gpus) {
  allocation_.allocate(std::vector<int>(gpus.begin(), gpus.end()));
  for (int g : gpus) set_power(g, true);
}

void Core::release(std::span<const int> gpus, const void* by) {
  allocation_.release(std::vector<int>(gpus.begin(), gpus.end()));
  for (int g : gpus)
    if (parked_[std::size_t(g)]) set_power(g, false);
  gpus_released(by);
}

void Core::acquire_share(int gpu, int milli) {
  allocation_.allocate_share(gpu, milli);
  set_power(gpu, true);
}

void Core::release_share(int gpu, int milli, const void* by) {
  allocation_.release_share(gpu, milli);
  if (parked_[std::size_t(gpu)] && allocation_.gpu_free(gpu)) set_power(gpu, false);
  gpus_released(by);
}

void Core::acquire_host(int node, int cpu_milli, int memory_mib) {
  allocation_.allocate_host(node, cpu_milli, memory_mib);
}

void Core::release_host(int node, int cpu_milli, int memory_mib, const void* by) {
  allocation_.release_host(node, cpu_milli, memory_mib);
  gpus_released(by);
}

void Core::park(std::span<const int> gpus) {
  for (int g : gpus) {
    parked_[std::size_t(g)] = 1;
    if (allocation_.gpu_free(g)) set_power(g, false);
  }
}

void Core::unpark(std::span<const int> gpus) {
  for (int g : gpus) parked_[std::size_t(g)] = 0;
}

void Core::hold_for_run(std::span<const int> gpus) {
  for (int g : gpus)
    ++held_for_run_[std::size_t(allocation_.cluster_of_node(allocation_.node_of_gpu(g)))];
}

// An exception must not cross SimGrid's actor boundary (it aborts the process): keep the
// first, stop every actor, and rethrow it from run() once the engine has returned. SimGrid
// ends actors (daemons at the end of the run, the others after kill_all) by throwing
// ForcefulKillException through them: that one must pass.
void Core::guarded(const std::function<void()>& body) {
  try {
    body();
  } catch (const simgrid::ForcefulKillException&) {
    throw;
  } catch (...) {
    if (!error_) error_ = std::current_exception();
    sg4::Actor::kill_all();
  }
}

sg4::ActorPtr Core::spawn(const std::string& name, std::function<void()> body, bool daemon) {
  return sg4::Actor::create(name, sim_.controller, [this, body = std::move(body), daemon] {
    if (daemon) sg4::Actor::self()->daemonize();
    guarded(body);
  });
}

void Core::set_power_state(sg4::Host* host, int state) {
  if (host->get_pstate() != unsigned(state)) host->set_pstate(state);
}

void Core::meter_energy(double interval_s) {
  meter_ = std::make_unique<energy::FacilityMeter>(platform_, interval_s);
}

void Core::finish_meter(double end_s) {
  if (meter_) meter_->advance(end_s, accountant_.site_it_energy_j());
}

double Core::facility_factor() const {
  const double now = Core::now();
  const auto pue_of = [&](std::size_t s) {
    const auto& site = platform_.sites[s];
    return platform_.cooling_of(int(s)).pue_at(site.outdoor_c.empty() ? 0 : site.outdoor_c.at(now));
  };
  if (platform_.sites.size() == 1) return pue_of(0);
  double weighted = 0, total = 0;
  for (std::size_t s = 0; s < platform_.sites.size(); ++s) {
    weighted += site_peak_it_w_[s] * pue_of(s);
    total += site_peak_it_w_[s];
  }
  return total > 0 ? weighted / total : platform_.pue;
}

void Core::run() {
  if (meter_)
    spawn(
        "energy-meter",
        [this] {
          for (;;) {
            const double t = meter_->next_tick_after(Core::now());
            sg4::this_actor::sleep_until(t);
            meter_->advance(t, accountant_.site_it_energy_j());
          }
        },
        true);
  for (auto* service : services_) service->start(*this);
  session_.engine().run();
  if (error_) std::rethrow_exception(error_);
  for (auto* service : services_) service->finish();
}

}  // namespace suanli::sim
