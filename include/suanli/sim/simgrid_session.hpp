#pragma once
// The one SimGrid engine of this process, configured the way suanli runs: the resource models
// of the chosen execution model, the host energy plugin, cheap actor contexts, and SimGrid's
// own logging quiet (suanli reports through spdlog). Create it before building or loading a
// platform.
#include <memory>
#include <string_view>

namespace simgrid::s4u {
class Engine;
}

namespace suanli::sim {

// How a job's work is handed to SimGrid (docs/model.md):
//  - flows: one computation per GPU and one network flow per ring edge, on SimGrid's default
//    CPU model and the plain max-min network model (CM02, no TCP window, no cross-traffic),
//    both updated lazily: cost per event grows with the activities it touches.
//  - ptask: one parallel task per phase (host/model:ptask_L07), computation and traffic
//    progressing together at one rate; L07 re-solves every running task at every event.
enum class ExecModel { flows, ptask };

// "ptask" -> ptask, anything else -> flows (the CLI has checked the name already).
inline ExecModel exec_model_named(std::string_view name) {
  return name == "ptask" ? ExecModel::ptask : ExecModel::flows;
}

class SimgridSession {
 public:
  explicit SimgridSession(ExecModel model = ExecModel::flows);
  ~SimgridSession();
  SimgridSession(const SimgridSession&) = delete;
  SimgridSession& operator=(const SimgridSession&) = delete;

  simgrid::s4u::Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<simgrid::s4u::Engine> engine_;
};

}  // namespace suanli::sim
