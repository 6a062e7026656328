#pragma once
// The production transport: HTTP/1.1 on Boost.Beast and Asio, TLS on OpenSSL. Peer and host name
// verification are always on. Keeps idle connections per origin (one per concurrent request) for
// reuse and goes through the environment's forward proxies. Boost stays out of this header: only
// the .cpp includes it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/proxy.h"
#include "http/transport.h"

namespace cwp::http {

// Owns its TLS context and its pool of idle connections; send is safe to call from several
// threads at once (each call works on a connection no other call holds).
class beast_transport final : public transport {
 public:
  struct settings {
    // PEM file used as the trust store instead of the system bundle (AWS_CA_BUNDLE).
    std::optional<std::string> ca_bundle;
    proxy_settings proxies;
    // An idle connection older than this is closed instead of reused: AWS load balancers close
    // idle connections at 60 s, and reusing one near that age races their close.
    std::chrono::milliseconds max_idle{std::chrono::seconds{30}};
  };

  static constexpr std::string_view system_ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
  // AWS answers with small JSON or XML documents; a bigger body means a misbehaving peer.
  static constexpr std::size_t max_response_body_bytes = std::size_t{8} * 1024 * 1024;

  // Fails with errc::invalid_argument naming the file when settings.ca_bundle can't be loaded.
  // Without ca_bundle, the system bundle is used; if it is missing, every HTTPS request fails
  // verification (plain-HTTP endpoints such as IMDS still work).
  static core::result<std::unique_ptr<beast_transport>> create(settings s);

  beast_transport(const beast_transport&) = delete;
  beast_transport& operator=(const beast_transport&) = delete;
  beast_transport(beast_transport&&) = delete;
  beast_transport& operator=(beast_transport&&) = delete;
  ~beast_transport() override;

 private:
  // Sends the request's headers exactly, adding Host (when absent), User-Agent (when absent) and
  // Content-Length, through the proxy the settings select unless req.bypass_proxy. A reused
  // connection that fails before any response byte (the server closed it while idle) is
  // retried once on a fresh connection. Sockets are close-on-exec.
  core::result<response> round_trip(const request& req, const send_options& options) override;

  struct impl;
  explicit beast_transport(std::unique_ptr<impl> state);

  std::unique_ptr<impl> impl_;
};

}  // namespace cwp::http
