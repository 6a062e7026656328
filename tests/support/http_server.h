#pragma once
// In-process servers on 127.0.0.1 for tests that drive the real transport: an HTTP(S) server
// whose answers come from a function of the request (or from a script, in order), also usable as
// a forward proxy, and a CONNECT proxy. Each listens before its constructor returns, so a client
// may connect at once, and runs its own event loop thread until destroyed. Only the .cpp includes
// Beast, keeping the test files quick to compile.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "support/test_certificate.h"

namespace cwp::testing {

struct received_request {
  std::string method;
  std::string target;  // as on the request line
  std::vector<http::header> headers;
  std::string body;
  std::size_t connection{0};  // 0-based index of the accepted connection it arrived on
  std::string server_name;    // SNI sent by the client (TLS servers only)

  std::optional<std::string> find_header(std::string_view name) const;
};

// What the server does with one request.
struct reply {
  reply() = default;
  reply(int s, std::string b) : status(s), body(std::move(b)) {}
  reply(int s, std::vector<http::header> h, std::string b)
      : status(s), headers(std::move(h)), body(std::move(b)) {}

  int status{200};
  std::vector<http::header> headers;
  std::string body;
  bool close_after{false};   // close the connection once the response is written
  bool never_answer{false};  // read the request, then wait for the client to give up
  std::optional<std::size_t> truncate_body_at{};  // announce the full body, send this much, close
};

// Records every request and answers it with `handler(request)`, called on the server's thread,
// one request at a time. An empty handler answers every request with an empty 200.
class http_server {
 public:
  using handler = std::function<reply(const received_request&)>;

  // With `tls`, serves HTTPS using that certificate and key.
  explicit http_server(handler answer, std::optional<test_certificate> tls = std::nullopt);
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  ~http_server();

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>"
  std::string origin() const;
  std::size_t connections() const;
  std::vector<received_request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A handler that answers requests in arrival order from `script`, then with an empty 200.
http_server::handler in_order(std::vector<reply> script);

// A CONNECT proxy: records each CONNECT request, then either refuses it with `refuse_status`
// or connects to the requested host:port and relays bytes both ways.
class connect_proxy {
 public:
  explicit connect_proxy(std::optional<int> refuse_status = std::nullopt);
  connect_proxy(const connect_proxy&) = delete;
  connect_proxy& operator=(const connect_proxy&) = delete;
  ~connect_proxy();

  std::uint16_t port() const;
  std::vector<received_request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
std::uint16_t unused_port();

}  // namespace cwp::testing
