#pragma once
// Where `run` writes its health file and `health` reads it when CWP_HEALTH_FILE is not set:
// a runtime directory only its user can write to, never a world-writable one such as /tmp
// (where anyone could plant the file, or a link in its place, before the daemon starts).

#include <string>

#include "core/env.h"

namespace cwp::config {

// The runtime directory's subdirectory (created 0700 by `run` when missing).
inline constexpr const char* health_dir_name = "cloudwatch-publisher";

// root: /run/cloudwatch-publisher/health.json (a root login session's XDG_RUNTIME_DIR is
// ignored, so a service and an operator's shell agree). Other users:
// $XDG_RUNTIME_DIR/cloudwatch-publisher/health.json when XDG_RUNTIME_DIR is an absolute path,
// else /run/cloudwatch-publisher/health.json (the directory a service manager creates for the
// service's user, e.g. systemd's RuntimeDirectory=cloudwatch-publisher).
std::string default_health_file(const core::environment& env, unsigned effective_uid);

}  // namespace cwp::config
