#pragma once
// The one simulation core (docs/architecture.md). It owns SimGrid's session and platform, the
// cluster's one allocation state (every GPU is free or held by one service: training jobs and
// serving replicas take GPUs from the same pool), the GPUs' power states, the energy
// accountant, the guard that keeps an exception from crossing SimGrid's actor boundary, and
// the signals through which services and subscribers meet. Services (sim/training_service,
// sim/serving_service) are started on it and know only their own logic. One core per
// process: SimGrid's engine is a process-wide singleton.
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <simgrid/forward.h>

#include "suanli/energy/accountant.hpp"
#include "suanli/energy/facility_meter.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/report/records.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sim/signal.hpp"
#include "suanli/sim/simgrid_platform.hpp"
#include "suanli/sim/simgrid_session.hpp"

namespace suanli::sim {

class Core;

// One lifecycle for everything that runs on the core: start() creates its actors (before the
// engine runs), finish() checks it ended as it should once the engine has returned.
class Service {
 public:
  virtual ~Service() = default;
  virtual void start(Core& core) = 0;
  virtual void finish() = 0;
};

class Core {
 public:
  Core(const platform::Platform& platform, const platform::Topology& topology,
       ExecModel exec_model);
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  const platform::Platform& platform() const { return platform_; }
  const SimPlatform& sim() const { return sim_; }
  ExecModel exec_model() const { return exec_model_; }
  energy::Accountant& accountant() { return accountant_; }
  const sched::AllocationState& allocation() const { return allocation_; }
  static double now();

  // --- the one pool of GPUs ---
  // Whole GPUs: acquire() holds them (each must be free) and powers on any that is off;
  // release() frees them, powers off those parked, and emits gpus_released(by).
  void acquire(std::span<const int> gpus);
  void release(std::span<const int> gpus, const void* by);
  // A share of one GPU (GPU sharing), in thousandths; powered on and off as above.
  void acquire_share(int gpu, int milli);
  void release_share(int gpu, int milli, const void* by);
  // A pod's CPUs (thousandths of a core) and memory (MiB) on one node (global index); the
  // release emits gpus_released(by), since freed CPUs or memory may let a pod start.
  void acquire_host(int node, int cpu_milli, int memory_mib);
  void release_host(int node, int cpu_milli, int memory_mib, const void* by);
  // A parked GPU is powered off whenever nobody holds it: the home GPUs of a replica that
  // autoscaling has turned off. park() powers off those of `gpus` that are free now.
  void park(std::span<const int> gpus);
  void unpark(std::span<const int> gpus);
  // GPUs a service will hold for the whole run (replicas that never scale down): others can
  // count on never having them.
  void hold_for_run(std::span<const int> gpus);
  int held_for_run_in_cluster(int cluster) const { return held_for_run_[std::size_t(cluster)]; }

  // --- signals ---
  // Whole GPUs or shares went back to the pool; `by` is the service that released them, so
  // that it can ignore its own.
  Signal<const void*> gpus_released;
  // Work began or ended, drawing `dynamic_w` watts above its GPUs' idle power.
  Signal<double> work_started;
  Signal<double> work_ended;
  // A timeline row is being made at row.time_s (the serving service's sampler, at instants
  // every replica has reached): each other service fills its own columns; then the row is
  // whole and goes out as timeline_row.
  Signal<report::TimelineSample&> timeline_sample;
  Signal<const report::TimelineSample&> timeline_row;
  // What the services report as the run goes, for the recorders (run_scenario connects them)
  // and any other subscriber: a training job that ended (completed, or rejected at the end),
  // the training cluster's state after a change, a request that ended (served or rejected).
  Signal<const report::JobRecord&> job_ended;
  Signal<const report::ClusterState&> training_state;
  Signal<const report::RequestRecord&> request_ended;

  // Puts a GPU host in a power state (energy/gpu_power.hpp) unless it is in it already: a
  // pstate change is a SimGrid speed change, which every model and plugin hears.
  static void set_power_state(simgrid::s4u::Host* host, int state);

  // --- facility energy ---
  // The facility meter closes an interval at every multiple of interval_s (and wherever a
  // site's climate, carbon or price series changes) while the engine runs; finish_meter closes
  // the last at the run's end. Call meter_energy before run().
  void meter_energy(double interval_s);
  void finish_meter(double end_s);
  const energy::FacilityMeter* meter() const { return meter_.get(); }
  // Facility power / IT power now, for timelines: the sites' PUE at this instant, weighted by
  // their peak IT power (exact for one site).
  double facility_factor() const;

  // --- actors and services ---
  // An actor on the controller host whose exception, if any, stops the simulation and is
  // rethrown by run(). A daemon ends when the last non-daemon actor does.
  simgrid::s4u::ActorPtr spawn(const std::string& name, std::function<void()> body,
                               bool daemon = false);
  // Runs `body` in the current actor under the same guard.
  void guarded(const std::function<void()>& body);
  void add(Service& service) { services_.push_back(&service); }
  // Starts every service, runs the engine to the end, rethrows the first error, then lets
  // every service check how it ended.
  void run();

 private:
  void set_power(int gpu, bool on);

  const platform::Platform& platform_;
  ExecModel exec_model_;
  SimgridSession session_;                   // before anything SimGrid
  std::vector<energy::ClusterPower> power_;  // before the hosts built with its power states
  SimPlatform sim_;
  energy::Accountant accountant_;
  sched::AllocationState allocation_;
  std::vector<std::uint8_t> parked_;
  std::vector<int> held_for_run_;
  std::vector<Service*> services_;
  std::unique_ptr<energy::FacilityMeter> meter_;
  std::vector<double> site_peak_it_w_;
  std::exception_ptr error_;
};

}  // namespace suanli::sim
