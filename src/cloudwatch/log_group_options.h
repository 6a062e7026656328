#pragma once
// What a log group is created with besides its name: log class, KMS key and tags
// (CreateLogGroup,
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
// They apply only when we create the group: an existing group is never changed.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cwp::cloudwatch {

// The log classes a publisher's group may have. DELIVERY exists too, but such a group only
// takes logs AWS services deliver, never PutLogEvents.
enum class log_group_class { standard, infrequent_access };

std::string_view to_string(log_group_class c);  // "STANDARD", "INFREQUENT_ACCESS"
// Parses a logGroupClass as the API spells it.
core::result<log_group_class> parse_log_group_class(std::string_view text);

struct log_group_options {
  std::optional<log_group_class> log_class;  // unset: the service's default (STANDARD)
  std::string kms_key_id;                    // a KMS key ARN; empty: none
  std::map<std::string, std::string> tags;   // at most max_tags
};

// Tag rules of CloudWatch Logs (CreateLogGroup, TagResource): at most 50 tags; a key is 1-128
// characters, a value 0-256, both letters, digits, spaces and `_ . : / = + - @`; keys do not
// start with "aws:" (reserved for AWS).
inline constexpr std::size_t max_tags = 50;
inline constexpr std::size_t max_tag_key_length = 128;
inline constexpr std::size_t max_tag_value_length = 256;

// "team=platform,env=prod": key=value pairs separated by commas; blanks around keys and values
// are removed; a value may be empty ("key="), a key may not repeat.
core::result<std::map<std::string, std::string>> parse_log_group_tags(std::string_view text);

// A KMS key ARN as CreateLogGroup takes it: arn:<partition>:kms:<region>:<account>:key/<id>
// (not an alias, not a bare key id), at most 256 characters.
core::result<std::string> validate_kms_key_id(std::string_view text);

}  // namespace cwp::cloudwatch
