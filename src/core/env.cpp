#include "core/env.h"

#include <cstdlib>
#include <memory>

// POSIX, declared by no header this file includes.
extern char**
    environ;  // NOLINT(readability-redundant-declaration,cppcoreguidelines-avoid-non-const-global-variables)

namespace cwp::core {

std::optional<std::string> environment::non_empty(std::string_view name) const {
  auto v = get(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

environment process_environment() {
  return environment{[](std::string_view name) -> std::optional<std::string> {
                       const char* v =
                           std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
                       if (v == nullptr) return std::nullopt;
                       return std::string(v);
                     },
                     [] {
                       std::vector<std::string> out;
                       for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
                         const std::string_view entry(*e);
                         out.emplace_back(entry.substr(0, entry.find('=')));
                       }
                       return out;
                     }};
}

environment map_environment(std::map<std::string, std::string, std::less<>> vars) {
  auto shared =
      std::make_shared<const std::map<std::string, std::string, std::less<>>>(std::move(vars));
  return environment{[shared](std::string_view name) -> std::optional<std::string> {
                       const auto it = shared->find(name);
                       if (it == shared->end()) return std::nullopt;
                       return it->second;
                     },
                     [shared] {
                       std::vector<std::string> out;
                       out.reserve(shared->size());
                       for (const auto& [k, v] : *shared) out.push_back(k);
                       return out;
                     }};
}

}  // namespace cwp::core
