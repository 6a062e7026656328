#pragma once
// The replaced image's credentials check against STS, with its messages, and the services our
// log lines name.

#include <optional>

#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::daemon {

inline constexpr const char* entrypoint_service = "cloudwatch-publisher-entrypoint";
inline constexpr const char* publisher_service = "cloudwatch-publisher";

enum class validation { valid, rejected, unreachable };

// GetCallerIdentity: "AWS credentials validated successfully", or an ERROR (rejected) /
// WARN-or-ERROR (unreachable, the caller decides) that says what AWS answered and what to check.
validation validate_credentials(const aws::sts_client& sts, const logging::logger& log,
                                bool unreachable_is_error);

// True when an STS answer means the credentials themselves are bad (not the network, not
// throttling): the daemon must not start with them.
bool is_credentials_rejection(const core::error& e);

}  // namespace cwp::daemon
