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

core::result<void> publisher::create_group() {
  auto created = client_->create_log_group(options_.log_group, options_.group);
  if (!created) {
    const auto& code = created.error().remote_code;
    if (code == "AccessDeniedException" || code == "AccessDenied") {
      return tl::unexpected(missing_group(created.error(), /*denied=*/true));
    }
    return tl::unexpected(created.error());
  }
  if (*created) {
    log_->info("Created log group", {logging::kv("log_group", options_.log_group)});
    if (options_.retention_days) apply_retention(*options_.retention_days);
  }
  return {};
}

core::error publisher::missing_group(const core::error& cause, bool denied) const {
  core::error e = cause;
  const std::string why = denied ? "we are not allowed to create it (logs:CreateLogGroup)"
                                 : "creating it is turned off (CWP_CREATE_LOG_GROUP=false)";
  e.message = "the log group " + options_.log_group + " does not exist and " + why +
              ": create it (aws logs create-log-group --log-group-name " + options_.log_group +
              "), or let the publisher create it (CWP_CREATE_LOG_GROUP=true and "
              "logs:CreateLogGroup); " +
              cause.message;
  return e;
}

core::result<bool> publisher::prepare_stream(const std::string& stream) {
  auto created = client_->create_log_stream(options_.log_group, stream);
  if (!created && created.error().remote_code == "ResourceNotFoundException") {
    // No such group (yet, or deleted behind our back): create it, then the stream.
    if (!options_.create_group) return tl::unexpected(missing_group(created.error(), false));
    if (auto g = create_group(); !g) return tl::unexpected(g.error());
    created = client_->create_log_stream(options_.log_group, stream);
  }
  if (!created) return tl::unexpected(created.error());
  if (*created) {
    log_->info("Created log stream",
               {logging::kv("log_group", options_.log_group), logging::kv("log_stream", stream)});
  }
  return created;
}

core::result<put_result> publisher::publish(const std::string& stream,
                                            std::span<const log_event> events, bool emf) {
  auto result = client_->put_log_events(options_.log_group, stream, events, emf);
  if (!result && result.error().remote_code == "ResourceNotFoundException") {
    if (auto ready = prepare_stream(stream); !ready) return tl::unexpected(ready.error());
    result = client_->put_log_events(options_.log_group, stream, events, emf);
  }
  return result;
}

}  // namespace cwp::cloudwatch
