#include "aws/sts_client.h"

#include <gtest/gtest.h>

#include "aws/credentials/environment_provider.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace cwp::aws {
namespace {

constexpr const char* identity_xml =
    R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <UserId>AIDAEXAMPLE</UserId>
    <Arn>arn:aws:iam::000123456789:user/publisher</Arn>
    <Account>000123456789</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>)";

TEST(CallerIdentity, ParsesFieldsByNameKeepingLeadingZeros) {
  const auto id = parse_caller_identity(identity_xml);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->account, "000123456789");
  EXPECT_EQ(id->arn, "arn:aws:iam::000123456789:user/publisher");
  EXPECT_EQ(id->user_id, "AIDAEXAMPLE");
}

TEST(CallerIdentity, RejectsDocumentsWithoutAResult) {
  EXPECT_FALSE(parse_caller_identity("<html></html>"));
  EXPECT_FALSE(parse_caller_identity("not xml at all <"));
}

TEST(FormEncoding, KeepsUnreservedAndPercentEncodesTheRest) {
  EXPECT_EQ(form_encode("arn:aws:iam::1:role/a b+c~"),
            "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc~");
}

TEST(StsClient, SendsASignedQueryProtocolRequest) {
  testing::fake_clock clock;
  testing::scripted_transport transport;
  transport.respond(200, identity_xml);
  environment_provider creds(core::map_environment(
      {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret"}}));
  clock_skew skew(clock);
  const client_context ctx{.transport = &transport,
                           .credentials = &creds,
                           .clock = &clock,
                           .skew = &skew,
                           .retry = {},
                           .quota = std::make_shared<retry_quota>(),
                           .uniform01 = [] { return 0.5; },
                           .timeouts = {},
                           .log = nullptr,
                           .retries = nullptr};
  auto ep = resolve_endpoint(sts_service, "us-east-1", core::map_environment({}));
  const sts_client sts(service_client(ctx, *ep));
  ASSERT_TRUE(sts.get_caller_identity());
  ASSERT_EQ(transport.requests().size(), 1U);
  const auto& req = transport.requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, "Action=GetCallerIdentity&Version=2011-06-15");
  EXPECT_EQ(req.find_header("Host"), "sts.us-east-1.amazonaws.com");
  EXPECT_NE(req.find_header("Authorization")->find("/us-east-1/sts/aws4_request"),
            std::string::npos);
}

}  // namespace
}  // namespace cwp::aws
