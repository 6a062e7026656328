#include "daemon/startup.h"

#include "aws/retry.h"

namespace cwp::daemon {

bool is_credentials_rejection(const core::error& e) {
  if (e.code == core::errc::credentials) return true;
  if (e.code != core::errc::aws && e.code != core::errc::http) return false;
  if (aws::is_retryable(e)) return false;
  return e.http_status >= 400 && e.http_status < 500;
}

validation validate_credentials(const aws::sts_client& sts, const logging::logger& log,
                                std::string_view then, logging::level unreachable_level) {
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
  log.log(unreachable_level, "Could not reach AWS STS to validate credentials: " + e.message +
                                 ". Check network access to " +
                                 sts.transport_client().target().url.origin() +
                                 " (proxy, DNS, firewall)" + std::string(then));
  return validation::unreachable;
}

}  // namespace cwp::daemon
