#include "cloudwatch/publisher.h"

#include <algorithm>
#include <charconv>

namespace cwp::cloudwatch {

core::result<int> parse_retention_days(std::string_view text) {
  int days = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
  const bool number = ec == std::errc{} && end == text.data() + text.size();
  if (!number || std::find(allowed_retention_days.begin(), allowed_retention_days.end(), days) ==
                     allowed_retention_days.end()) {
    std::string allowed;
    for (const int d : allowed_retention_days) {
      allowed += (allowed.empty() ? "" : ", ") + std::to_string(d);
    }
    return core::fail(core::errc::invalid_argument,
                      "'" + std::string(text) +
                          "' is not a retention CloudWatch Logs accepts; use one of " + allowed +
                          " (days)");
  }
  return days;
}

void publisher::apply_retention(int days) const {
  const auto set = client_->put_retention_policy(options_.log_group, days);
  if (set) {
    log_->info("Set the log group's retention to " + std::to_string(days) + " days",
               {logging::kv("log_group", options_.log_group)});
    return;
  }
  log_->error("Could not set the log group's retention: " + set.error().message,
              {logging::kv("log_group", options_.log_group),
               logging::kv("retention_days", static_cast<long long>(days)),
               logging::kv("error_code", set.error().remote_code)});
}

core::result<void> publisher::ensure_group() {
  if (group_ready_) return {};
  if (!options_.create_group || create_denied_) {  // the stream's creation tells if it exists
    group_ready_ = true;
    return {};
  }
  auto created = client_->create_log_group(options_.log_group, options_.group);
  if (!created) {
    const auto& code = created.error().remote_code;
    if (code != "AccessDeniedException" && code != "AccessDenied") {
      return tl::unexpected(created.error());
    }
    create_denied_ = true;
    log_->info(
        "Not allowed to create the log group (logs:CreateLogGroup); publishing to it as "
        "an existing group",
        {logging::kv("log_group", options_.log_group)});
    group_ready_ = true;
    return {};
  }
  if (*created) {
    log_->info("Created log group", {logging::kv("log_group", options_.log_group)});
    if (options_.retention_days) apply_retention(*options_.retention_days);
  }
  group_ready_ = true;
  return {};
}

core::error publisher::missing_group(const core::error& not_found) const {
  core::error e = not_found;
  const std::string why = create_denied_ ? "we are not allowed to create it (logs:CreateLogGroup)"
                                         : "creating it is turned off (CWP_CREATE_LOG_GROUP=false)";
  e.message = "the log group " + options_.log_group + " does not exist and " + why +
              ": create it (aws logs create-log-group --log-group-name " + options_.log_group +
              "), or let the publisher create it (CWP_CREATE_LOG_GROUP=true and "
              "logs:CreateLogGroup); " +
              not_found.message;
  return e;
}

core::result<void> publisher::ensure_stream(const std::string& stream) {
  if (streams_ready_.contains(stream)) return {};
  if (auto g = ensure_group(); !g) return g;
  auto created = client_->create_log_stream(options_.log_group, stream);
  if (!created) {
    if (created.error().remote_code != "ResourceNotFoundException") {
      return tl::unexpected(created.error());
    }
    if (!options_.create_group || create_denied_) {
      return tl::unexpected(missing_group(created.error()));
    }
    // The group vanished since we cached it: create it again, then the stream.
    group_ready_ = false;
    if (auto g = ensure_group(); !g) return g;
    created = client_->create_log_stream(options_.log_group, stream);
    if (!created && created.error().remote_code == "ResourceNotFoundException" && create_denied_) {
      return tl::unexpected(missing_group(created.error()));
    }
    if (!created) return tl::unexpected(created.error());
  }
  if (*created) {
    log_->info("Created log stream",
               {logging::kv("log_group", options_.log_group), logging::kv("log_stream", stream)});
  }
  streams_ready_.insert(stream);
  return {};
}

core::result<put_result> publisher::publish(const std::string& stream,
                                            std::span<const log_event> events, bool emf) {
  if (auto ready = ensure_stream(stream); !ready) return tl::unexpected(ready.error());
  auto result = client_->put_log_events(options_.log_group, stream, events, emf);
  if (!result && result.error().remote_code == "ResourceNotFoundException") {
    group_ready_ = false;
    streams_ready_.erase(stream);
    if (auto ready = ensure_stream(stream); !ready) return tl::unexpected(ready.error());
    result = client_->put_log_events(options_.log_group, stream, events, emf);
  }
  return result;
}

}  // namespace cwp::cloudwatch
