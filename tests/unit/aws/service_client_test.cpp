#include "aws/service_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace cwp::aws {
namespace {

using namespace std::chrono_literals;

constexpr const char* secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRETKEY";

// Hands out a fixed key until invalidated, then a rotated one (a refreshed session).
class rotating_provider final : public credentials_provider {
 public:
  core::result<credentials> get() override {
    return credentials{rotated_ ? "ASIAROTATED" : "ASIAFIRST", secret, rotated_ ? "tok2" : "tok1",
                       std::nullopt, "test"};
  }
  void invalidate() override {
    rotated_ = true;
    ++invalidations;
  }
  int invalidations{0};

 private:
  bool rotated_{false};
};

class static_provider final : public credentials_provider {
 public:
  core::result<credentials> get() override {
    return credentials{"AKIASTATIC", secret, "", std::nullopt, "test"};
  }
};

class ServiceClient : public ::testing::Test {
 protected:
  service_client make(credentials_provider& creds, int max_attempts = 3) {
    retry_settings r;
    r.max_attempts = max_attempts;
    const client_context ctx{.transport = &transport,
                             .credentials = &creds,
                             .clock = &clock,
                             .skew = &skew,
                             .retry = r,
                             .quota = quota,
                             .uniform01 = [] { return 0.5; },
                             .timeouts = {},
                             .log = &log,
                             .retries = nullptr};
    endpoint ep{*http::url::parse("https://logs.us-east-1.amazonaws.com"), "us-east-1", "logs",
                "default"};
    return service_client(ctx, ep);
  }

  static http::request put_request() {
    http::request req;
    req.method = "POST";
    req.add_header("Content-Type", "application/x-amz-json-1.1");
    req.add_header("X-Amz-Target", "Logs_20140328.PutLogEvents");
    req.body = "{}";
    return req;
  }

  static std::vector<http::header> aws_error(const std::string& code) {
    return {{"x-amzn-ErrorType", code}, {"x-amzn-RequestId", "rid"}};
  }

  testing::fake_clock clock;
  testing::scripted_transport transport;
  testing::capturing_sink sink;
  logging::logger log{sink, clock, "test"};
  clock_skew skew{clock};
  std::shared_ptr<retry_quota> quota = std::make_shared<retry_quota>();
  static_provider static_creds;
};

TEST_F(ServiceClient, SignsAndSendsToTheEndpoint) {
  transport.respond(200, "{}");
  ASSERT_TRUE(make(static_creds).call("PutLogEvents", put_request()));
  ASSERT_EQ(transport.requests().size(), 1U);
  const auto& sent = transport.requests()[0];
  EXPECT_EQ(sent.target.host, "logs.us-east-1.amazonaws.com");
  EXPECT_EQ(sent.find_header("Host"), "logs.us-east-1.amazonaws.com");
  EXPECT_EQ(sent.find_header("X-Amz-Date"), core::format_amz_date(clock.now()));
  EXPECT_TRUE(
      sent.find_header("Authorization")->starts_with("AWS4-HMAC-SHA256 Credential=AKIASTATIC/"));
  EXPECT_EQ(quota->available(), retry_quota::capacity);
}

TEST_F(ServiceClient, RetriesThrottlingWithJitteredBackoffThenSucceeds) {
  transport.respond(400, R"({"message":"Rate exceeded"})", aws_error("ThrottlingException"))
      .respond(400, R"({"message":"Rate exceeded"})", aws_error("ThrottlingException"))
      .respond(200, "{}");
  ASSERT_TRUE(make(static_creds).call("PutLogEvents", put_request()));
  EXPECT_EQ(transport.requests().size(), 3U);
  // U=0.5 of ceilings 1 s and 2 s.
  ASSERT_EQ(clock.sleeps().size(), 2U);
  EXPECT_EQ(clock.sleeps()[0], 500ms);
  EXPECT_EQ(clock.sleeps()[1], 1000ms);
  EXPECT_EQ(sink.count(logging::level::warn), 2U);
  // Each attempt is signed anew at its own time.
  EXPECT_NE(transport.requests()[0].find_header("Authorization"),
            transport.requests()[2].find_header("Authorization"));
  EXPECT_EQ(quota->available(), retry_quota::capacity - retry_quota::retry_cost);
}

TEST_F(ServiceClient, EveryAttemptCarriesTheSameBodyAndOneSetOfSigningHeaders) {
  transport.respond(503, "busy").respond(200, "{}");
  const auto req = put_request();
  ASSERT_TRUE(make(static_creds).call("PutLogEvents", req));
  ASSERT_EQ(transport.requests().size(), 2U);
  for (const auto& sent : transport.requests()) {
    EXPECT_EQ(sent.body, req.body);
    std::size_t authorizations = 0;
    std::size_t dates = 0;
    for (const auto& h : sent.headers) {
      authorizations += http::iequals(h.name, "Authorization") ? 1U : 0U;
      dates += http::iequals(h.name, "X-Amz-Date") ? 1U : 0U;
    }
    EXPECT_EQ(authorizations, 1U);
    EXPECT_EQ(dates, 1U);
    EXPECT_EQ(sent.headers.size(), transport.requests()[0].headers.size());
  }
}

TEST_F(ServiceClient, GivesUpAfterMaxAttemptsAndSaysSo) {
  transport.respond(503, "<html>unavailable</html>")
      .fail(core::errc::network, "connection reset")
      .respond(500, "{}", aws_error("InternalFailure"));
  const auto r = make(static_creds).call("PutLogEvents", put_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(transport.requests().size(), 3U);
  EXPECT_EQ(r.error().remote_code, "InternalFailure");
  EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos);
}

TEST_F(ServiceClient, NeverRetriesOtherClientErrors) {
  transport.respond(400, R"({"message":"no"})", aws_error("AccessDeniedException"));
  const auto r = make(static_creds).call("PutLogEvents", put_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(transport.requests().size(), 1U);
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(r.error().remote_code, "AccessDeniedException");
  EXPECT_EQ(r.error().request_id, "rid");
}

TEST_F(ServiceClient, HonoursMaxAttemptsOfOne) {
  transport.respond(503, "");
  EXPECT_FALSE(make(static_creds, 1).call("PutLogEvents", put_request()));
  EXPECT_EQ(transport.requests().size(), 1U);
}

TEST_F(ServiceClient, StopsRetryingWhenTheQuotaIsExhausted) {
  while (quota->acquire(core::error{core::errc::network, ""}) > 0) {
  }
  transport.fail(core::errc::network, "refused").respond(200, "{}");
  const auto r = make(static_creds).call("PutLogEvents", put_request());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("retry quota"), std::string::npos);
  EXPECT_EQ(transport.requests().size(), 1U);
}

TEST_F(ServiceClient, CorrectsTheSigningClockFromTheDateHeaderAndRetriesAtOnce) {
  const auto server_time = std::chrono::floor<std::chrono::seconds>(clock.now() + 1h);
  const std::string date = "Date";
  // RFC 1123 form of server_time.
  const std::time_t tt = std::chrono::system_clock::to_time_t(server_time);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 64> buf{};
  const auto n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  transport
      .respond(
          400, R"({"message":"Signature expired"})",
          {{"x-amzn-ErrorType", "InvalidSignatureException"}, {date, std::string(buf.data(), n)}})
      .respond(200, "{}");
  ASSERT_TRUE(make(static_creds).call("PutLogEvents", put_request()));
  ASSERT_EQ(transport.requests().size(), 2U);
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(transport.requests()[1].find_header("X-Amz-Date"), core::format_amz_date(server_time));
  EXPECT_TRUE(sink.contains("clock"));
}

TEST_F(ServiceClient, SignatureMismatchWithoutSkewIsNotRetried) {
  transport.respond(400, R"({"message":"does not match"})", aws_error("InvalidSignatureException"));
  EXPECT_FALSE(make(static_creds).call("PutLogEvents", put_request()));
  EXPECT_EQ(transport.requests().size(), 1U);
}

TEST_F(ServiceClient, ExpiredTokenRefreshesCredentialsOnceAndRetries) {
  rotating_provider creds;
  transport.respond(400, R"({"message":"expired"})", aws_error("ExpiredTokenException"))
      .respond(200, "{}");
  ASSERT_TRUE(make(creds).call("PutLogEvents", put_request()));
  EXPECT_EQ(creds.invalidations, 1);
  ASSERT_EQ(transport.requests().size(), 2U);
  EXPECT_EQ(transport.requests()[1].find_header("X-Amz-Security-Token"), "tok2");
}

TEST_F(ServiceClient, ExpiredTokenWithUnchangedCredentialsFailsWithoutRetry) {
  transport.respond(400, R"({"message":"bad"})", aws_error("UnrecognizedClientException"))
      .respond(200, "{}");
  EXPECT_FALSE(make(static_creds).call("PutLogEvents", put_request()));
  EXPECT_EQ(transport.requests().size(), 1U);
}

TEST_F(ServiceClient, CredentialFailureIsReturnedWithoutSending) {
  class failing final : public credentials_provider {
   public:
    core::result<credentials> get() override {
      return core::fail(core::errc::credentials, "no credentials");
    }
  } creds;
  const auto r = make(creds).call("PutLogEvents", put_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::errc::credentials);
  EXPECT_TRUE(transport.requests().empty());
}

TEST_F(ServiceClient, NoLogLineOrErrorEverContainsTheSecretOrSignature) {
  rotating_provider creds;
  transport.respond(400, "{}", aws_error("ThrottlingException"))
      .respond(400, "{}", aws_error("ExpiredTokenException"))
      .respond(503, "");
  const auto r = make(creds).call("PutLogEvents", put_request());
  ASSERT_FALSE(r);
  const std::string all = sink.text() + r.error().message;
  EXPECT_EQ(all.find(secret), std::string::npos);
  EXPECT_EQ(all.find("tok1"), std::string::npos);
  for (const auto& req : transport.requests()) {
    const auto auth = *req.find_header("Authorization");
    const auto sig = auth.substr(auth.find("Signature=") + 10);
    EXPECT_EQ(all.find(sig), std::string::npos);
  }
}

// Temporary credentials with a session token long enough to be recognisable in any text.
class session_provider final : public credentials_provider {
 public:
  static constexpr const char* token = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue/with+slash=";
  core::result<credentials> get() override {
    return credentials{"ASIASESSION", secret, token, std::nullopt, "test"};
  }
};

// What AWS answers when a signature does not verify: the message quotes the canonical request it
// expected, whose headers include x-amz-security-token. This server also echoes the whole
// Authorization value (signature included) and the secret key: the worst a server could send.
http::response echoing_answer(const http::request& sent, int status, const std::string& code) {
  const std::string message =
      "The request signature we calculated does not match the signature you provided.\n\n"
      "The Canonical String for this request should have been\n'POST\n/\n\n"
      "host:" +
      sent.find_header("Host").value_or("") +
      "\nx-amz-date:" + sent.find_header("X-Amz-Date").value_or("") +
      "\nx-amz-security-token:" + sent.find_header("X-Amz-Security-Token").value_or("") +
      "\n'\nAuthorization: " + sent.find_header("Authorization").value_or("") +
      "\nSecret: " + secret;
  const nlohmann::json body{{"__type", code}, {"message", message}};
  return http::response{status, {{"x-amzn-RequestId", "rid"}}, body.dump()};
}

TEST_F(ServiceClient, ServerTextQuotingTheRequestsSecretsIsScrubbedFromErrorsAndRetryLines) {
  session_provider creds;
  int answered = 0;
  transport.otherwise([&answered](const http::request& sent) -> core::result<http::response> {
    return ++answered == 1 ? echoing_answer(sent, 500, "InternalFailure")
                           : echoing_answer(sent, 400, "InvalidSignatureException");
  });
  const auto r = make(creds).call("PutLogEvents", put_request());
  ASSERT_FALSE(r);
  ASSERT_EQ(transport.requests().size(), 2U);
  EXPECT_EQ(r.error().remote_code, "InvalidSignatureException");
  EXPECT_EQ(sink.count(logging::level::warn), 1U) << "the 500 was retried once";
  // What stays is the server's explanation, with the secrets cut out.
  EXPECT_NE(r.error().message.find("x-amz-security-token:[redacted]"), std::string::npos)
      << r.error().message;
  const std::string all = sink.text() + "\n" + r.error().message;
  EXPECT_EQ(all.find(session_provider::token), std::string::npos) << all;
  EXPECT_EQ(all.find(secret), std::string::npos) << all;
  for (const auto& req : transport.requests()) {
    const auto auth = *req.find_header("Authorization");
    EXPECT_EQ(all.find(auth), std::string::npos) << all;
    EXPECT_EQ(all.find(auth.substr(auth.find("Signature=") + 10)), std::string::npos) << all;
  }
}

}  // namespace
}  // namespace cwp::aws
