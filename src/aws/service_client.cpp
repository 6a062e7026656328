#include "aws/service_client.h"

#include <cstdio>

#include "aws/service_error.h"
#include "aws/sigv4.h"

namespace cwp::aws {
namespace {

std::string seconds_text(std::chrono::milliseconds d) {
  const auto tenths = (d.count() + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

std::string describe(const core::error& e) {
  if (!e.remote_code.empty()) return e.remote_code;
  return std::string(core::to_string(e.code));
}

}  // namespace

core::result<void> service_client::attempt_request(http::request& r,
                                                   const std::vector<http::header>& base,
                                                   std::string_view body_hash, bool sign,
                                                   credentials& used) const {
  r.headers = base;
  r.secrets.clear();
  r.target.scheme = endpoint_.url.scheme;
  r.target.host = endpoint_.url.host;
  r.target.port = endpoint_.url.port;
  r.target.path = endpoint_.url.path;
  r.set_header("Host", endpoint_.url.host_header());
  if (!sign) return {};
  auto creds = ctx_.credentials->get();
  if (!creds) return tl::unexpected(creds.error());
  used = *creds;
  sigv4::options opts;
  opts.body_hash = body_hash;
  sigv4::sign(r, used, sigv4::scope{endpoint_.signing_region, endpoint_.signing_name},
              ctx_.skew->now(), opts);
  // The signature, session token and Authorization are cut out of the answer by the
  // transport; the secret key is not in the request, so it is named here.
  r.secrets.push_back(used.secret_access_key);
  return {};
}

void service_client::back_off(std::string_view operation, int attempt,
                              const core::error& last) const {
  const auto delay = backoff_delay(ctx_.retry, attempt, ctx_.uniform01 ? ctx_.uniform01() : 0.5);
  if (ctx_.log != nullptr) {
    ctx_.log->warn(std::string(operation) + " attempt " + std::to_string(attempt) + "/" +
                       std::to_string(ctx_.retry.max_attempts) + " failed (" + describe(last) +
                       "), retrying in " + seconds_text(delay),
                   {logging::kv("error", last.message)});
  }
  ctx_.clock->sleep_for(delay);
}

core::result<http::response> service_client::call(std::string_view operation, http::request req,
                                                  bool sign) const {
  const int max_attempts = ctx_.retry.max_attempts;
  int last_retry_cost = 0;
  bool refreshed_credentials = false;
  bool corrected_clock = false;
  core::error last;
  const auto count_retry = [this] {
    if (ctx_.retries != nullptr) ctx_.retries->fetch_add(1);
  };

  const std::vector<http::header> base = req.headers;
  const std::vector<std::string> base_secrets = req.secrets;
  const std::string body_hash = sign ? sigv4::payload_hash(req.body) : std::string();
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    credentials used;
    if (auto ready = attempt_request(req, base, body_hash, sign, used); !ready) {
      return tl::unexpected(ready.error());
    }
    req.secrets.insert(req.secrets.end(), base_secrets.begin(), base_secrets.end());

    auto response = ctx_.transport->send(req, ctx_.timeouts);
    if (response) {
      const bool skew_changed = ctx_.skew->observe(*response);
      if (response->ok()) {
        ctx_.quota->release(last_retry_cost);
        return response;
      }
      last = parse_error_response(*response, operation);
      // A clock-skew answer while our clock was off: the offset is now corrected, so one
      // immediate re-signed attempt is the fix (not a backoff).
      if (sign && skew_changed && !corrected_clock && is_clock_skew_code(last.remote_code) &&
          attempt < max_attempts) {
        corrected_clock = true;
        count_retry();
        if (ctx_.log != nullptr) {
          ctx_.log->warn(std::string(operation) +
                             ": the local clock differs from AWS; signing with corrected time",
                         {logging::kv("clock_offset_ms",
                                      static_cast<long long>(ctx_.skew->offset().count()))});
        }
        continue;
      }
      // An expired or unknown token: refresh once; retry only if the provider now gives
      // different credentials (static keys would just fail the same way again).
      if (sign && !refreshed_credentials && is_expired_credentials_code(last.remote_code) &&
          attempt < max_attempts) {
        refreshed_credentials = true;
        ctx_.credentials->invalidate();
        auto fresh = ctx_.credentials->get();
        if (fresh && (fresh->access_key_id != used.access_key_id ||
                      fresh->session_token != used.session_token)) {
          if (ctx_.log != nullptr) {
            ctx_.log->warn(std::string(operation) + ": " + last.remote_code +
                           "; refreshed credentials, retrying");
          }
          count_retry();
          continue;
        }
        return tl::unexpected(last);
      }
    } else {
      last = response.error();
      last.message = std::string(operation) + " failed: " + last.message;
    }

    if (!is_retryable(last)) return tl::unexpected(last);
    if (attempt == max_attempts) break;
    last_retry_cost = ctx_.quota->acquire(last);
    if (last_retry_cost == 0) {
      last.message += " (not retried: retry quota exhausted by earlier failures)";
      return tl::unexpected(last);
    }
    back_off(operation, attempt, last);
    count_retry();
  }
  if (max_attempts > 1) {
    last.message += " after " + std::to_string(max_attempts) + " attempts";
  }
  return tl::unexpected(last);
}

}  // namespace cwp::aws
