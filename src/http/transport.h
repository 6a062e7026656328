#pragma once
// The transport seam: one virtual send. Production uses the Boost.Beast transport; tests use a
// scripted fake that records requests and replays canned responses and failures.

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

  // Sends one request and returns the response, whatever its status. Fails with
  // errc::network (refused, reset, DNS, truncated response), errc::timeout or errc::tls;
  // the error message names the host but never a header value.
  virtual core::result<response> send(const request& req, const send_options& options) = 0;
};

}  // namespace cwp::http
