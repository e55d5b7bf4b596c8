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
      held_for_run_(platform.clusters.size(), 0) {
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

void Core::run() {
  for (auto* service : services_) service->start(*this);
  session_.engine().run();
  if (error_) std::rethrow_exception(error_);
  for (auto* service : services_) service->finish();
}

}  // namespace suanli::sim
