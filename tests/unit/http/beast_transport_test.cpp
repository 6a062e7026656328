#include "http/beast_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/http_server.h"
#include "support/test_certificate.h"

namespace cwp::http {
namespace {

using testing::connect_proxy;
using testing::http_server;
using testing::in_order;
using testing::received_request;
using testing::reply;

const send_options quick{std::chrono::seconds{5}, std::chrono::seconds{5}};

std::unique_ptr<beast_transport> make_transport(beast_transport::settings settings = {}) {
  auto transport = beast_transport::create(std::move(settings));
  EXPECT_TRUE(transport.has_value()) << transport.error().message;
  return transport ? std::move(*transport) : nullptr;
}

proxy_settings proxies_of(std::map<std::string, std::string, std::less<>> vars) {
  auto settings = proxy_settings::from_environment(
      [&vars](std::string_view name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      });
  EXPECT_TRUE(settings.has_value()) << settings.error().message;
  return settings ? std::move(*settings) : proxy_settings{};
}

request make_request(std::string_view text_url, std::string method = "GET", std::string body = "") {
  request req;
  req.method = std::move(method);
  req.target = url::parse(text_url).value();
  req.body = std::move(body);
  return req;
}

std::string local_url(std::uint16_t port, std::string_view path = "/",
                      std::string_view scheme = "http", std::string_view host = "127.0.0.1") {
  return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port) +
         std::string(path);
}

std::vector<std::string> values_of(const std::vector<header>& headers, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& h : headers) {
    if (iequals(h.name, name)) values.push_back(h.value);
  }
  return values;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(BeastTransport, PostRoundTripSendsHeadersExactlyWithContentLength) {
  http_server server(
      in_order({reply{200,
                      {{"x-amzn-RequestId", "req-1"}, {"X-Dup", "one"}, {"X-Dup", "two"}},
                      R"({"nextSequenceToken":"1"})"}}));
  auto transport = make_transport();
  const std::string body = R"({"logGroupName":"g","logEvents":[]})";
  auto req = make_request(local_url(server.port(), "/put?x=1&y=%2F"), "POST", body);
  const std::string signature =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/logs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027";
  req.add_header("X-Amz-Target", "Logs_20140328.PutLogEvents");
  req.add_header("Authorization", signature);
  req.add_header("X-Amz-Meta", "a");
  req.add_header("X-Amz-Meta", "b");

  const auto res = transport->send(req, quick);

  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"nextSequenceToken":"1"})");
  EXPECT_EQ(res->find_header("x-amzn-requestid"), "req-1");
  EXPECT_EQ(values_of(res->headers, "X-Dup"), (std::vector<std::string>{"one", "two"}));

  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/put?x=1&y=%2F");
  EXPECT_EQ(seen[0].body, body);
  EXPECT_EQ(values_of(seen[0].headers, "Host"),
            std::vector<std::string>{"127.0.0.1:" + std::to_string(server.port())});
  EXPECT_EQ(values_of(seen[0].headers, "Content-Length"),
            std::vector<std::string>{std::to_string(body.size())});
  EXPECT_EQ(values_of(seen[0].headers, "Authorization"), std::vector<std::string>{signature});
  EXPECT_EQ(values_of(seen[0].headers, "X-Amz-Target"),
            std::vector<std::string>{"Logs_20140328.PutLogEvents"});
  EXPECT_EQ(values_of(seen[0].headers, "X-Amz-Meta"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(values_of(seen[0].headers, "User-Agent"),
            std::vector<std::string>{"cloudwatch-publisher/" CWP_VERSION});
  EXPECT_TRUE(values_of(seen[0].headers, "Transfer-Encoding").empty());
}

TEST(BeastTransport, KeepsTheRequestsOwnHostAndUserAgent) {
  http_server server({});
  auto transport = make_transport();
  auto req = make_request(local_url(server.port()));
  req.add_header("Host", "logs.us-east-1.amazonaws.com");
  req.add_header("User-Agent", "custom/1");

  ASSERT_TRUE(transport->send(req, quick).has_value());

  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(values_of(seen[0].headers, "Host"),
            std::vector<std::string>{"logs.us-east-1.amazonaws.com"});
  EXPECT_EQ(values_of(seen[0].headers, "User-Agent"), std::vector<std::string>{"custom/1"});
  // A GET without a body announces none (RFC 9110 8.6).
  EXPECT_TRUE(values_of(seen[0].headers, "Content-Length").empty());
}

TEST(BeastTransport, RejectsHeaderValuesThatWouldSplitTheRequest) {
  http_server server({});
  auto transport = make_transport();
  auto req = make_request(local_url(server.port()));
  req.add_header("X-Injected", "SECRET\r\nX-Evil: 1");

  const auto res = transport->send(req, quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::invalid_argument);
  EXPECT_FALSE(contains(res.error().message, "SECRET"));
  EXPECT_TRUE(server.requests().empty());
}

TEST(BeastTransport, ReusesTheIdleConnection) {
  http_server server(in_order({reply{200, {}, "first"}, reply{200, {}, "second"}}));
  auto transport = make_transport();

  const auto first = transport->send(make_request(local_url(server.port())), quick);
  const auto second = transport->send(make_request(local_url(server.port())), quick);

  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(first->body, "first");
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(server.connections(), 1U);
}

// The client sockets of this process connected to 127.0.0.1:port, by descriptor.
std::vector<int> client_sockets_to(std::uint16_t port) {
  std::vector<int> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int fd = std::stoi(entry.path().filename().string());
    sockaddr_in peer{};
    socklen_t size = sizeof(peer);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) == 0 &&
        peer.sin_family == AF_INET && ntohs(peer.sin_port) == port) {
      fds.push_back(fd);
    }
  }
  return fds;
}

// A child process (credential_process, a job) must not inherit a connection: it could write to
// it, or keep it open after we closed ours.
TEST(BeastTransport, ItsSocketsAreCloseOnExec) {
  http_server server(in_order({reply{200, {}, "kept alive"}}));
  auto transport = make_transport();
  ASSERT_TRUE(transport->send(make_request(local_url(server.port())), quick));

  const auto sockets = client_sockets_to(server.port());
  ASSERT_EQ(sockets.size(), 1U) << "the idle connection is kept in the pool";
  EXPECT_NE(::fcntl(sockets[0], F_GETFD) & FD_CLOEXEC, 0);
}

TEST(BeastTransport, RetriesOnceOnAFreshConnectionWhenTheIdleOneWasClosed) {
  reply closes_afterwards{200, {}, "first"};
  closes_afterwards.close_after = true;
  http_server server(in_order({closes_afterwards, reply{200, {}, "second"}}));
  auto transport = make_transport();

  const auto first = transport->send(make_request(local_url(server.port())), quick);
  const auto second =
      transport->send(make_request(local_url(server.port()), "POST", "payload"), quick);

  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(server.connections(), 2U);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].connection, 1U);
  EXPECT_EQ(seen[1].body, "payload");
}

TEST(BeastTransport, OpensANewConnectionAfterConnectionClose) {
  // The server announces the close but leaves the socket open: only the header tells the client.
  http_server server(in_order({reply{200, {{"Connection", "close"}}, "first"}, reply{}}));
  auto transport = make_transport();

  ASSERT_TRUE(transport->send(make_request(local_url(server.port())), quick).has_value());
  ASSERT_TRUE(transport->send(make_request(local_url(server.port())), quick).has_value());

  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].connection, 0U);
  EXPECT_EQ(seen[1].connection, 1U);
}

TEST(BeastTransport, DiscardsIdleConnectionsOlderThanMaxIdle) {
  http_server server({});
  beast_transport::settings settings;
  settings.max_idle = std::chrono::milliseconds{0};
  auto transport = make_transport(std::move(settings));

  ASSERT_TRUE(transport->send(make_request(local_url(server.port())), quick).has_value());
  ASSERT_TRUE(transport->send(make_request(local_url(server.port())), quick).has_value());

  EXPECT_EQ(server.connections(), 2U);
}

TEST(BeastTransport, SendsFromTwoThreadsAtOnce) {
  http_server server({});
  auto transport = make_transport();
  constexpr int per_thread = 20;
  int failures_a = 0;
  int failures_b = 0;
  const auto run = [&](int& failures) {
    for (int i = 0; i < per_thread; ++i) {
      if (!transport->send(make_request(local_url(server.port()), "POST", "x"), quick)) ++failures;
    }
  };

  std::thread a(run, std::ref(failures_a));
  std::thread b(run, std::ref(failures_b));
  a.join();
  b.join();

  EXPECT_EQ(failures_a + failures_b, 0);
  EXPECT_EQ(server.requests().size(), 2U * per_thread);
}

TEST(BeastTransport, RefusedConnectionIsANetworkError) {
  auto transport = make_transport();

  const auto res = transport->send(make_request(local_url(testing::unused_port())), quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::network);
  EXPECT_TRUE(contains(res.error().message, "127.0.0.1")) << res.error().message;
}

TEST(BeastTransport, ErrorMessagesNeverContainHeaderValuesOrProxyPasswords) {
  beast_transport::settings via_proxy;
  via_proxy.proxies = proxies_of(
      {{"http_proxy", "http://user:hunter2@127.0.0.1:" + std::to_string(testing::unused_port())}});
  const auto direct = make_transport();
  const auto proxied = make_transport(std::move(via_proxy));
  for (auto* transport : {direct.get(), proxied.get()}) {
    auto req = make_request(local_url(testing::unused_port()), "POST", "{}");
    req.add_header("Authorization", "SECRET-SIG");
    req.add_header("X-Amz-Security-Token", "SECRET-TOKEN");

    const auto res = transport->send(req, quick);

    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().code, core::errc::network);
    EXPECT_FALSE(contains(res.error().message, "SECRET")) << res.error().message;
    EXPECT_FALSE(contains(res.error().message, "hunter2")) << res.error().message;
  }
}

TEST(BeastTransport, ServerThatNeverAnswersTimesOut) {
  reply silence;
  silence.never_answer = true;
  http_server server(in_order({silence}));
  auto transport = make_transport();

  const auto res =
      transport->send(make_request(local_url(server.port())),
                      send_options{std::chrono::seconds{5}, std::chrono::milliseconds{300}});

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::timeout) << res.error().message;
}

TEST(BeastTransport, ResponseCutOffMidBodyIsANetworkError) {
  reply cut{200, {}, std::string(100, 'x')};
  cut.truncate_body_at = 10;
  http_server server(in_order({cut}));
  auto transport = make_transport();

  const auto res = transport->send(make_request(local_url(server.port())), quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::network) << res.error().message;
}

TEST(BeastTransport, OversizedResponseIsANetworkError) {
  http_server server(
      in_order({reply{200, {}, std::string(beast_transport::max_response_body_bytes + 1, 'x')}}));
  auto transport = make_transport();

  const auto res = transport->send(make_request(local_url(server.port())), quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::network);
  EXPECT_TRUE(contains(res.error().message, "too large")) << res.error().message;
}

class BeastTransportTls : public ::testing::Test {
 protected:
  testing::test_certificate local_cert_ =
      testing::make_self_signed_certificate({"IP:127.0.0.1", "DNS:localhost"});
  testing::temp_file local_bundle_{local_cert_.cert_pem};

  std::unique_ptr<beast_transport> trusting_transport(proxy_settings proxies = {}) {
    beast_transport::settings settings;
    settings.ca_bundle = local_bundle_.path().string();
    settings.proxies = std::move(proxies);
    return make_transport(std::move(settings));
  }
};

TEST_F(BeastTransportTls, FailsVerificationWhenTheTrustStoreLacksTheCertificate) {
  http_server server({}, local_cert_);
  auto transport = make_transport();

  const auto res = transport->send(make_request(local_url(server.port(), "/", "https")), quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::tls);
  EXPECT_TRUE(contains(res.error().message, "certificate verification failed for host 127.0.0.1"))
      << res.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(BeastTransportTls, SucceedsWithTheCertificateAsCaBundle) {
  http_server server(in_order({reply{200, {}, "secure"}, reply{200, {}, "again"}}), local_cert_);
  auto transport = trusting_transport();

  const auto first = transport->send(make_request(local_url(server.port(), "/", "https")), quick);
  const auto second = transport->send(make_request(local_url(server.port(), "/", "https")), quick);

  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(first->body, "secure");
  EXPECT_EQ(second->body, "again");
  EXPECT_EQ(server.connections(), 1U);
  EXPECT_EQ(server.requests()[0].server_name, "");  // no SNI for an address
}

TEST_F(BeastTransportTls, SendsSniAndVerifiesAHostName) {
  http_server server({}, local_cert_);
  auto transport = trusting_transport();

  const auto res =
      transport->send(make_request(local_url(server.port(), "/", "https", "localhost")), quick);

  ASSERT_TRUE(res.has_value()) << res.error().message;
  ASSERT_EQ(server.requests().size(), 1U);
  EXPECT_EQ(server.requests()[0].server_name, "localhost");
}

TEST_F(BeastTransportTls, RetriesWhenTheServerClosedTheIdleTlsConnection) {
  reply closes_afterwards;
  closes_afterwards.close_after = true;
  http_server server(in_order({closes_afterwards, reply{200, {}, "second"}}), local_cert_);
  auto transport = trusting_transport();

  ASSERT_TRUE(transport->send(make_request(local_url(server.port(), "/", "https")), quick));
  const auto second = transport->send(make_request(local_url(server.port(), "/", "https")), quick);

  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(server.connections(), 2U);
}

TEST(BeastTransportTlsNames, RejectsACertificateIssuedForAnotherName) {
  const auto other = testing::make_self_signed_certificate({"DNS:other.example"});
  const testing::temp_file bundle(other.cert_pem);
  http_server server({}, other);
  beast_transport::settings settings;
  settings.ca_bundle = bundle.path().string();
  auto transport = make_transport(std::move(settings));

  const auto res = transport->send(make_request(local_url(server.port(), "/", "https")), quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::tls);
  EXPECT_TRUE(contains(res.error().message, "certificate verification failed for host 127.0.0.1"))
      << res.error().message;
}

TEST(BeastTransportSettings, UnreadableCaBundleFailsCreationNamingTheFile) {
  beast_transport::settings settings;
  settings.ca_bundle = "/nonexistent/cwp-ca.pem";

  const auto transport = beast_transport::create(std::move(settings));

  ASSERT_FALSE(transport.has_value());
  EXPECT_EQ(transport.error().code, core::errc::invalid_argument);
  EXPECT_TRUE(contains(transport.error().message, "/nonexistent/cwp-ca.pem"));
}

TEST(BeastTransportProxy, HttpGoesToTheProxyWithAnAbsoluteTarget) {
  http_server proxy(in_order({reply{200, {}, "via proxy"}}));
  beast_transport::settings settings;
  settings.proxies =
      proxies_of({{"HTTP_PROXY", "http://user:p%40ss@127.0.0.1:" + std::to_string(proxy.port())}});
  auto transport = make_transport(std::move(settings));

  const auto res =
      transport->send(make_request("http://moto.invalid:5000/path?q=1", "POST", "{}"), quick);

  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->body, "via proxy");
  const auto seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].target, "http://moto.invalid:5000/path?q=1");
  EXPECT_EQ(values_of(seen[0].headers, "Host"), std::vector<std::string>{"moto.invalid:5000"});
  EXPECT_EQ(values_of(seen[0].headers, "Proxy-Authorization"),
            std::vector<std::string>{"Basic dXNlcjpwQHNz"});
}

TEST(BeastTransportProxy, ARequestThatBypassesProxiesGoesStraightToTheOrigin) {
  http_server proxy(in_order({reply{502, {}, "via proxy"}}));
  http_server origin(in_order({reply{200, {}, "direct"}}));
  beast_transport::settings settings;
  settings.proxies =
      proxies_of({{"HTTP_PROXY", "http://127.0.0.1:" + std::to_string(proxy.port())}});
  auto transport = make_transport(std::move(settings));
  auto req = make_request(local_url(origin.port(), "/creds"));
  req.bypass_proxy = true;

  const auto res = transport->send(req, quick);

  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->body, "direct");
  EXPECT_TRUE(proxy.requests().empty());
  ASSERT_EQ(origin.requests().size(), 1U);
  EXPECT_EQ(origin.requests()[0].target, "/creds");
}

TEST(BeastTransportProxy, AProxyEchoingItsCredentialsIsScrubbed) {
  http_server proxy(
      in_order({reply{407,
                      {{"X-Seen", "Basic dXNlcjpwQHNzd29yZDEy"}},
                      "Proxy-Authorization: Basic dXNlcjpwQHNzd29yZDEy (p@ssword12)"}}));
  beast_transport::settings settings;
  settings.proxies = proxies_of(
      {{"HTTP_PROXY", "http://user:p%40ssword12@127.0.0.1:" + std::to_string(proxy.port())}});
  auto transport = make_transport(std::move(settings));

  const auto res = transport->send(make_request("http://moto.invalid:5000/"), quick);

  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->body, "Proxy-Authorization: Basic [redacted] ([redacted])");
  EXPECT_EQ(values_of(res->headers, "X-Seen"), std::vector<std::string>{"Basic [redacted]"});
  EXPECT_EQ(values_of(proxy.requests().at(0).headers, "Proxy-Authorization"),
            std::vector<std::string>{"Basic dXNlcjpwQHNzd29yZDEy"});
}

TEST_F(BeastTransportTls, HttpsTunnelsThroughConnectAndVerifiesTheTarget) {
  http_server server(in_order({reply{200, {}, "tunnelled"}}), local_cert_);
  connect_proxy proxy;
  auto transport = trusting_transport(proxies_of(
      {{"https_proxy", "http://proxy-user:s3cret@127.0.0.1:" + std::to_string(proxy.port())}}));

  const auto res =
      transport->send(make_request(local_url(server.port(), "/", "https", "localhost")), quick);

  ASSERT_TRUE(res.has_value()) << res.error().message;
  EXPECT_EQ(res->body, "tunnelled");
  const auto tunnels = proxy.requests();
  ASSERT_EQ(tunnels.size(), 1U);
  EXPECT_EQ(tunnels[0].method, "CONNECT");
  EXPECT_EQ(tunnels[0].target, "localhost:" + std::to_string(server.port()));
  EXPECT_EQ(values_of(tunnels[0].headers, "Proxy-Authorization"),
            std::vector<std::string>{"Basic cHJveHktdXNlcjpzM2NyZXQ="});
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].server_name, "localhost");
  EXPECT_EQ(seen[0].target, "/");
  EXPECT_TRUE(values_of(seen[0].headers, "Proxy-Authorization").empty());
}

TEST_F(BeastTransportTls, ProxyRefusingConnectIsANetworkError) {
  connect_proxy proxy(407);
  auto transport = trusting_transport(proxies_of(
      {{"https_proxy", "http://proxy-user:s3cret@127.0.0.1:" + std::to_string(proxy.port())}}));

  const auto res = transport->send(make_request("https://logs.us-east-1.amazonaws.com/"), quick);

  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, core::errc::network);
  EXPECT_TRUE(contains(res.error().message, "407")) << res.error().message;
  EXPECT_FALSE(contains(res.error().message, "s3cret"));
}

}  // namespace
}  // namespace cwp::http
