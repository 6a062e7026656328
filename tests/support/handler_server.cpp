#include "support/handler_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

std::string render(const served_reply& r) {
  wire::response<wire::string_body> response;
  response.version(11);
  response.result(static_cast<unsigned>(r.status));
  for (const auto& h : r.headers) response.insert(h.name, h.value);
  response.body() = r.body;
  response.content_length(r.body.size());
  std::ostringstream out;
  out << response;
  return out.str();
}

}  // namespace

std::optional<std::string> served_request::find_header(std::string_view name) const {
  for (const auto& h : headers) {
    if (http::iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

struct handler_server::impl {
  explicit impl(handler h) : answer(std::move(h)) {}

  handler answer;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc, tcp::endpoint{asio::ip::make_address_v4("127.0.0.1"), 0}};
  std::uint16_t port{acceptor.local_endpoint().port()};
  mutable std::mutex mutex;
  std::vector<served_request> requests;  // guarded by mutex
  std::thread thread;

  asio::awaitable<void> converse(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      wire::request_parser<wire::string_body> parser;
      beast::error_code ec;
      co_await wire::async_read(socket, buffer, parser, use_awaitable_ec(ec));
      if (ec) co_return;
      served_request seen;
      seen.method = std::string(parser.get().method_string());
      seen.target = std::string(parser.get().target());
      for (const auto& field : parser.get()) {
        seen.headers.push_back(
            http::header{std::string(field.name_string()), std::string(field.value())});
      }
      seen.body = parser.get().body();
      {
        const std::lock_guard lock(mutex);
        requests.push_back(seen);
      }
      const served_reply r = answer(seen);
      if (r.never_answer) {
        char byte = 0;
        co_await socket.async_read_some(asio::buffer(&byte, 1), use_awaitable_ec(ec));
        co_return;
      }
      const std::string bytes = render(r);
      co_await asio::async_write(socket, asio::buffer(bytes), use_awaitable_ec(ec));
      if (ec) co_return;
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(ioc, converse(std::move(socket)), asio::detached);
    }
  }
};

handler_server::handler_server(handler h) : impl_(std::make_unique<impl>(std::move(h))) {
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

handler_server::~handler_server() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t handler_server::port() const { return impl_->port; }

std::string handler_server::origin() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

std::vector<served_request> handler_server::requests() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace cwp::testing
