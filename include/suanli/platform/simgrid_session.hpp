#pragma once
// The one SimGrid engine of this process, configured the way suanli runs: parallel tasks
// (ptask_L07), the host energy plugin, cheap actor contexts, and SimGrid's own logging quiet
// (suanli reports through spdlog). Create it before building or loading a platform.
#include <memory>

namespace simgrid::s4u {
class Engine;
}

namespace suanli::platform {

class SimgridSession {
 public:
  SimgridSession();
  ~SimgridSession();
  SimgridSession(const SimgridSession&) = delete;
  SimgridSession& operator=(const SimgridSession&) = delete;

  simgrid::s4u::Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<simgrid::s4u::Engine> engine_;
};

}  // namespace suanli::platform
