#include "daemon/startup.h"

#include "aws/retry.h"
#include "core/time_format.h"

namespace cwp::daemon {

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
    return is_credentials_rejection(e) ? exit_code::credentials_rejected : exit_code::failed;
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

bool is_credentials_rejection(const core::error& e) {
  if (e.code == core::errc::credentials) return true;
  if (e.code != core::errc::aws && e.code != core::errc::http) return false;
  if (aws::is_retryable(e)) return false;
  return e.http_status >= 400 && e.http_status < 500;
}

validation validate_credentials(const aws::sts_client& sts, const logging::logger& log,
                                bool unreachable_is_error) {
  auto id = sts.get_caller_identity();
  if (id) {
    log.info("AWS credentials validated successfully",
             {logging::kv("account", id->account), logging::kv("arn", id->arn)});
    return validation::valid;
  }
  const core::error& e = id.error();
  if (is_credentials_rejection(e)) {
    log.error("AWS credentials validation failed: " + e.message +
                  ". Check that AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY belong to the same "
                  "active access key, that a session token has not expired, and that the host "
                  "clock is correct",
              {logging::kv("error_code", e.remote_code)});
    return validation::rejected;
  }
  const std::string message = "Could not reach AWS STS to validate credentials: " + e.message +
                              ". Check network access to " +
                              sts.transport_client().target().url.origin() +
                              " (proxy, DNS, firewall)";
  if (unreachable_is_error) {
    log.error(message);
  } else {
    log.warn(message + "; will keep heartbeats and validate when AWS answers");
  }
  return validation::unreachable;
}

}  // namespace cwp::daemon
