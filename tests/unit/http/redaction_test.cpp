#include "http/redaction.h"

#include <gtest/gtest.h>

#include "http/transport.h"

namespace cwp::http {
namespace {

constexpr const char* signature =
    "f5e579dace0c44dd36fe9dfe5f8f32f6590aa27f9cd2c57b8cd05df031d7db41";
constexpr const char* token = "IQoJb3JpZ2luX2VjEXAMPLE/token+value=";

request signed_request() {
  request req;
  req.add_header("X-Amz-Security-Token", token);
  req.add_header("Authorization",
                 std::string("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/us-east-1/logs/"
                             "aws4_request, SignedHeaders=host;x-amz-date, Signature=") +
                     signature);
  req.add_header("Content-Type", "application/x-amz-json-1.1");
  return req;
}

TEST(SecretSet, ScrubsCredentialHeaderValuesAndTheSignatureAlone) {
  const request req = signed_request();
  const secret_set secrets = secret_set::of(req);
  const std::string quoted = "x-amz-security-token:" + std::string(token) +
                             "\nauthorization:" + *req.find_header("Authorization") +
                             "\nsignature " + signature +
                             "\ncontent-type:application/x-amz-json-1.1";
  EXPECT_EQ(secrets.scrub(quoted),
            "x-amz-security-token:[redacted]\nauthorization:[redacted]\nsignature "
            "[redacted]\ncontent-type:application/x-amz-json-1.1");
}

TEST(SecretSet, ScrubsThePercentEncodedAndJsonEscapedFormsToo) {
  secret_set secrets;
  secrets.add(token);
  EXPECT_EQ(secrets.scrub("q=IQoJb3JpZ2luX2VjEXAMPLE%2Ftoken%2Bvalue%3D&x=1"), "q=[redacted]&x=1");
  EXPECT_EQ(secrets.scrub(R"({"m":"IQoJb3JpZ2luX2VjEXAMPLE\/token+value="})"),
            R"({"m":"[redacted]"})");
}

TEST(SecretSet, ListedSecretsCountAndShortValuesAreLeftAlone) {
  request req;
  req.secrets = {"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "short"};
  const secret_set secrets = secret_set::of(req);
  EXPECT_EQ(secrets.scrub("key wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, a short word"),
            "key [redacted], a short word");
  EXPECT_TRUE(secret_set::of(request{}).empty());
}

TEST(SecretSet, ScrubsAResponsesBodyAndHeaderValuesLeavingItParsable) {
  const secret_set secrets = secret_set::of(signed_request());
  response r{403,
             {{"x-amzn-ErrorMessage", std::string("token ") + token}},
             std::string("<ErrorResponse><Error><Message>token ") + token +
                 "</Message></Error></ErrorResponse>"};
  secrets.scrub(r);
  EXPECT_EQ(r.headers[0].value, "token [redacted]");
  EXPECT_EQ(r.body,
            "<ErrorResponse><Error><Message>token [redacted]</Message></Error></ErrorResponse>");
}

// Whatever the implementation, every caller of send() gets the answer scrubbed of the secrets
// of its own request.
class echoing_transport final : public transport {
  core::result<response> round_trip(const request& req, const send_options&) override {
    std::string echo;
    for (const auto& h : req.headers) echo += h.name + ": " + h.value + "\n";
    return response{400, {{"X-Echo", *req.find_header("X-Amz-Security-Token")}}, echo};
  }
};

TEST(Transport, SendNeverHandsBackTheRequestsSecrets) {
  echoing_transport t;
  const auto r = t.send(signed_request(), {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body,
            "X-Amz-Security-Token: [redacted]\nAuthorization: [redacted]\n"
            "Content-Type: application/x-amz-json-1.1\n");
  EXPECT_EQ(r->headers[0].value, "[redacted]");
}

}  // namespace
}  // namespace cwp::http
