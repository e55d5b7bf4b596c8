#pragma once
// A signal the core emits and any number of subscribers receive, in the order they
// connected (SimGrid's own xbt::signal has the same shape; this one keeps the core's headers
// free of xbt). Subscribers run synchronously, in the emitting actor.
#include <functional>
#include <utility>
#include <vector>

namespace suanli::sim {

template <class... Args>
class Signal {
 public:
  void connect(std::function<void(Args...)> slot) { slots_.push_back(std::move(slot)); }
  void operator()(Args... args) const {
    for (const auto& slot : slots_) slot(args...);
  }

 private:
  std::vector<std::function<void(Args...)>> slots_;
};

}  // namespace suanli::sim
