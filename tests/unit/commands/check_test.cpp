#include "commands/check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands/check_hints.h"
#include "support/scripted_platform.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

constexpr const char* identity = R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/publisher</Arn><Account>123456789012</Account>
</GetCallerIdentityResult></GetCallerIdentityResponse>)";
constexpr const char* secret = "s3cr3t/Key+value";
constexpr const char* token = "FwoGZXIvYXdzEXAMPLEsessionTOKEN";
// The fake clock's start, 2026-01-01T00:00:00Z, as an HTTP Date.
constexpr const char* now_date = "Thu, 01 Jan 2026 00:00:00 GMT";

std::string xml_error(const char* code, const char* message) {
  return std::string("<ErrorResponse><Error><Code>") + code + "</Code><Message>" + message +
         "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
}

class Check : public ::testing::Test, protected testing::scripted_platform {
 protected:
  Check() : scripted_platform({}, core::sys_time{std::chrono::seconds{1'767'225'600}}) {}

  check_report run(testing::variables vars, bool write = false) {
    vars.emplace("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    vars.emplace("AWS_REGION", "eu-west-1");
    vars.emplace("HOSTNAME", "node-7");
    set_environment(std::move(vars));
    auto s = config::resolve({}, env());
    EXPECT_TRUE(s);
    const auto report =
        run_checks(*s, platform(), check_options{.write = write, .json = false, .colour = false});
    EXPECT_TRUE(sink.lines().empty()) << "check logs nothing: " << sink.text();
    return report;
  }

  static testing::variables keys() {
    return {{"AWS_ACCESS_KEY_ID", "AKIDPUBLISHER1234"}, {"AWS_SECRET_ACCESS_KEY", secret}};
  }

  // Queues an answer carrying the server's Date, as AWS (and moto) send. Public: tests chain it.
 public:
  Check& respond(int status, std::string body, std::vector<http::header> headers = {}) {
    headers.push_back({"Date", now_date});
    transport.respond(status, std::move(body), std::move(headers));
    return *this;
  }

 protected:
  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) {
      if (auto t = r.find_header("X-Amz-Target")) {
        out.push_back(t->substr(std::string("Logs_20140328.").size()));
      } else {
        out.push_back("STS");
      }
    }
    return out;
  }

  static const check_result& named(const check_report& r, std::string_view name) {
    for (const auto& c : r.checks) {
      if (c.name == name) return c;
    }
    throw std::runtime_error("no check named " + std::string(name));
  }

  static std::vector<std::string> names(const check_report& r) {
    std::vector<std::string> out;
    for (const auto& c : r.checks) out.push_back(c.name);
    return out;
  }

  static bool all(const check_report& r, check_status s) {
    return std::all_of(r.checks.begin(), r.checks.end(),
                       [s](const check_result& c) { return c.status == s; });
  }
};

const std::vector<std::string> every_check{"region",          "endpoints",   "credentials",
                                           "caller identity", "clock skew",  "log group",
                                           "log stream",      "write access"};

TEST_F(Check, HealthyReadOnlyRunPassesEveryCheckWithoutWritingAnything) {
  respond(200, identity).respond(200, R"({"logGroups":[]})");
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_EQ(names(r), every_check);
  EXPECT_TRUE(all(r, check_status::pass)) << render_text(r, false);
  EXPECT_EQ(targets(), (std::vector<std::string>{"STS", "DescribeLogGroups"}));
  EXPECT_EQ(named(r, "region").detail, "eu-west-1 (AWS_REGION)");
  EXPECT_EQ(named(r, "endpoints").detail,
            "CloudWatch Logs http://127.0.0.1:9 (AWS_ENDPOINT_URL), STS http://127.0.0.1:9 "
            "(AWS_ENDPOINT_URL)");
  EXPECT_EQ(named(r, "credentials").detail, "environment, access key ****1234, does not expire");
  EXPECT_EQ(named(r, "caller identity").detail,
            "arn:aws:iam::123456789012:user/publisher (account 123456789012)");
  EXPECT_EQ(named(r, "clock skew").detail, "local clock within 1 s of AWS");
  EXPECT_EQ(named(r, "log group").detail,
            "/monorepo-fem/heartbeat does not exist; will be created on first publish");
  EXPECT_EQ(named(r, "log stream").detail,
            "heartbeat-2026-01-01 does not exist; will be created on first publish");
  EXPECT_EQ(named(r, "write access").detail, "not tested (read-only check)");
  EXPECT_NE(named(r, "write access").hint.find("check --write"), std::string::npos);
}

TEST_F(Check, ExistingGroupAndStreamAreReportedAsExisting) {
  respond(200, identity)
      .respond(200, R"({"logGroups":[{"logGroupName":"/monorepo-fem/heartbeat"}]})")
      .respond(200, R"({"logStreams":[{"logStreamName":"heartbeat-2026-01-01"}]})");
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_EQ(named(r, "log group").detail, "/monorepo-fem/heartbeat exists (class STANDARD)");
  EXPECT_EQ(named(r, "log stream").detail, "heartbeat-2026-01-01 exists");
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"STS", "DescribeLogGroups", "DescribeLogStreams"}));
}

TEST_F(Check, AnInfrequentAccessGroupIsReportedAndWarnsWhenEmfIsOn) {
  const std::string group =
      R"({"logGroups":[{"logGroupName":"/monorepo-fem/heartbeat","logGroupClass":"INFREQUENT_ACCESS"}]})";
  const std::string stream = R"({"logStreams":[{"logStreamName":"heartbeat-2026-01-01"}]})";
  respond(200, identity).respond(200, group).respond(200, stream);
  auto r = run(keys());
  EXPECT_EQ(named(r, "log group").status, check_status::pass);
  EXPECT_EQ(named(r, "log group").detail,
            "/monorepo-fem/heartbeat exists (class INFREQUENT_ACCESS)");

  respond(200, identity).respond(200, group).respond(200, stream);
  auto vars = keys();
  vars.emplace("CWP_EMF_NAMESPACE", "CloudWatchPublisher");
  r = run(vars);
  EXPECT_EQ(r.code, exit_code::ok);  // publishing works; the metric does not
  EXPECT_EQ(named(r, "log group").status, check_status::warn);
  EXPECT_NE(named(r, "log group").hint.find("extract no metrics from Embedded Metric Format"),
            std::string::npos);
  EXPECT_NE(render_text(r, false).find("\u26A0 log group: /monorepo-fem/heartbeat exists (class "
                                       "INFREQUENT_ACCESS)\n    hint: "),
            std::string::npos)
      << render_text(r, false);
  EXPECT_NE(render_json(r).find(R"("status":"warn","ok":true)"), std::string::npos);
}

TEST_F(Check, WriteWithCreateLogGroupDeniedGoesOnAsPublishingDoes) {
  respond(200, identity)
      .respond(400, R"({"message":"not authorized"})",
               {{"x-amzn-ErrorType", "AccessDeniedException"}})
      .respond(200, "")
      .respond(200, "{}");
  const auto r = run(keys(), /*write=*/true);
  EXPECT_EQ(r.code, exit_code::ok) << render_text(r, false);
  EXPECT_EQ(named(r, "log group").detail,
            "/monorepo-fem/heartbeat: not created (logs:CreateLogGroup is not allowed)");
  EXPECT_EQ(named(r, "write access").status, check_status::pass);
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"STS", "CreateLogGroup", "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Check, WithCreateLogGroupOffAMissingGroupFailsWithTheFix) {
  respond(200, identity).respond(200, R"({"logGroups":[]})");
  auto vars = keys();
  vars.emplace("CWP_CREATE_LOG_GROUP", "false");
  auto r = run(vars);
  EXPECT_EQ(r.code, exit_code::failed);
  EXPECT_EQ(named(r, "log group").detail,
            "/monorepo-fem/heartbeat does not exist, and CWP_CREATE_LOG_GROUP=false");
  EXPECT_NE(named(r, "log group")
                .hint.find("aws logs create-log-group --log-group-name "
                           "/monorepo-fem/heartbeat"),
            std::string::npos);
  // --write creates no group either: the stream's creation finds it missing.
  respond(200, identity)
      .respond(400, R"({"message":"The specified log group does not exist."})",
               {{"x-amzn-ErrorType", "ResourceNotFoundException"}});
  r = run(vars, /*write=*/true);
  EXPECT_EQ(r.code, exit_code::failed);
  EXPECT_EQ(named(r, "log stream").status, check_status::fail);
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"STS", "DescribeLogGroups", "STS", "CreateLogStream"}));
}

TEST_F(Check, DescribeNotAllowedIsFineForPublishingAndSaysSo) {
  // The least-privilege publishing policy has no Describe* actions.
  respond(200, identity)
      .respond(403, xml_error("AccessDenied", "not authorized to perform: logs:DescribeLogGroups"))
      .respond(403,
               xml_error("AccessDenied", "not authorized to perform: logs:DescribeLogStreams"));
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_TRUE(all(r, check_status::pass)) << render_text(r, false);
  EXPECT_EQ(named(r, "log group").detail,
            "/monorepo-fem/heartbeat: not verified (logs:DescribeLogGroups is not allowed)");
  EXPECT_NE(named(r, "log group").hint.find("publishing does not need it"), std::string::npos);
}

TEST_F(Check, WriteCreatesGroupAndStreamAndPutsOneEventMarkedAsACheck) {
  respond(200, identity).respond(200, "").respond(200, "").respond(200, "{}");
  const auto r = run(keys(), /*write=*/true);
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_TRUE(all(r, check_status::pass)) << render_text(r, false);
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"STS", "CreateLogGroup", "CreateLogStream", "PutLogEvents"}));
  EXPECT_EQ(named(r, "log group").detail, "/monorepo-fem/heartbeat created");
  EXPECT_EQ(named(r, "write access").detail,
            "test event accepted in /monorepo-fem/heartbeat/heartbeat-2026-01-01");
  const auto body = nlohmann::json::parse(transport.requests().back().body);
  ASSERT_EQ(body["logEvents"].size(), 1U);
  EXPECT_EQ(body["logEvents"][0]["timestamp"], 1'767'225'600'000LL);
  const auto message = nlohmann::json::parse(body["logEvents"][0]["message"].get<std::string>());
  EXPECT_EQ(message["event"], "check");
  EXPECT_EQ(message["host"], "node-7");
  EXPECT_NE(message["message"].get<std::string>().find("not a heartbeat"), std::string::npos);
}

TEST_F(Check, WriteAcceptsAGroupAndStreamThatAlreadyExist) {
  const std::vector<http::header> exists{{"x-amzn-ErrorType", "ResourceAlreadyExistsException"}};
  respond(200, identity).respond(400, "{}", exists).respond(400, "{}", exists).respond(200, "{}");
  const auto r = run(keys(), /*write=*/true);
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_EQ(named(r, "log group").detail, "/monorepo-fem/heartbeat exists");
  EXPECT_EQ(named(r, "log stream").detail, "heartbeat-2026-01-01 exists");
}

TEST_F(Check, NoCredentialsExitTwoWithHowToProvideThemAndCallNothing) {
  const auto r = run({});
  EXPECT_EQ(r.code, exit_code::usage);
  EXPECT_TRUE(transport.requests().empty());
  const auto& c = named(r, "credentials");
  EXPECT_EQ(c.status, check_status::fail);
  EXPECT_NE(c.detail.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(c.hint.find("AWS_PROFILE"), std::string::npos);
  EXPECT_NE(c.hint.find("role"), std::string::npos);
  EXPECT_EQ(names(r), every_check);
  for (const auto* name : {"caller identity", "clock skew", "log group", "write access"}) {
    EXPECT_EQ(named(r, name).status, check_status::skip) << name;
  }
}

TEST_F(Check, WrongSecretExitThreeAndPointsAtTheKeyPair) {
  respond(403, xml_error("SignatureDoesNotMatch",
                         "The request signature we calculated does not "
                         "match the signature you provided."));
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::credentials_rejected);
  const auto& c = named(r, "caller identity");
  EXPECT_EQ(c.status, check_status::fail);
  EXPECT_NE(c.detail.find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(c.hint.find("secret access key does not belong to access key ****1234"),
            std::string::npos);
  // The error answer still carried a Date: the clock is checked anyway.
  EXPECT_EQ(named(r, "clock skew").status, check_status::pass);
  EXPECT_EQ(named(r, "log group").status, check_status::skip);
  EXPECT_EQ(transport.requests().size(), 1U);
}

TEST_F(Check, UnknownAccessKeySaysAwsDoesNotKnowIt) {
  respond(403, xml_error("InvalidClientTokenId",
                         "The security token included in the request "
                         "is invalid."));
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::credentials_rejected);
  EXPECT_NE(named(r, "caller identity").hint.find("AWS does not know access key ****1234"),
            std::string::npos);
}

TEST_F(Check, MissingPermissionNamesTheActionsAndTheLogGroupArn) {
  respond(200, identity)
      .respond(200, "")
      .respond(403, xml_error("AccessDenied",
                              "User: arn:aws:iam::123456789012:user/publisher is "
                              "not authorized to perform: logs:CreateLogStream"));
  const auto r = run(keys(), /*write=*/true);
  EXPECT_EQ(r.code, exit_code::failed);
  const auto& c = named(r, "log stream");
  EXPECT_EQ(c.status, check_status::fail);
  EXPECT_EQ(c.hint,
            "arn:aws:iam::123456789012:user/publisher may not call logs:CreateLogStream: allow "
            "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on "
            "arn:aws:logs:eu-west-1:123456789012:log-group:/monorepo-fem/heartbeat:*");
  EXPECT_EQ(named(r, "write access").status, check_status::skip);
}

TEST_F(Check, DeniedPutIsAFailureAfterGroupAndStreamWereCreated) {
  respond(200, identity)
      .respond(200, "")
      .respond(200, "")
      .respond(400, R"({"message":"not authorized"})",
               {{"x-amzn-ErrorType", "AccessDeniedException"}});
  const auto r = run(keys(), /*write=*/true);
  EXPECT_EQ(r.code, exit_code::failed);
  EXPECT_EQ(named(r, "write access").status, check_status::fail);
  EXPECT_NE(named(r, "write access").hint.find("may not call logs:PutLogEvents"),
            std::string::npos);
}

TEST_F(Check, UnreachableEndpointIsNamedWithWhatToCheck) {
  transport.fail(core::errc::network, "connect to 127.0.0.1:9: Connection refused")
      .fail(core::errc::network, "connect to 127.0.0.1:9: Connection refused")
      .fail(core::errc::network, "connect to 127.0.0.1:9: Connection refused");
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::failed);
  const auto& c = named(r, "caller identity");
  EXPECT_EQ(c.status, check_status::fail);
  EXPECT_NE(c.hint.find("could not reach http://127.0.0.1:9"), std::string::npos) << c.hint;
  EXPECT_NE(c.hint.find("the endpoint comes from AWS_ENDPOINT_URL"), std::string::npos);
  EXPECT_NE(c.hint.find("HTTPS_PROXY"), std::string::npos);
  EXPECT_EQ(named(r, "clock skew").status, check_status::skip);
  EXPECT_EQ(named(r, "write access").status, check_status::skip);
}

TEST_F(Check, UnreachableLogsEndpointFailsTheGroupCheck) {
  respond(200, identity);
  transport.fail(core::errc::timeout, "request timed out")
      .fail(core::errc::timeout, "request timed out")
      .fail(core::errc::timeout, "request timed out");
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::failed);
  EXPECT_EQ(named(r, "log group").status, check_status::fail);
  EXPECT_NE(named(r, "log group").hint.find("could not reach"), std::string::npos);
}

TEST_F(Check, ClockMoreThanFourMinutesOffFailsWithASyncHint) {
  transport.respond(200, identity, {{"Date", "Thu, 01 Jan 2026 00:10:00 GMT"}})
      .respond(200, R"({"logGroups":[]})", {{"Date", "Thu, 01 Jan 2026 00:10:00 GMT"}});
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::failed);
  const auto& c = named(r, "clock skew");
  EXPECT_EQ(c.status, check_status::fail);
  EXPECT_EQ(c.detail, "local clock is 10 min behind AWS");
  EXPECT_NE(c.hint.find("sync the host clock (chrony"), std::string::npos);
  // Publishing itself signs with the corrected time, so the other checks still run.
  EXPECT_EQ(named(r, "log group").status, check_status::pass);
}

TEST_F(Check, SmallClockOffsetPassesAndIsShown) {
  transport.respond(200, identity, {{"Date", "Wed, 31 Dec 2025 23:59:30 GMT"}})
      .respond(200, R"({"logGroups":[]})", {{"Date", "Wed, 31 Dec 2025 23:59:30 GMT"}});
  const auto r = run(keys());
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_EQ(named(r, "clock skew").detail, "local clock is 30 s ahead of AWS");
}

TEST_F(Check, TemporaryCredentialsShowTheirExpiry) {
  respond(200, identity).respond(200, R"({"logGroups":[]})");
  auto vars = keys();
  vars.emplace("AWS_SESSION_TOKEN", token);
  vars.emplace("AWS_CREDENTIAL_EXPIRATION", "2026-01-01T01:00:00Z");
  const auto r = run(vars);
  EXPECT_EQ(r.code, exit_code::ok);
  EXPECT_EQ(named(r, "credentials").detail,
            "environment, access key ****1234, expires 2026-01-01T01:00:00Z (in 60 min)");
}

TEST_F(Check, ExpiredCredentialsFailBeforeAnyCall) {
  auto vars = keys();
  vars.emplace("AWS_SESSION_TOKEN", token);
  vars.emplace("AWS_CREDENTIAL_EXPIRATION", "2025-12-31T23:00:00Z");
  const auto r = run(vars);
  EXPECT_EQ(r.code, exit_code::credentials_rejected);
  EXPECT_EQ(named(r, "credentials").status, check_status::fail);
  EXPECT_TRUE(transport.requests().empty());
}

TEST_F(Check, RejectedTestEventPointsAtTheClock) {
  respond(200, identity)
      .respond(200, "")
      .respond(200, "")
      .respond(200, R"({"rejectedLogEventsInfo":{"tooNewLogEventStartIndex":0}})");
  const auto r = run(keys(), /*write=*/true);
  EXPECT_EQ(r.code, exit_code::failed);
  EXPECT_EQ(named(r, "write access").detail, "CloudWatch Logs rejected the test event as too new");
}

TEST_F(Check, OutputNeverContainsTheSecretOrTheToken) {
  auto vars = keys();
  vars.emplace("AWS_SESSION_TOKEN", token);
  std::vector<check_report> reports;
  respond(200, identity).respond(200, R"({"logGroups":[]})");
  reports.push_back(run(vars));
  respond(200, identity).respond(200, "").respond(200, "").respond(200, "{}");
  reports.push_back(run(vars, /*write=*/true));
  respond(403, xml_error("SignatureDoesNotMatch", "signature mismatch"));
  reports.push_back(run(vars));
  for (const auto& r : reports) {
    for (const auto& text : {render_text(r, false), render_text(r, true), render_json(r)}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << text;
      EXPECT_EQ(text.find(token), std::string::npos) << text;
      EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
    }
  }
}

TEST_F(Check, ServerTextQuotingTheRequestsSecretsNeverReachesTheReport) {
  auto vars = keys();
  vars.emplace("AWS_SESSION_TOKEN", token);
  std::vector<std::string> signatures;
  // AWS quotes the canonical request (with x-amz-security-token) when a signature does not
  // verify; this server also echoes the Authorization value and the secret key.
  transport.otherwise([&signatures](const http::request& sent) -> core::result<http::response> {
    const std::string auth = sent.find_header("Authorization").value_or("");
    signatures.push_back(auth.substr(auth.find("Signature=") + 10));
    const std::string quoted =
        "The Canonical String for this request should have been 'POST / "
        "x-amz-security-token:" +
        sent.find_header("X-Amz-Security-Token").value_or("") + "' Authorization: " + auth +
        " key " + secret;
    return http::response{
        403, {{"Date", now_date}}, xml_error("SignatureDoesNotMatch", quoted.c_str())};
  });
  const auto r = run(vars);
  EXPECT_EQ(r.code, exit_code::credentials_rejected);
  ASSERT_FALSE(signatures.empty());
  EXPECT_NE(named(r, "caller identity").detail.find("x-amz-security-token:[redacted]"),
            std::string::npos)
      << render_text(r, false);
  for (const auto& text : {render_text(r, false), render_json(r)}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(text.find(token), std::string::npos) << text;
    EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
    for (const auto& sig : signatures) EXPECT_EQ(text.find(sig), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace cwp::commands
