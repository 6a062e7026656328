#pragma once
// The environment seam: configuration reads variables through an injected lookup so tests pass
// a map instead of calling setenv.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cwp::core {

struct environment {
  // Value of a variable; nullopt when unset. An empty value is returned as "".
  std::function<std::optional<std::string>(std::string_view)> get;
  // Names of every variable that is set (to report unknown CWP_ settings).
  std::function<std::vector<std::string>()> names;

  // Returns the value when set and non-empty.
  std::optional<std::string> non_empty(std::string_view name) const;
};

// The process environment.
environment process_environment();
// A fixed map: for tests and for sub-configurations.
environment map_environment(std::map<std::string, std::string, std::less<>> vars);

}  // namespace cwp::core
