#include "core/owned_children.h"

#include <mutex>
#include <set>

namespace cwp::core {
namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::set<pid_t>& registry() {
  static std::set<pid_t> pids;
  return pids;
}

}  // namespace

void own_child(pid_t pid) {
  const std::lock_guard lock(registry_mutex());
  registry().insert(pid);
}

void disown_child(pid_t pid) {
  const std::lock_guard lock(registry_mutex());
  registry().erase(pid);
}

bool is_owned_child(pid_t pid) {
  const std::lock_guard lock(registry_mutex());
  return registry().contains(pid);
}

}  // namespace cwp::core
