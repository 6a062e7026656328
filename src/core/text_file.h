#pragma once
// Reading the small text files the daemon depends on (shared config, token files, a CA
// bundle), close-on-exec and with a size bound so a wrong path (a device, a log file) cannot
// exhaust memory.

#include <cstddef>
#include <optional>
#include <string>

#include "core/env.h"
#include "core/error.h"

namespace cwp::core {

// The contents of `path`; nullopt when it does not exist. Fails with errc::io naming the path
// when it exists but cannot be read or is bigger than `max_bytes`.
result<std::optional<std::string>> read_text_file(const std::string& path, std::size_t max_bytes);

// Expands a leading "~/" (or a lone "~") with HOME from `env`; nullopt when HOME is needed but
// unset. Other paths are returned unchanged.
std::optional<std::string> expand_home(const std::string& path, const environment& env);

}  // namespace cwp::core
