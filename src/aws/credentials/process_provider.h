#pragma once
// Credentials printed by an external command (a profile's credential_process). The command line
// is split into argv with shell-like quoting and executed directly (the image has no shell), with
// the given environment, stdin from /dev/null, stderr passed through and stdout captured (bounded,
// with a deadline). Its output is never echoed in errors: it holds the secret.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "core/child_registry.h"
#include "core/env.h"

namespace cwp::aws {

// Splits a command line as POSIX shlex does: blanks separate words; '...' is literal; inside
// "..." a backslash escapes only \ " $ ` and newline; elsewhere a backslash escapes any
// character. Fails with errc::invalid_argument on an unterminated quote or an empty command.
core::result<std::vector<std::string>> split_command_line(std::string_view command);

class process_provider final : public credentials_provider {
 public:
  struct limits {
    // The Go SDK's default; botocore waits forever, which a daemon cannot afford.
    std::chrono::milliseconds timeout{std::chrono::minutes{1}};
    // A credentials document is well under 4 KiB.
    std::size_t max_output_bytes{std::size_t{64} * 1024};
  };

  // `env` is both the child's environment and where PATH is looked up. The command is spawned
  // registered in `children` (which must outlive the provider), so a reaper leaves its exit
  // status to us.
  process_provider(std::string command, std::string profile_name, core::environment env,
                   core::child_registry& children, limits l)
      : command_(std::move(command)),
        profile_(std::move(profile_name)),
        env_(std::move(env)),
        children_(&children),
        limits_(l) {}
  process_provider(std::string command, std::string profile_name, core::environment env,
                   core::child_registry& children)
      : process_provider(std::move(command), std::move(profile_name), std::move(env), children,
                         limits{}) {}

  // Fails with errc::credentials naming the profile: the command cannot be split or found, exits
  // non-zero, is killed at the deadline, prints too much, prints something other than a
  // Version 1 credentials document, or its exit status cannot be known.
  core::result<credentials> get() override;

 private:
  std::string command_;
  std::string profile_;
  core::environment env_;
  core::child_registry* children_;
  limits limits_;
};

}  // namespace cwp::aws
