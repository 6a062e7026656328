#include "commands/startup.h"

#include "core/time_format.h"
#include "daemon/startup.h"

namespace cwp::commands {

using daemon::exit_code;

std::optional<exit_code> validate_environment(const config::settings& s,
                                              aws::credentials_provider& credentials,
                                              const logging::logger& log) {
  log.info("Starting CloudWatch Publisher container...");
  auto creds = credentials.get();
  if (!creds) {
    const core::error& e = creds.error();
    log.error(e.message);
    // Nothing configured (or configured wrongly) is a usage error; an identity provider that
    // refused us (STS AssumeRole*) rejected the credentials; anything else did not get through.
    if (e.code == core::errc::credentials || e.code == core::errc::invalid_argument) {
      return exit_code::usage;
    }
    return daemon::is_credentials_rejection(e) ? exit_code::credentials_rejected
                                               : exit_code::failed;
  }
  log.info("Environment validation successful (AWS_REGION=" + s.region + ")",
           {logging::kv("region_source", s.region_source),
            logging::kv("credentials_provider", creds->provider),
            logging::kv("credentials_expiration",
                        creds->expiration ? core::format_iso8601_seconds(*creds->expiration)
                                          : std::string("never")),
            logging::kv("logs_endpoint", s.logs_endpoint.url.origin()),
            logging::kv("log_group", s.log_group)});
  return std::nullopt;
}

daemon::aws_settings aws_settings_of(const config::settings& s) {
  return {.logs_endpoint = s.logs_endpoint, .sts_endpoint = s.sts_endpoint, .retry = s.retry};
}

cloudwatch::publisher_options publisher_options_of(const config::settings& s, bool with_retention) {
  return {.log_group = s.log_group,
          .retention_days = with_retention ? s.retention_days : std::nullopt,
          .group = s.log_group_options,
          .create_group = s.create_log_group};
}

}  // namespace cwp::commands
