#pragma once
// Delivers batches of events to one log group: creates the group and each stream once per name
// (cached), so the steady state is a single PutLogEvents call per batch; when the service says
// a group or stream is gone (deleted behind our back), re-creates it and retries once.
// Retention, log class, KMS key and tags are set only on a group this publisher creates (an
// existing group's settings are the owner's choice); failing to set retention is an ERROR line,
// never a reason to withhold heartbeats.
//
// Least privilege: with create_group off, CreateLogGroup is never called; when it is on but
// denied (a policy for a pre-created group has no logs:CreateLogGroup), the group is taken to
// exist. Either way a group that turns out to be missing (CreateLogStream or PutLogEvents answer
// ResourceNotFoundException) fails the delivery with an error saying how to fix it, and the
// next delivery tries again.

#include <array>
#include <optional>
#include <set>
#include <span>
#include <string>

#include "cloudwatch/log_group_options.h"
#include "cloudwatch/logs_client.h"
#include "logging/logger.h"

namespace cwp::cloudwatch {

struct publisher_options {
  std::string log_group{};
  std::optional<int> retention_days{};  // applied when we create the group
  log_group_options group{};            // class, KMS key, tags: applied when we create the group
  bool create_group{true};              // false: never call CreateLogGroup
};

// The retentionInDays values PutRetentionPolicy accepts (service rule).
inline constexpr std::array<int, 22> allowed_retention_days = {
    1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
    365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

// The value of CWP_RETENTION_DAYS as a number of days CloudWatch Logs accepts.
core::result<int> parse_retention_days(std::string_view text);

class publisher {
 public:
  publisher(const logs_client& client, const logging::logger& log, publisher_options options)
      : client_(&client), log_(&log), options_(std::move(options)) {}

  core::result<put_result> publish(const std::string& stream, std::span<const log_event> events,
                                   bool emf = false);

  // Creates the group and stream when not known to exist yet.
  core::result<void> ensure_stream(const std::string& stream);

  const std::string& log_group() const { return options_.log_group; }

 private:
  core::result<void> ensure_group();
  void apply_retention(int days) const;
  // The error for a group that does not exist and that we may not create.
  core::error missing_group(const core::error& not_found) const;

  const logs_client* client_;
  const logging::logger* log_;
  publisher_options options_;
  bool group_ready_{false};
  bool create_denied_{false};  // CreateLogGroup answered AccessDenied
  std::set<std::string, std::less<>> streams_ready_;
};

}  // namespace cwp::cloudwatch
