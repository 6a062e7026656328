#include "cloudwatch/log_group_options.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace cwp::cloudwatch {
namespace {

core::error invalid(std::string message) {
  return core::error{core::errc::invalid_argument, std::move(message)};
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// Characters, not bytes: the limits count UTF-8 characters.
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

// Letters, digits and spaces in any script are allowed: bytes of non-ASCII characters pass.
bool allowed_tag_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80U || std::isalnum(u) != 0 ||
           std::string_view(" _.:/=+-@").find(c) != std::string_view::npos;
  });
}

core::result<void> validate_tag(std::string_view key, std::string_view value) {
  const std::string quoted = "'" + std::string(key) + "'";
  if (key.empty()) return tl::unexpected(invalid("a tag has an empty key"));
  if (characters(key) > max_tag_key_length) {
    return tl::unexpected(invalid("tag key " + quoted + " is longer than 128 characters"));
  }
  if (key.starts_with("aws:")) {
    return tl::unexpected(invalid("tag key " + quoted + " starts with 'aws:', which is reserved"));
  }
  if (characters(value) > max_tag_value_length) {
    return tl::unexpected(invalid("the value of tag " + quoted + " is longer than 256 characters"));
  }
  if (!allowed_tag_text(key) || !allowed_tag_text(value)) {
    return tl::unexpected(invalid("tag " + quoted +
                                  " has a character tags cannot hold (allowed: letters, digits, "
                                  "spaces and _ . : / = + - @)"));
  }
  return {};
}

}  // namespace

std::string_view to_string(log_group_class c) {
  return c == log_group_class::infrequent_access ? "INFREQUENT_ACCESS" : "STANDARD";
}

core::result<log_group_class> parse_log_group_class(std::string_view text) {
  if (text == "STANDARD") return log_group_class::standard;
  if (text == "INFREQUENT_ACCESS") return log_group_class::infrequent_access;
  if (text == "DELIVERY") {
    return tl::unexpected(invalid(
        "'DELIVERY' log groups only take logs that AWS services deliver, not PutLogEvents: use "
        "STANDARD or INFREQUENT_ACCESS"));
  }
  return tl::unexpected(
      invalid("'" + std::string(text) + "' is not a log class: use STANDARD or INFREQUENT_ACCESS"));
}

core::result<std::map<std::string, std::string>> parse_log_group_tags(std::string_view text) {
  std::map<std::string, std::string> tags;
  for (bool more = true; more;) {
    const auto comma = text.find(',');
    more = comma != std::string_view::npos;
    const std::string_view item = text.substr(0, comma);
    text = more ? text.substr(comma + 1) : std::string_view{};
    const auto equals = item.find('=');
    if (equals == std::string_view::npos) {
      return tl::unexpected(invalid("'" + std::string(trim(item)) +
                                    "' is not key=value (tags are key=value,key=value)"));
    }
    const auto key = trim(item.substr(0, equals));
    const auto value = trim(item.substr(equals + 1));
    if (auto ok = validate_tag(key, value); !ok) return tl::unexpected(ok.error());
    if (!tags.emplace(key, value).second) {
      return tl::unexpected(invalid("tag key '" + std::string(key) + "' is given twice"));
    }
  }
  if (tags.size() > max_tags) {
    return tl::unexpected(
        invalid(std::to_string(tags.size()) + " tags: a log group holds at most 50"));
  }
  return tags;
}

core::result<std::string> validate_kms_key_id(std::string_view text) {
  static const std::regex key_arn(R"(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+)");
  if (text.size() <= 256 && std::regex_match(text.begin(), text.end(), key_arn)) {
    return std::string(text);
  }
  return tl::unexpected(invalid(
      "'" + std::string(text) +
      "' is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; CloudWatch Logs "
      "takes neither aliases nor bare key ids here)"));
}

}  // namespace cwp::cloudwatch
