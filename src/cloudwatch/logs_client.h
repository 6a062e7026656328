#pragma once
// The CloudWatch Logs operations we need, over the JSON 1.1 protocol. Request bodies are built
// and responses parsed by pure functions (tested without a network); logs_client sends them
// through a service_client.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aws/service_client.h"
#include "cloudwatch/log_group_options.h"

namespace cwp::cloudwatch {

struct log_event {
  std::int64_t timestamp_ms{0};  // milliseconds since the Unix epoch, UTC
  std::string message;
};

// What PutLogEvents stored. A 200 answer may still reject some events (rejectedLogEventsInfo):
// those are counted here and are never reported as delivered.
struct put_result {
  std::size_t accepted{0};
  std::size_t too_new{0};
  std::size_t too_old{0};
  std::size_t expired{0};
  std::size_t rejected() const { return too_new + too_old + expired; }
};

// With the options that are set: logGroupClass, kmsKeyId, tags.
std::string create_log_group_body(std::string_view group, const log_group_options& options = {});
std::string create_log_stream_body(std::string_view group, std::string_view stream);
std::string put_retention_policy_body(std::string_view group, int days);
// Events must already be in non-decreasing timestamp order (the service rejects the batch
// otherwise); invalid UTF-8 in messages is replaced with U+FFFD rather than failing.
std::string put_log_events_body(std::string_view group, std::string_view stream,
                                std::span<const log_event> events);
// Interprets a PutLogEvents answer for a batch of `sent` events.
core::result<put_result> parse_put_log_events(std::string_view body, std::size_t sent);

// One page of DescribeLogGroups / DescribeLogStreams: the names listed and the token of the
// next page (empty on the last page).
struct name_page {
  std::vector<std::string> names;
  std::string next_token;
};
std::string describe_log_groups_body(std::string_view prefix, std::string_view next_token);
std::string describe_log_streams_body(std::string_view group, std::string_view prefix,
                                      std::string_view next_token);
core::result<name_page> parse_describe_log_groups(std::string_view body);
core::result<name_page> parse_describe_log_streams(std::string_view body);

// What DescribeLogGroups says about one group.
struct log_group_info {
  std::string log_class;   // logGroupClass; "STANDARD" when the answer has none
  std::string kms_key_id;  // empty: not encrypted with a key of the owner's
};
// The group named `group` in one DescribeLogGroups page, if listed there.
core::result<std::optional<log_group_info>> parse_log_group_info(std::string_view body,
                                                                 std::string_view group);

class logs_client {
 public:
  explicit logs_client(aws::service_client client) : client_(std::move(client)) {}

  // Both return true when created, false when it already existed (not an error).
  core::result<bool> create_log_group(std::string_view group,
                                      const log_group_options& options = {}) const;
  core::result<bool> create_log_stream(std::string_view group, std::string_view stream) const;
  core::result<void> put_retention_policy(std::string_view group, int days) const;
  // Read-only existence checks (DescribeLogGroups / DescribeLogStreams with the name as
  // prefix, paging until the exact name shows up). A stream of a missing group does not exist.
  core::result<bool> log_group_exists(std::string_view group) const;
  // DescribeLogGroups, paged the same way: the group's class, or nullopt when it does not exist.
  core::result<std::optional<log_group_info>> describe_log_group(std::string_view group) const;
  core::result<bool> log_stream_exists(std::string_view group, std::string_view stream) const;
  // emf: mark the batch as Embedded Metric Format (x-amzn-logs-format: json/emf).
  core::result<put_result> put_log_events(std::string_view group, std::string_view stream,
                                          std::span<const log_event> events,
                                          bool emf = false) const;

  const aws::service_client& service() const { return client_; }

 private:
  core::result<http::response> call(std::string_view operation, std::string body,
                                    bool emf = false) const;
  aws::service_client client_;
};

}  // namespace cwp::cloudwatch
