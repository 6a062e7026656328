#pragma once
// Process exit codes: documented in the README's "Exit codes" table.

namespace cwp::daemon {

enum class exit_code : int {
  ok = 0,
  failed = 1,                // the heartbeat (or message) was not delivered; AWS unreachable
  usage = 2,                 // bad flag, bad setting, missing credentials configuration
  credentials_rejected = 3,  // AWS answered that the credentials are not valid
  internal = 70,             // a bug: an unexpected exception (EX_SOFTWARE)
};

inline int to_int(exit_code c) { return static_cast<int>(c); }

}  // namespace cwp::daemon
