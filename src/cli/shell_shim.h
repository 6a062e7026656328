#pragma once
// The image has no shell, but `/bin/sh` and `/bin/bash` in it are this binary under another
// name, so the replaced image's debugging advice (`docker run -it ... --entrypoint /bin/bash
// cloudwatch-publisher`) gets an answer saying what to do instead of a raw OCI "no such file"
// error: the debug image for a shell, `check` for a diagnosis. Nothing a shell would run is
// run; the exit code is a shell's "command not found", 127.

#include <optional>
#include <ostream>
#include <string_view>

namespace cwp::cli {

inline constexpr int shell_shim_exit_code = 127;

// When `argv0`'s base name is a shell's (sh, bash), writes the advice to `err` and returns 127;
// otherwise nullopt (run as cloudwatch-publisher).
std::optional<int> answer_as_shell(std::string_view argv0, std::ostream& err);

}  // namespace cwp::cli
