#pragma once
// AWS credentials and the provider interface every credential source implements.

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"

namespace cwp::aws {

struct credentials {
  std::string access_key_id;
  std::string secret_access_key;             // never logged
  std::string session_token;                 // never logged; empty for long-term keys
  std::optional<core::sys_time> expiration;  // empty = does not expire
  std::string provider;                      // which source supplied them, e.g. "environment"
};

class credentials_provider {
 public:
  credentials_provider() = default;
  credentials_provider(const credentials_provider&) = delete;
  credentials_provider& operator=(const credentials_provider&) = delete;
  credentials_provider(credentials_provider&&) = delete;
  credentials_provider& operator=(credentials_provider&&) = delete;
  virtual ~credentials_provider() = default;

  // Current credentials, or errc::credentials saying what was looked at and why it failed.
  virtual core::result<credentials> get() = 0;
  // Forget cached credentials (after an expired-token answer) so the next get() refreshes.
  virtual void invalidate() {}
};

}  // namespace cwp::aws
