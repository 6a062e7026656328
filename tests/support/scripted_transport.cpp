#include "support/scripted_transport.h"

namespace cwp::testing {

scripted_transport& scripted_transport::respond(int status, std::string body,
                                                std::vector<http::header> headers) {
  script_.emplace_back(http::response{status, std::move(headers), std::move(body)});
  return *this;
}

scripted_transport& scripted_transport::fail(core::errc code, std::string message) {
  script_.emplace_back(core::fail(code, std::move(message)));
  return *this;
}

core::result<http::response> scripted_transport::round_trip(const http::request& req,
                                                            const http::send_options& /*options*/) {
  const std::lock_guard lock(mutex_);
  requests_.push_back(req);
  if (script_.empty()) {
    if (fallback_) return fallback_(req);
    return core::fail(core::errc::network, "scripted transport: no response queued");
  }
  step next = std::move(script_.front());
  script_.pop_front();
  return next;
}

}  // namespace cwp::testing
