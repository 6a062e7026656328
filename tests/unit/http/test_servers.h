#pragma once
// In-process servers on 127.0.0.1 for the transport tests: a scripted HTTP(S) origin (also used
// as a forward proxy) and a CONNECT proxy. Each listens before its constructor returns, so a
// client may connect at once, and runs its own event loop thread until destroyed. Only the .cpp
// includes Beast, keeping the test files quick to compile.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "unit/http/test_certificate.h"

namespace cwp::testing {

struct received_request {
  std::string method;
  std::string target;  // as on the request line
  std::vector<http::header> headers;
  std::string body;
  std::size_t connection{0};  // 0-based index of the accepted connection it arrived on
  std::string server_name;    // SNI sent by the client (TLS servers only)
};

// What the server does with one request.
struct reply {
  int status{200};
  std::vector<http::header> headers;
  std::string body;
  bool close_after{false};   // close the connection once the response is written
  bool never_answer{false};  // read the request, then wait for the client to give up
  std::optional<std::size_t> truncate_body_at{};  // announce the full body, send this much, close
};

// Answers requests in arrival order from a script (then with an empty 200) and records them.
class scripted_server {
 public:
  // With `tls`, serves HTTPS using that certificate and key.
  explicit scripted_server(std::vector<reply> script,
                           std::optional<test_certificate> tls = std::nullopt);
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;
  ~scripted_server();

  std::uint16_t port() const;
  std::size_t connections() const;
  std::vector<received_request> requests() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

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
