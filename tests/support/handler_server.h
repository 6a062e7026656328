#pragma once
// An in-process HTTP/1.1 server on 127.0.0.1 whose answers come from a function of the request,
// for endpoints with logic (instance metadata's token handshake, the container endpoint). It
// listens before the constructor returns and runs its own event loop thread until destroyed.
// Only the .cpp includes Beast.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace cwp::testing {

struct served_request {
  std::string method;
  std::string target;  // as on the request line
  std::vector<http::header> headers;
  std::string body;

  std::optional<std::string> find_header(std::string_view name) const;
};

struct served_reply {
  served_reply() = default;
  served_reply(int s, std::string b) : status(s), body(std::move(b)) {}

  int status{200};
  std::string body;
  std::vector<http::header> headers;
  bool never_answer{false};  // read the request, then wait for the client to give up
};

class handler_server {
 public:
  // Called on the server's thread, one request at a time.
  using handler = std::function<served_reply(const served_request&)>;

  explicit handler_server(handler h);
  handler_server(const handler_server&) = delete;
  handler_server& operator=(const handler_server&) = delete;
  ~handler_server();

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>"
  std::string origin() const;
  std::vector<served_request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace cwp::testing
