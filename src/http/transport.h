#pragma once
// The transport seam: one virtual round trip behind a send() that every caller goes through.
// Production uses the Boost.Beast transport; tests use a scripted fake that records requests
// and replays canned responses and failures.

#include <chrono>
#include <string>

#include "core/error.h"
#include "http/message.h"

namespace cwp::http {

struct send_options {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{5}};
  // Whole request deadline (connect + TLS + write + read).
  std::chrono::milliseconds request_timeout{std::chrono::seconds{15}};
};

class transport {
 public:
  transport() = default;
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;
  transport(transport&&) = delete;
  transport& operator=(transport&&) = delete;
  virtual ~transport() = default;

  // Sends one request and returns the response, whatever its status, with every live secret of
  // the request (secret_set::of(req): credential headers and req.secrets) replaced by
  // "[redacted]" in the response's headers and body: servers quote requests back in error
  // messages, and no code (error text, log line, `check` report) may ever see that. Fails with
  // errc::network (refused, reset, DNS, truncated response), errc::timeout or errc::tls; the
  // error message names the host but never a header value.
  core::result<response> send(const request& req, const send_options& options);

 private:
  // The exchange itself, returning the server's answer as it came.
  virtual core::result<response> round_trip(const request& req, const send_options& options) = 0;
};

}  // namespace cwp::http
