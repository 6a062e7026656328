#pragma once
// Delivers batches of events to one log group, PutLogEvents first: the steady state and a day's
// new stream name cost no create call while the stream exists (created ahead of time, see
// stream_precreator, or by someone else). Only when the service answers ResourceNotFound does it
// create what is missing (the stream; the group too when that is missing) and retry the batch
// once, so a fleet starting at once on an existing group and stream makes no create call at all.
// Retention, log class, KMS key and tags are set only on a group this publisher creates (an
// existing group's settings are the owner's choice); failing to set retention is an ERROR line,
// never a reason to withhold heartbeats.
//
// Least privilege: an existing group needs only logs:CreateLogStream and logs:PutLogEvents, as
// CreateLogGroup is called only for a group the service says is missing. With create_group off
// it is never called; a missing group then fails the delivery with an error saying how to fix
// it (as does a denied CreateLogGroup), and the next delivery tries again.

#include <array>
#include <optional>
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

  // Creates the stream (and the group when it is missing). True when it was created, false when
  // it already existed (not an error).
  core::result<bool> prepare_stream(const std::string& stream);

  const std::string& log_group() const { return options_.log_group; }

 private:
  core::result<void> create_group();
  void apply_retention(int days) const;
  // The error for a group that does not exist and that we may not create.
  core::error missing_group(const core::error& cause, bool denied) const;

  const logs_client* client_;
  const logging::logger* log_;
  publisher_options options_;
};

}  // namespace cwp::cloudwatch
