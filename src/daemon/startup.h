#pragma once
// The replaced image's entrypoint checks, with its messages and service name: announce the
// start, validate the environment, validate the credentials against STS.

#include <optional>

#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "config/settings.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::daemon {

inline constexpr const char* entrypoint_service = "cloudwatch-publisher-entrypoint";
inline constexpr const char* publisher_service = "cloudwatch-publisher";

// Logs the start line and checks that credentials can be obtained. On failure logs an ERROR
// naming what is missing and returns the exit code to use.
std::optional<exit_code> validate_environment(const config::settings& s,
                                              aws::credentials_provider& credentials,
                                              const logging::logger& log);

enum class validation { valid, rejected, unreachable };

// GetCallerIdentity: "AWS credentials validated successfully", or an ERROR (rejected) /
// WARN-or-ERROR (unreachable, the caller decides) that says what AWS answered and what to check.
validation validate_credentials(const aws::sts_client& sts, const logging::logger& log,
                                bool unreachable_is_error);

// True when an STS answer means the credentials themselves are bad (not the network, not
// throttling): the daemon must not start with them.
bool is_credentials_rejection(const core::error& e);

}  // namespace cwp::daemon
