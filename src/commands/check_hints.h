#pragma once
// How `check` reads a failure and what it tells the operator to do about it: which answers mean
// "denied", "unreachable" or "these credentials are bad", and the remediation hint for each.
// Hints name settings, actions and masked key ids; never a secret.

#include <string>
#include <string_view>

#include "aws/endpoints.h"
#include "core/error.h"

namespace cwp::commands {

// The actions a heartbeat needs (publishing calls CreateLogGroup and CreateLogStream once per
// process and stream; "already exists" is fine). A pre-created group needs only the last two
// (CreateLogGroup denied is taken to mean the group exists; CWP_CREATE_LOG_GROUP=false skips it).
inline constexpr const char* publishing_actions =
    "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents";
inline constexpr const char* existing_group_actions = "logs:CreateLogStream and logs:PutLogEvents";

bool is_access_denied(const core::error& e);
// The network, DNS, TLS or a timeout: nothing useful came back.
bool is_unreachable(const core::error& e);
// Answers about the credentials themselves (not about permissions or the request).
bool is_rejected_credentials_code(std::string_view code);

// What to do when `ep` could not be reached; `override_variable` moves that one endpoint.
std::string unreachable_hint(const core::error& e, const aws::endpoint& ep,
                             std::string_view override_variable);
// What to do when AWS refused the credentials themselves.
std::string rejected_hint(const core::error& e, std::string_view masked_key);
// What to do when no credentials source is configured.
std::string no_credentials_hint();

// The log-group ARN an IAM policy grants the publishing actions on:
// arn:<partition>:logs:<region>:<account>:log-group:<group>:*
std::string log_group_arn(std::string_view partition, std::string_view region,
                          std::string_view account, std::string_view group);

// "AKIAIOSFODNN7EXAMPLE" -> "****MPLE": enough to tell keys apart, as `aws configure list`.
std::string mask_access_key(std::string_view access_key_id);

}  // namespace cwp::commands
