#pragma once
// A transport that replays a script of responses and failures in order and records every
// request it was given, so tests assert on signed headers and bodies. Safe to send through from
// several threads at once (send's delivery threads); read requests() once they are done.

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "http/transport.h"

namespace cwp::testing {

class scripted_transport final : public http::transport {
 public:
  using step = core::result<http::response>;

  // Queues a response.
  scripted_transport& respond(int status, std::string body, std::vector<http::header> headers = {});
  // Queues a transport failure (errc::network, errc::timeout, ...).
  scripted_transport& fail(core::errc code, std::string message = "scripted failure");
  // Answers every request not covered by the queue (default: a network failure).
  void otherwise(std::function<step(const http::request&)> fallback) {
    fallback_ = std::move(fallback);
  }

  const std::vector<http::request>& requests() const { return requests_; }
  std::size_t remaining() const { return script_.size(); }

 private:
  core::result<http::response> round_trip(const http::request& req,
                                          const http::send_options& options) override;

  std::mutex mutex_;  // guards what follows during round_trip
  std::deque<step> script_;
  std::vector<http::request> requests_;
  std::function<step(const http::request&)> fallback_;
};

}  // namespace cwp::testing
