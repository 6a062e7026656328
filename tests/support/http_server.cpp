#include "support/http_server.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <sstream>
#include <thread>

namespace cwp::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace wire = boost::beast::http;
using tcp = asio::ip::tcp;

auto use_awaitable_ec(beast::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}

// The listening socket and the event loop thread shared by both servers. stop() must run before
// the owner's other members are destroyed: the loop's handlers use them.
struct server_core {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc, tcp::endpoint{asio::ip::make_address_v4("127.0.0.1"), 0}};
  std::uint16_t port{acceptor.local_endpoint().port()};
  mutable std::mutex mutex;
  std::vector<received_request> requests;  // guarded by mutex
  std::thread thread;

  void start(asio::awaitable<void> accept_loop) {
    asio::co_spawn(ioc, std::move(accept_loop), asio::detached);
    thread = std::thread([this] { ioc.run(); });
  }
  void stop() {
    ioc.stop();
    if (thread.joinable()) thread.join();
  }
  std::vector<received_request> recorded() const {
    const std::lock_guard lock(mutex);
    return requests;
  }
};

template <class Message>
received_request describe(const Message& message, std::size_t connection) {
  received_request seen;
  seen.method = std::string(message.method_string());
  seen.target = std::string(message.target());
  for (const auto& field : message) {
    seen.headers.push_back(
        http::header{std::string(field.name_string()), std::string(field.value())});
  }
  seen.connection = connection;
  return seen;
}

std::string render(const reply& r) {
  wire::response<wire::string_body> response;
  response.version(11);
  response.result(static_cast<unsigned>(r.status));
  for (const auto& h : r.headers) response.insert(h.name, h.value);
  response.body() = r.body;
  response.content_length(r.body.size());
  std::ostringstream out;
  out << response;
  std::string bytes = out.str();
  if (r.truncate_body_at) bytes.resize(bytes.find("\r\n\r\n") + 4 + *r.truncate_body_at);
  return bytes;
}

asio::awaitable<void> relay(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 16 * 1024> chunk{};
  for (;;) {
    beast::error_code ec;
    const std::size_t n = co_await from->async_read_some(asio::buffer(chunk), use_awaitable_ec(ec));
    if (ec) {
      to->shutdown(tcp::socket::shutdown_send, ec);
      co_return;
    }
    co_await asio::async_write(*to, asio::buffer(chunk.data(), n), use_awaitable_ec(ec));
    if (ec) co_return;
  }
}

}  // namespace

std::optional<std::string> received_request::find_header(std::string_view name) const {
  for (const auto& h : headers) {
    if (http::iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

http_server::handler in_order(std::vector<reply> script) {
  // The server calls its handler on one thread, one request at a time.
  auto left = std::make_shared<std::deque<reply>>(script.begin(), script.end());
  return [left](const received_request&) {
    if (left->empty()) return reply{};
    reply next = std::move(left->front());
    left->pop_front();
    return next;
  };
}

struct http_server::impl {
  explicit impl(handler h) : answer(std::move(h)) {}

  server_core core;
  handler answer;
  std::optional<asio::ssl::context> tls;
  std::size_t connections{0};  // guarded by core.mutex

  reply record(received_request seen) {
    {
      const std::lock_guard lock(core.mutex);
      core.requests.push_back(seen);
    }
    return answer ? answer(seen) : reply{};
  }

  template <class Stream>
  asio::awaitable<void> converse(Stream& stream, std::size_t index, std::string server_name) {
    beast::flat_buffer buffer;
    for (;;) {
      wire::request_parser<wire::string_body> parser;
      beast::error_code ec;
      co_await wire::async_read(stream, buffer, parser, use_awaitable_ec(ec));
      if (ec) co_return;
      received_request seen = describe(parser.get(), index);
      seen.body = parser.get().body();
      seen.server_name = server_name;
      const reply r = record(std::move(seen));
      if (r.never_answer) {
        char byte = 0;
        co_await stream.async_read_some(asio::buffer(&byte, 1), use_awaitable_ec(ec));
        co_return;
      }
      const std::string bytes = render(r);
      co_await asio::async_write(stream, asio::buffer(bytes), use_awaitable_ec(ec));
      if (ec || r.close_after || r.truncate_body_at) co_return;
    }
  }

  asio::awaitable<void> serve(tcp::socket socket, std::size_t index) {
    if (!tls) {
      co_await converse(socket, index, "");
      co_return;
    }
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
    beast::error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server, use_awaitable_ec(ec));
    if (ec) co_return;
    const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    co_await converse(stream, index, sni != nullptr ? sni : "");
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await core.acceptor.async_accept(asio::use_awaitable);
      std::size_t index = 0;
      {
        const std::lock_guard lock(core.mutex);
        index = connections++;
      }
      asio::co_spawn(core.ioc, serve(std::move(socket), index), asio::detached);
    }
  }
};

http_server::http_server(handler answer, std::optional<test_certificate> tls)
    : impl_(std::make_unique<impl>(std::move(answer))) {
  if (tls) {
    auto& context = impl_->tls.emplace(asio::ssl::context::tls_server);
    context.use_certificate_chain(asio::buffer(tls->cert_pem));
    context.use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
  }
  impl_->core.start(impl_->accept_loop());
}

http_server::~http_server() { impl_->core.stop(); }

std::uint16_t http_server::port() const { return impl_->core.port; }

std::string http_server::origin() const {
  return "http://127.0.0.1:" + std::to_string(impl_->core.port);
}

std::size_t http_server::connections() const {
  const std::lock_guard lock(impl_->core.mutex);
  return impl_->connections;
}

std::vector<received_request> http_server::requests() const { return impl_->core.recorded(); }

struct connect_proxy::impl {
  server_core core;
  std::optional<int> refuse_status;

  asio::awaitable<void> tunnel(tcp::socket accepted) {
    auto client = std::make_shared<tcp::socket>(std::move(accepted));
    beast::flat_buffer buffer;
    wire::request_parser<wire::empty_body> parser;
    beast::error_code ec;
    co_await wire::async_read(*client, buffer, parser, use_awaitable_ec(ec));
    if (ec) co_return;
    const std::string target(parser.get().target());
    {
      const std::lock_guard lock(core.mutex);
      core.requests.push_back(describe(parser.get(), core.requests.size()));
    }

    wire::response<wire::empty_body> answer{wire::status::ok, 11};
    auto upstream = std::make_shared<tcp::socket>(core.ioc);
    if (refuse_status) {
      answer.result(static_cast<unsigned>(*refuse_status));
    } else {
      const auto colon = target.rfind(':');
      std::string host = target.substr(0, colon);
      if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
      tcp::resolver resolver(core.ioc);
      const auto endpoints =
          co_await resolver.async_resolve(host, target.substr(colon + 1), use_awaitable_ec(ec));
      if (!ec) co_await asio::async_connect(*upstream, endpoints, use_awaitable_ec(ec));
      if (ec) answer.result(wire::status::bad_gateway);
    }
    if (answer.result() != wire::status::ok) answer.content_length(0);
    co_await wire::async_write(*client, answer, use_awaitable_ec(ec));
    if (ec || answer.result() != wire::status::ok) co_return;
    asio::co_spawn(core.ioc, relay(client, upstream), asio::detached);
    asio::co_spawn(core.ioc, relay(upstream, client), asio::detached);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await core.acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(core.ioc, tunnel(std::move(socket)), asio::detached);
    }
  }
};

connect_proxy::connect_proxy(std::optional<int> refuse_status) : impl_(std::make_unique<impl>()) {
  impl_->refuse_status = refuse_status;
  impl_->core.start(impl_->accept_loop());
}

connect_proxy::~connect_proxy() { impl_->core.stop(); }

std::uint16_t connect_proxy::port() const { return impl_->core.port; }

std::vector<received_request> connect_proxy::requests() const { return impl_->core.recorded(); }

std::uint16_t unused_port() {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint{asio::ip::make_address_v4("127.0.0.1"), 0}};
  return acceptor.local_endpoint().port();
}

}  // namespace cwp::testing
