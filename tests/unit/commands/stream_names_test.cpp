// The second phase of the configuration, {instance_id} in stream templates: CWP_INSTANCE_ID
// first, then EC2 instance metadata (IMDSv2), asked once and only when a template uses it; when
// neither answers, exit 2 with an ERROR that says how to fix it. The metadata service is faked
// by the scripted transport.
#include "commands/stream_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands/check.h"
#include "commands/once.h"
#include "commands/send.h"
#include "support/scripted_platform.h"

namespace cwp::commands {
namespace {

using config::setting;
using daemon::exit_code;

constexpr const char* identity = R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/publisher</Arn><Account>123456789012</Account>
</GetCallerIdentityResult></GetCallerIdentityResponse>)";
constexpr const char* imds = "http://127.0.0.1:1338";

class InstanceId : public ::testing::Test, protected testing::scripted_platform {
 protected:
  InstanceId() : scripted_platform({}, core::sys_time{std::chrono::seconds{1'767'225'600}}) {}

  // Settings (and the platform's environment) from these variables, with keys, a local AWS
  // endpoint and, unless the test says otherwise, instance metadata enabled at 127.0.0.1:1338.
  config::settings make(testing::variables vars) {
    vars.emplace("AWS_ACCESS_KEY_ID", "AKIDPUBLISHER");
    vars.emplace("AWS_SECRET_ACCESS_KEY", "s3cr3t/Key+value");
    vars.emplace("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    vars.emplace("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds);
    vars.emplace("HOSTNAME", "node-7");
    set_environment(std::move(vars));
    auto s = config::resolve({}, env());
    EXPECT_TRUE(s) << s.error().message;
    return *s;
  }

  // The instance metadata service answers a token, then the instance id.
  void metadata_answers(const std::string& id) {
    transport.respond(200, "ToKeN-v2").respond(200, id + "\n");
  }

  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) out.push_back(r.method + " " + r.target.path);
    return out;
  }

  std::optional<logging::line> line_with(std::string_view message_start) const {
    for (const auto& l : sink.lines()) {
      if (l.message.starts_with(message_start)) return l;
    }
    return std::nullopt;
  }
};

TEST_F(InstanceId, ATemplateWithoutThePlaceholderNeverAsksInstanceMetadata) {
  const auto s = make({{"CWP_LOG_STREAM", "heartbeat-{hostname}-{date}"}});
  EXPECT_FALSE(s.instance_id) << "unknown after the first phase";
  auto names = resolve_stream_names(s, setting::log_stream, platform());
  ASSERT_TRUE(names);
  EXPECT_TRUE(transport.requests().empty());
  EXPECT_EQ(names->values.instance_id, "");
  EXPECT_EQ(names->render(clock.now()).value(), "heartbeat-node-7-2026-01-01");
  EXPECT_TRUE(sink.lines().empty());
}

TEST_F(InstanceId, TheOverrideWinsAndInstanceMetadataIsNotAsked) {
  const auto s =
      make({{"CWP_LOG_STREAM", "heartbeat-{instance_id}"}, {"CWP_INSTANCE_ID", "i-pinned"}});
  auto names =
      stream_names_or_log(s, setting::log_stream, platform(), logging::logger(sink, clock, "t"));
  ASSERT_TRUE(names);
  EXPECT_TRUE(transport.requests().empty());
  EXPECT_EQ(names->render(clock.now()).value(), "heartbeat-i-pinned");
  EXPECT_TRUE(sink.lines().empty()) << "nothing was resolved: " << sink.text();
}

TEST_F(InstanceId, WithoutTheOverrideInstanceMetadataIsAskedWithAnImdsV2Token) {
  metadata_answers("i-0123456789abcdef0");
  const auto s = make({{"CWP_LOG_STREAM", "heartbeat-{instance_id}"}});
  auto names = resolve_stream_names(s, setting::log_stream, platform());
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(names->values.instance_id, "i-0123456789abcdef0");
  EXPECT_FALSE(s.instance_id) << "the settings are not patched";
  EXPECT_EQ(paths(), (std::vector<std::string>{"PUT /latest/api/token",
                                               "GET /latest/meta-data/instance-id"}));
  EXPECT_EQ(transport.requests()[0].target.origin(), imds);
  EXPECT_EQ(transport.requests()[1].find_header("X-aws-ec2-metadata-token"), "ToKeN-v2");
}

TEST_F(InstanceId, DisabledInstanceMetadataWithoutOverrideIsAnErrorNamingTheSettingAndTheFixes) {
  const auto s =
      make({{"CWP_SEND_STREAM", "{instance_id}"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto asked = resolve_stream_names(s, setting::send_stream, platform());
  ASSERT_FALSE(asked);
  EXPECT_EQ(asked.error().code, core::errc::invalid_argument);
  EXPECT_EQ(asked.error().message,
            "CWP_SEND_STREAM uses {instance_id} but no instance id is known: CWP_INSTANCE_ID is "
            "not set and EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)");
  EXPECT_TRUE(transport.requests().empty());
  EXPECT_NE(instance_id_hint.find("CWP_INSTANCE_ID"), std::string_view::npos);
  EXPECT_NE(instance_id_hint.find("hop-limit 2"), std::string_view::npos);
  EXPECT_NE(instance_id_hint.find("{hostname}"), std::string_view::npos);
}

TEST_F(InstanceId, UnreachableInstanceMetadataIsAnErrorThatSaysSo) {
  transport.fail(core::errc::timeout, "timed out");
  const auto s = make({{"CWP_LOG_STREAM", "hb-{instance_id}"}});
  auto asked = resolve_stream_names(s, setting::log_stream, platform());
  ASSERT_FALSE(asked);
  EXPECT_NE(asked.error().message.find("CWP_LOG_STREAM uses {instance_id}"), std::string::npos);
  EXPECT_NE(asked.error().message.find("not reachable (no answer in time)"), std::string::npos)
      << asked.error().message;
}

TEST_F(InstanceId, AnIdThatCannotBeInAStreamNameIsRefused) {
  metadata_answers("i-0abc:evil");
  const auto s = make({{"CWP_LOG_STREAM", "hb-{instance_id}"}});
  auto asked = resolve_stream_names(s, setting::log_stream, platform());
  ASSERT_FALSE(asked);
  EXPECT_NE(asked.error().message.find("'i-0abc:evil', which cannot be part of a log stream name"),
            std::string::npos);
}

TEST_F(InstanceId, AnOverrideThatCannotBeInAStreamNameIsASettingsError) {
  auto s = config::resolve({}, core::map_environment({{"CWP_INSTANCE_ID", "i-1:2"}}));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("CWP_INSTANCE_ID: 'i-1:2' cannot be part of a log stream name"),
            std::string::npos);
}

TEST_F(InstanceId, OncePublishesToTheStreamNamedAfterTheInstance) {
  metadata_answers("i-0abc");
  transport.respond(200, identity).respond(200, "").respond(200, "").respond(200, "{}");
  const auto s = make({{"CWP_LOG_STREAM", "heartbeat-{instance_id}-{date}"}});
  EXPECT_EQ(run_once(s, platform()), exit_code::ok) << sink.text();
  const auto body = nlohmann::json::parse(transport.requests().back().body);
  EXPECT_EQ(body["logStreamName"], "heartbeat-i-0abc-2026-01-01");
  ASSERT_TRUE(line_with("Resolved {instance_id} from EC2 instance metadata")) << sink.text();
  EXPECT_NE(sink.text().find(R"("instance_id":"i-0abc")"), std::string::npos);
  EXPECT_EQ(paths().at(1), "GET /latest/meta-data/instance-id") << "asked before any AWS call";
}

TEST_F(InstanceId, OnceWithoutAnyInstanceIdExitsTwoBeforeCallingAws) {
  transport.fail(core::errc::network, "connection refused");
  const auto s = make({{"CWP_LOG_STREAM", "heartbeat-{instance_id}"}});
  EXPECT_EQ(run_once(s, platform()), exit_code::usage);
  EXPECT_EQ(transport.requests().size(), 1U) << "only the token request";
  const auto error = line_with("CWP_LOG_STREAM uses {instance_id} but no instance id is known");
  ASSERT_TRUE(error) << sink.text();
  EXPECT_EQ(error->severity, logging::level::error);
  EXPECT_NE(error->message.find(std::string(instance_id_hint)), std::string::npos);
}

TEST_F(InstanceId, AnIdMakingTheNameTooLongIsExitTwoBeforeAnyAwsCall) {
  metadata_answers("i-0123456789abcdef0");
  const auto s = make({{"CWP_LOG_STREAM", std::string(500, 'x') + "-{instance_id}"}});
  EXPECT_EQ(run_once(s, platform()), exit_code::usage);
  EXPECT_EQ(paths(), (std::vector<std::string>{"PUT /latest/api/token",
                                               "GET /latest/meta-data/instance-id"}))
      << "instance metadata only: no STS, no CloudWatch Logs";
  const auto error = line_with("CWP_LOG_STREAM: '");
  ASSERT_TRUE(error) << sink.text();
  EXPECT_EQ(error->severity, logging::level::error);
  EXPECT_NE(error->message.find("(520 characters)"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("shorten CWP_LOG_STREAM"), std::string::npos);
}

TEST_F(InstanceId, SendUsesTheOverrideInItsStream) {
  transport.otherwise([](const http::request&) -> core::result<http::response> {
    return http::response{200, {}, "{}"};
  });
  const auto s =
      make({{"CWP_SEND_STREAM", "deploys-{instance_id}"}, {"CWP_INSTANCE_ID", "i-send"}});
  std::ostringstream status;
  EXPECT_EQ(run_send(s, platform(), send_request{"hello", nullptr, &status, false}), exit_code::ok)
      << sink.text();
  const auto body = nlohmann::json::parse(transport.requests().back().body);
  EXPECT_EQ(body["logStreamName"], "deploys-i-send");
}

TEST_F(InstanceId, SendWithoutAnyInstanceIdExitsTwo) {
  const auto s =
      make({{"CWP_SEND_STREAM", "{instance_id}"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  std::ostringstream status;
  EXPECT_EQ(run_send(s, platform(), send_request{"hello", nullptr, &status, false}),
            exit_code::usage);
  EXPECT_TRUE(transport.requests().empty());
  EXPECT_TRUE(line_with("CWP_SEND_STREAM uses {instance_id}")) << sink.text();
}

TEST_F(InstanceId, CheckShowsTheResolvedStreamName) {
  transport.respond(200, identity);
  metadata_answers("i-0check");
  const auto s = make({{"CWP_LOG_STREAM", "heartbeat-{instance_id}"}});
  const auto report = run_checks(s, platform(), check_options{});
  EXPECT_NE(render_json(report).find(R"("log_stream":"heartbeat-i-0check")"), std::string::npos)
      << render_json(report);
}

TEST_F(InstanceId, CheckFailsTheLogStreamWithTheFixesWhenNoIdIsKnown) {
  transport.respond(200, identity);
  const auto s =
      make({{"CWP_LOG_STREAM", "heartbeat-{instance_id}"}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  const auto report = run_checks(s, platform(), check_options{});
  EXPECT_EQ(report.code, exit_code::usage);
  const auto stream = std::find_if(report.checks.begin(), report.checks.end(),
                                   [](const auto& c) { return c.name == "log stream"; });
  ASSERT_NE(stream, report.checks.end());
  EXPECT_EQ(stream->status, check_status::fail);
  EXPECT_NE(stream->detail.find("CWP_LOG_STREAM uses {instance_id}"), std::string::npos);
  EXPECT_EQ(stream->hint, instance_id_hint);
  EXPECT_EQ(report.checks.back().status, check_status::skip);
}

}  // namespace
}  // namespace cwp::commands
