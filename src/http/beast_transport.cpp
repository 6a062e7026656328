#include "http/beast_transport.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "core/text_file.h"
#include "http/route.h"
#include "http/wire_request.h"

namespace cwp::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = boost::beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

// Response headers of AWS APIs are a few hundred bytes; Beast's default 8 KiB is too tight for
// long x-amzn-ErrorMessage values behind some proxies.
constexpr std::uint32_t max_response_header_bytes = 64 * 1024;
// Idle connections kept per origin: one per concurrent send (CWP_SEND_CONCURRENCY is at most 16).
constexpr std::size_t max_idle_per_origin = 16;
// Debian's system bundle is about 200 KiB.
constexpr std::size_t max_ca_bundle_bytes = std::size_t{16} * 1024 * 1024;

// One connection with its own event loop: a send runs only the handlers of the connection it
// holds, so concurrent sends never share an io_context. Declaration order matters: the streams
// must be destroyed before the io_context.
struct connection {
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;  // bytes read past the end of the previous response
  steady::time_point idle_since;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Starts one async operation and runs the loop until it completes. The tcp_stream's expiry
  // bounds every read, write and connect, so this returns by the deadline.
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code result;
    std::forward<Start>(start)([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }
};

// How an attempt on one connection ended. `stale`: a reused connection failed before any
// response byte, so the server had closed it while idle and a fresh connection may retry.
struct attempt {
  core::result<response> result;
  bool stale{false};
  bool keep_alive{false};
};

tl::unexpected<core::error> failure(const beast::error_code& ec, std::string_view stage,
                                    const route& r) {
  if (ec == beast::error::timeout) {
    return core::fail(core::errc::timeout, std::string(stage) + " " + r.describe() + " timed out");
  }
  return core::fail(core::errc::network,
                    std::string(stage) + " " + r.describe() + " failed: " + ec.message());
}

// getaddrinfo cannot be cancelled, so it runs on a detached thread and the caller stops waiting
// at the deadline; a late answer is dropped with the shared state.
core::result<tcp::resolver::results_type> resolve(const std::string& host, std::uint16_t port,
                                                  steady::time_point deadline, const route& r) {
  struct lookup {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done{false};
    beast::error_code ec;
    tcp::resolver::results_type results;
  };
  auto state = std::make_shared<lookup>();
  std::thread([state, host, port] {
    asio::io_context ioc{1};
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, ec);
    const std::lock_guard lock(state->mutex);
    state->ec = ec;
    state->results = std::move(results);
    state->done = true;
    state->done_cv.notify_all();
  }).detach();
  std::unique_lock lock(state->mutex);
  if (!state->done_cv.wait_until(lock, deadline, [&] { return state->done; })) {
    return core::fail(core::errc::timeout,
                      "resolving " + host + " for " + r.describe() + " timed out");
  }
  if (state->ec) {
    return core::fail(core::errc::network, "resolving " + host + " for " + r.describe() +
                                               " failed: " + state->ec.message());
  }
  return state->results;
}

// Connects to the first endpoint that accepts. Each socket is opened here with SOCK_CLOEXEC
// (Asio's own open() does not set it), so no child process (credential_process, a job) ever
// inherits a connection.
beast::error_code connect_close_on_exec(connection& c,
                                        const tcp::resolver::results_type& endpoints) {
  beast::error_code ec = asio::error::host_not_found;
  auto& stream = c.lowest();
  for (const auto& entry : endpoints) {
    const tcp::endpoint ep = entry.endpoint();
    beast::error_code ignored;
    stream.socket().close(ignored);
    const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
      ec = beast::error_code(errno, boost::system::system_category());
      continue;
    }
    stream.socket().assign(ep.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      continue;
    }
    ec = c.run([&](auto done) { stream.async_connect(ep, done); });
    if (!ec || ec == beast::error::timeout) break;  // the deadline covers every endpoint
  }
  return ec;
}

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

bool asks_to_close(const request& req) {
  const auto connection_header = req.find_header("Connection");
  return connection_header && iequals(*connection_header, "close");
}

}  // namespace

struct beast_transport::impl {
  asio::ssl::context tls_context{asio::ssl::context::tls_client};
  std::string trust_store;
  // Parsing the system bundle (~140 certificates) costs more CPU than a whole heartbeat, so it
  // is loaded on the first HTTPS connection, not at start (plain-HTTP endpoints never pay it).
  std::once_flag trust_store_loaded;
  void load_trust_store() {
    std::call_once(trust_store_loaded, [this] {
      // Read close-on-exec (OpenSSL's own file loading is not); a missing or bad bundle makes
      // verification fail later, naming the trust store.
      auto pem = core::read_text_file(trust_store, max_ca_bundle_bytes);
      if (!pem || !*pem) return;
      beast::error_code ignored;
      tls_context.add_certificate_authority(asio::buffer(**pem), ignored);
    });
  }
  proxy_settings proxies;
  std::chrono::milliseconds max_idle{};

  std::mutex pool_mutex;
  // Idle connections per origin, the most recently used last; guarded by pool_mutex.
  std::map<std::string, std::vector<std::unique_ptr<connection>>> idle;

  std::unique_ptr<connection> take_idle(const std::string& key);
  void keep_idle(const std::string& key, std::unique_ptr<connection> c);

  core::result<std::unique_ptr<connection>> open(const route& r, const send_options& options,
                                                 steady::time_point deadline);
  static core::result<void> tunnel(connection& c, const route& r);
  core::result<void> handshake(connection& c, const route& r);
  attempt exchange(connection& c, wire_request& out, const request& req, const route& r,
                   steady::time_point deadline, bool reused);
  template <class Stream>
  attempt exchange_on(Stream& stream, connection& c, wire_request& out, const request& req,
                      const route& r, bool reused);
};

std::unique_ptr<connection> beast_transport::impl::take_idle(const std::string& key) {
  std::unique_ptr<connection> c;
  {
    const std::lock_guard lock(pool_mutex);
    const auto it = idle.find(key);
    if (it == idle.end() || it->second.empty()) return nullptr;
    c = std::move(it->second.back());
    it->second.pop_back();
  }
  if (steady::now() - c->idle_since >= max_idle) return nullptr;
  return c;
}

void beast_transport::impl::keep_idle(const std::string& key, std::unique_ptr<connection> c) {
  c->idle_since = steady::now();
  // Several sends at once (send's concurrent batches) each park their connection; past the
  // bound the least recently used one is closed, outside the lock.
  std::unique_ptr<connection> closed;
  const std::lock_guard lock(pool_mutex);
  auto& parked = idle[key];
  if (parked.size() >= max_idle_per_origin) {
    closed = std::move(parked.front());
    parked.erase(parked.begin());
  }
  parked.push_back(std::move(c));
}

core::result<std::unique_ptr<connection>> beast_transport::impl::open(const route& r,
                                                                      const send_options& options,
                                                                      steady::time_point deadline) {
  const auto connect_deadline = std::min(deadline, steady::now() + options.connect_timeout);
  const std::string& host = r.proxy ? r.proxy->host : r.target.host;
  const std::uint16_t port = r.proxy ? r.proxy->port : r.target.port;
  auto endpoints = resolve(host, port, connect_deadline, r);
  if (!endpoints) return tl::unexpected(endpoints.error());

  auto c = std::make_unique<connection>();
  if (r.tls()) {
    load_trust_store();
    c->secure.emplace(c->ioc, tls_context);
  } else {
    c->plain.emplace(c->ioc);
  }
  auto& stream = c->lowest();
  stream.expires_at(connect_deadline);
  if (const auto ec = connect_close_on_exec(*c, *endpoints)) {
    return failure(ec, "connecting to", r);
  }
  stream.socket().set_option(tcp::no_delay(true));
  stream.expires_at(deadline);
  if (r.proxy && r.tls()) {
    if (auto tunnelled = tunnel(*c, r); !tunnelled) return tl::unexpected(tunnelled.error());
  }
  if (r.tls()) {
    if (auto secured = handshake(*c, r); !secured) return tl::unexpected(secured.error());
  }
  return c;
}

core::result<void> beast_transport::impl::tunnel(connection& c, const route& r) {
  auto& stream = c.lowest();
  wire::request<wire::empty_body> connect{wire::verb::connect, r.authority(), 11};
  connect.set(wire::field::host, r.authority());
  if (r.proxy->has_credentials()) {
    connect.set(wire::field::proxy_authorization, basic_credentials(*r.proxy));
  }
  if (const auto ec = c.run([&](auto done) { wire::async_write(stream, connect, done); })) {
    return failure(ec, "sending CONNECT for", r);
  }
  wire::response_parser<wire::empty_body> parser;
  parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts after the header
  if (const auto ec = c.run([&](auto done) { wire::async_read(stream, c.buffer, parser, done); })) {
    return failure(ec, "reading the CONNECT answer for", r);
  }
  const auto status = parser.get().result_int();
  if (status < 200 || status > 299) {
    return core::fail(core::errc::network, "proxy refused CONNECT to " + r.describe() +
                                               " with status " + std::to_string(status));
  }
  if (c.buffer.size() != 0) {
    return core::fail(core::errc::network,
                      "proxy sent data before the TLS handshake for " + r.describe());
  }
  return {};
}

core::result<void> beast_transport::impl::handshake(connection& c, const route& r) {
  SSL* ssl = c.secure->native_handle();
  const std::string& host = r.target.host;
  // SNI carries host names only (RFC 6066 3); an address is checked against IP SANs.
  bool expected_peer_set = false;
  if (is_ip_address(host)) {
    expected_peer_set = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // SSL_set_tlsext_host_name spelled out: the macro's C cast trips -Wold-style-cast. OpenSSL
    // copies the name; it takes it as a (non-const) void*, hence the copy.
    std::string server_name = host;
    expected_peer_set = SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                 server_name.data()) == 1 &&
                        SSL_set1_host(ssl, host.c_str()) == 1;
  }
  if (!expected_peer_set) {
    return core::fail(core::errc::tls, "cannot verify host " + host + " for " + r.describe());
  }
  const auto ec =
      c.run([&](auto done) { c.secure->async_handshake(asio::ssl::stream_base::client, done); });
  if (!ec) return {};
  if (ec == beast::error::timeout) return failure(ec, "TLS handshake with", r);
  if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
    return core::fail(core::errc::tls, "certificate verification failed for host " + host + " (" +
                                           r.describe() +
                                           "): " + X509_verify_cert_error_string(verify) +
                                           " (trust store " + trust_store + ")");
  }
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category()) {
    return core::fail(core::errc::tls,
                      "TLS handshake with " + r.describe() + " failed: " + ec.message());
  }
  return failure(ec, "TLS handshake with", r);
}

template <class Stream>
attempt beast_transport::impl::exchange_on(Stream& stream, connection& c, wire_request& out,
                                           const request& req, const route& r, bool reused) {
  if (const auto ec = c.run([&](auto done) { wire::async_write(stream, out, done); })) {
    return {failure(ec, "sending a request to", r), reused && ec != beast::error::timeout};
  }
  wire::response_parser<wire::string_body> parser;
  parser.header_limit(max_response_header_bytes);
  parser.body_limit(max_response_body_bytes);
  if (out.method() == wire::verb::head) parser.skip(true);
  // The header is read on its own and its Content-Length checked here: Beast 1.74 loses the
  // body_limit error when body bytes arrive in the same read as the header (boostorg/beast#2183).
  auto ec = c.run([&](auto done) { wire::async_read_header(stream, c.buffer, parser, done); });
  if (!ec && parser.content_length().value_or(0) > max_response_body_bytes) {
    ec = wire::error::body_limit;
  }
  if (!ec && !parser.is_done()) {
    ec = c.run([&](auto done) { wire::async_read(stream, c.buffer, parser, done); });
  }
  if (ec) {
    if (ec == wire::error::body_limit || ec == wire::error::header_limit) {
      return {core::fail(core::errc::network, "response from " + r.describe() + " too large")};
    }
    const bool nothing_received = !parser.got_some() && c.buffer.size() == 0;
    if (ec == wire::error::partial_message || (ec == wire::error::end_of_stream && !reused)) {
      return {core::fail(core::errc::network,
                         "connection to " + r.describe() + " closed before the response ended")};
    }
    return {failure(ec, "reading the response from", r),
            reused && nothing_received && ec != beast::error::timeout};
  }
  auto& message = parser.get();
  response in;
  in.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    in.headers.push_back(header{std::string(field.name_string()), std::string(field.value())});
  }
  in.body = std::move(message.body());
  const bool keep_alive = message.keep_alive() && !parser.need_eof() && !asks_to_close(req);
  return {std::move(in), false, keep_alive};
}

attempt beast_transport::impl::exchange(connection& c, wire_request& out, const request& req,
                                        const route& r, steady::time_point deadline, bool reused) {
  c.lowest().expires_at(deadline);
  if (c.secure) return exchange_on(*c.secure, c, out, req, r, reused);
  return exchange_on(*c.plain, c, out, req, r, reused);
}

beast_transport::beast_transport(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

beast_transport::~beast_transport() = default;

core::result<std::unique_ptr<beast_transport>> beast_transport::create(settings s) {
  try {
    auto state = std::make_unique<impl>();
    SSL_CTX_set_min_proto_version(state->tls_context.native_handle(), TLS1_2_VERSION);
    state->tls_context.set_verify_mode(asio::ssl::verify_peer);
    state->trust_store = s.ca_bundle.value_or(std::string(system_ca_bundle));
    if (s.ca_bundle &&
        !core::read_text_file(state->trust_store, max_ca_bundle_bytes).value_or(std::nullopt)) {
      // A bundle the user named must exist: report a bad path at start, not at first use.
      // (Its certificates are parsed lazily, like the system bundle's.)
      return core::fail(core::errc::invalid_argument,
                        "CA bundle '" + state->trust_store + "' could not be read");
    }
    state->proxies = std::move(s.proxies);
    state->max_idle = s.max_idle;
    return std::unique_ptr<beast_transport>(new beast_transport(std::move(state)));
  } catch (const std::exception& e) {
    return core::fail(core::errc::tls, std::string("TLS setup failed: ") + e.what());
  }
}

core::result<response> beast_transport::round_trip(const request& req,
                                                   const send_options& options) {
  const auto deadline = steady::now() + options.request_timeout;
  // botocore never proxies container credential requests: the agent is local, and a proxy
  // would see its Authorization token.
  const route r{req.target, req.bypass_proxy ? std::nullopt : impl_->proxies.select(req.target)};
  try {
    auto out = to_wire(req, r);
    if (!out) return tl::unexpected(out.error());
    const std::string key = r.key();
    auto c = impl_->take_idle(key);
    std::optional<attempt> done;
    if (c) done = impl_->exchange(*c, *out, req, r, deadline, true);
    if (!done || done->stale) {
      auto fresh = impl_->open(r, options, deadline);
      if (!fresh) return tl::unexpected(fresh.error());
      c = std::move(*fresh);
      done = impl_->exchange(*c, *out, req, r, deadline, false);
    }
    if (done->keep_alive) impl_->keep_idle(key, std::move(c));
    if (done->result) scrub_proxy_credentials(r, *done->result);
    return std::move(done->result);
  } catch (const std::exception& e) {
    return core::fail(core::errc::network, "request to " + r.describe() + " failed: " + e.what());
  }
}

}  // namespace cwp::http
