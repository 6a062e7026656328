#pragma once
// The credentials chain: asks each source in order whether it is configured and takes the
// first configured one, as the SDKs do. A configured source that fails ends the search with its
// own error (half-set variables are a mistake to report, not to skip). When nothing is
// configured, the error lists every source tried and why it did not apply.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"

namespace cwp::aws {

class chain_provider final : public credentials_provider {
 public:
  struct link {
    std::string name;  // "environment", "web identity", ...
    std::unique_ptr<credentials_provider> provider;
    // Why the source does not apply (the chain moves on), or nullopt when it is configured (the
    // chain stops at it). Empty function: always configured.
    std::function<std::optional<std::string>()> not_configured;
    // For the last resort, instance metadata: a failure means "not here" rather than a
    // misconfiguration, so it joins the "tried ..." list instead of being returned alone.
    bool failure_is_absence{false};
  };

  explicit chain_provider(std::vector<link> links) : links_(std::move(links)) {}

  // Sources are consulted afresh on every call (a caching_provider above makes calls rare), so a
  // changed environment is seen at the next refresh.
  core::result<credentials> get() override;
  void invalidate() override;

 private:
  std::vector<link> links_;
};

}  // namespace cwp::aws
