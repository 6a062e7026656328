#pragma once
// The replaced image's credentials check against STS, with its messages, and the services our
// log lines name.

#include <optional>
#include <string_view>

#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::daemon {

inline constexpr const char* entrypoint_service = "cloudwatch-publisher-entrypoint";
inline constexpr const char* publisher_service = "cloudwatch-publisher";

enum class validation { valid, rejected, unreachable };

// GetCallerIdentity, a diagnostic: "AWS credentials validated successfully", or an ERROR when
// AWS rejected the credentials (the caller exits 3), or, when STS did not answer (network,
// timeout, throttling, 5xx), a line at `unreachable_level` that says what to check, followed by
// `then` (what the caller does meanwhile). An unreachable STS never stops delivery: CloudWatch
// Logs may be reachable when STS is not (a VPC endpoint for Logs only).
validation validate_credentials(const aws::sts_client& sts, const logging::logger& log,
                                std::string_view then,
                                logging::level unreachable_level = logging::level::warn);

// True when an STS answer means the credentials themselves are bad (not the network, not
// throttling): the daemon must not start with them.
bool is_credentials_rejection(const core::error& e);

}  // namespace cwp::daemon
