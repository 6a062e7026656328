#include "config/health_path.h"

namespace cwp::config {

std::string default_health_file(const core::environment& env, unsigned effective_uid) {
  std::string runtime_dir = "/run";
  if (effective_uid != 0) {
    if (auto xdg = env.non_empty("XDG_RUNTIME_DIR"); xdg && xdg->starts_with('/')) {
      runtime_dir = *xdg;
    }
  }
  while (runtime_dir.size() > 1 && runtime_dir.ends_with('/')) runtime_dir.pop_back();
  return runtime_dir + (runtime_dir == "/" ? "" : "/") + health_dir_name + "/health.json";
}

}  // namespace cwp::config
