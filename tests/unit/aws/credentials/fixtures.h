#pragma once
// Shared pieces of the credentials provider tests: an STS target over a scripted transport and a
// fake clock, canned STS and JSON credential documents, and recognisable secret values that the
// log/error scan looks for.

#include <chrono>
#include <string>
#include <vector>

#include "aws/clock_skew.h"
#include "aws/sts_client.h"
#include "core/time_format.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace cwp::aws::test {

// Every secret or token in these tests starts with one of these, so a scan can find leaks.
inline constexpr std::string_view secret_marker = "SeCrEt";
inline constexpr std::string_view token_marker = "ToKeN";

inline std::string sts_credentials_xml(std::string_view operation, std::string_view key,
                                       std::string_view secret, std::string_view token,
                                       core::sys_time expiration) {
  const std::string op(operation);
  return "<" + op + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + op +
         "Result><Credentials><AccessKeyId>" + std::string(key) +
         "</AccessKeyId><SecretAccessKey>" + std::string(secret) +
         "</SecretAccessKey><SessionToken>" + std::string(token) + "</SessionToken><Expiration>" +
         core::format_iso8601_millis(expiration) + "</Expiration></Credentials></" + op +
         "Result><ResponseMetadata><RequestId>r-1"
         "</RequestId></ResponseMetadata></" +
         op + "Response>";
}

// The container / instance metadata shape ("Token").
inline std::string json_credentials(std::string_view key, std::string_view secret,
                                    std::string_view token, core::sys_time expiration,
                                    std::string_view extra = "") {
  return R"({)" + std::string(extra) + R"("AccessKeyId":")" + std::string(key) +
         R"(","SecretAccessKey":")" + std::string(secret) + R"(","Token":")" + std::string(token) +
         R"(","Expiration":")" + core::format_iso8601_seconds(expiration) + R"("})";
}

// A scripted STS endpoint at https://sts.us-east-1.amazonaws.com, one attempt per call.
struct sts_fixture {
  testing::fake_clock clock;
  testing::scripted_transport transport;
  clock_skew skew{clock};

  sts_target target() {
    client_context ctx;
    ctx.transport = &transport;
    ctx.clock = &clock;
    ctx.skew = &skew;
    ctx.retry.max_attempts = 1;
    ctx.uniform01 = [] { return 0.5; };
    auto ep = resolve_endpoint(sts_service, "us-east-1", core::map_environment({}));
    return sts_target{ctx, *ep};
  }
};

// Records the options of every send and answers through a scripted transport.
class options_recorder final : public http::transport {
 public:
  explicit options_recorder(http::transport& next) : next_(&next) {}
  const std::vector<http::send_options>& options() const { return options_; }

 private:
  core::result<http::response> round_trip(const http::request& req,
                                          const http::send_options& options) override {
    options_.push_back(options);
    return next_->send(req, options);
  }

  http::transport* next_;
  std::vector<http::send_options> options_;
};

}  // namespace cwp::aws::test
