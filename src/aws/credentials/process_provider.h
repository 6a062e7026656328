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

  // `env` is both the child's environment and where PATH is looked up.
  process_provider(std::string command, std::string profile_name, core::environment env, limits l)
      : command_(std::move(command)),
        profile_(std::move(profile_name)),
        env_(std::move(env)),
        limits_(l) {}
  process_provider(std::string command, std::string profile_name, core::environment env)
      : process_provider(std::move(command), std::move(profile_name), std::move(env), limits{}) {}

  // Fails with errc::credentials naming the profile: the command cannot be split or found, exits
  // non-zero, is killed at the deadline, prints too much, or prints something other than a
  // Version 1 credentials document.
  core::result<credentials> get() override;

 private:
  std::string command_;
  std::string profile_;
  core::environment env_;
  limits limits_;
};

}  // namespace cwp::aws
