// SigV4 stage by stage, on small hand-made inputs; the official vectors are in
// sigv4_vectors_test.cpp.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace cwp::aws::sigv4 {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view access_key_id = "AKIDEXAMPLE";
constexpr std::string_view secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view empty_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// get-vanilla from the AWS suite: the documented canonical request and signature.
constexpr std::string_view vanilla_canonical_request =
    "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view vanilla_string_to_sign =
    "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
    "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63";
constexpr std::string_view vanilla_signature =
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

const scope test_scope{"us-east-1", "service"};
const core::sys_time test_time =
    std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} + 12h + 36min;

credentials long_term_credentials() {
  credentials c;
  c.access_key_id = std::string(access_key_id);
  c.secret_access_key = std::string(secret_key);
  return c;
}

credentials temporary_credentials() {
  credentials c = long_term_credentials();
  c.session_token = "session-token-value";
  return c;
}

http::request vanilla_request() {
  http::request req;
  req.method = "GET";
  req.target.scheme = "https";
  req.target.host = "example.amazonaws.com";
  req.target.port = 443;
  req.target.path = "/";
  req.add_header("Host", "example.amazonaws.com");
  return req;
}

std::vector<std::string> header_values(const http::request& req, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& h : req.headers) {
    if (http::iequals(h.name, name)) values.push_back(h.value);
  }
  return values;
}

// --- canonical URI --------------------------------------------------------------------------

TEST(SigV4CanonicalUri, EmptyPathBecomesSlash) {
  EXPECT_EQ(canonical_uri("", true), "/");
  EXPECT_EQ(canonical_uri("", false), "/");
}

TEST(SigV4CanonicalUri, KeepsUnreservedCharactersAndSlashes) {
  EXPECT_EQ(canonical_uri("/a-b_c.d~e/Z9", true), "/a-b_c.d~e/Z9");
}

TEST(SigV4CanonicalUri, PercentEncodesOtherBytesWithUpperCaseHex) {
  EXPECT_EQ(canonical_uri("/example/$delete", true), "/example/%24delete");
  EXPECT_EQ(canonical_uri("/example space/", true), "/example%20space/");
}

TEST(SigV4CanonicalUri, EncodesEachUtf8Byte) {
  EXPECT_EQ(canonical_uri("/\xE1\x88\xB4", true), "/%E1%88%B4");
}

TEST(SigV4CanonicalUri, EncodesAnAlreadyEncodedPathAgain) {
  EXPECT_EQ(canonical_uri("/a%20b", true), "/a%2520b");
}

TEST(SigV4CanonicalUri, CollapsesRepeatedSlashes) {
  EXPECT_EQ(canonical_uri("//example//", true), "/example/");
  EXPECT_EQ(canonical_uri("//", true), "/");
}

TEST(SigV4CanonicalUri, RemovesDotSegments) {
  EXPECT_EQ(canonical_uri("/a/./b/../c", true), "/a/c");
  EXPECT_EQ(canonical_uri("/example1/example2/../..", true), "/");
  EXPECT_EQ(canonical_uri("/./example", true), "/example");
}

TEST(SigV4CanonicalUri, DotDotNeverClimbsAboveTheRoot) {
  EXPECT_EQ(canonical_uri("/../../a", true), "/a");
}

TEST(SigV4CanonicalUri, KeepsTrailingSlashAndDirectoryNamedByFinalDotSegment) {
  EXPECT_EQ(canonical_uri("/a/b/", true), "/a/b/");
  EXPECT_EQ(canonical_uri("/a/b/..", true), "/a/");
  EXPECT_EQ(canonical_uri("/a/b/.", true), "/a/b/");
}

TEST(SigV4CanonicalUri, LeavesPathAsIsWhenNormalizationIsOff) {
  EXPECT_EQ(canonical_uri("//example/./b/..", false), "//example/./b/..");
  EXPECT_EQ(canonical_uri("/example space/", false), "/example%20space/");
}

// --- canonical query string -----------------------------------------------------------------

TEST(SigV4CanonicalQuery, EmptyQueryGivesEmptyLine) { EXPECT_EQ(canonical_query_string(""), ""); }

TEST(SigV4CanonicalQuery, SortsByNameThenByValue) {
  EXPECT_EQ(canonical_query_string("b=2&a=2&a=1"), "a=1&a=2&b=2");
}

TEST(SigV4CanonicalQuery, SortsByByteValueSoUpperCaseComesFirst) {
  EXPECT_EQ(canonical_query_string("a=1&B=2"), "B=2&a=1");
}

TEST(SigV4CanonicalQuery, KeyWithoutValueGetsAnEqualsSign) {
  EXPECT_EQ(canonical_query_string("flag&a=1"), "a=1&flag=");
}

TEST(SigV4CanonicalQuery, SkipsEmptyPairs) {
  EXPECT_EQ(canonical_query_string("a=1&&b=2&"), "a=1&b=2");
}

TEST(SigV4CanonicalQuery, DecodesThenReencodesNamesAndValues) {
  EXPECT_EQ(canonical_query_string("%e1%88%b4=%7Ex"), "%E1%88%B4=~x");
}

TEST(SigV4CanonicalQuery, EncodesSpaceAsPercent20AndPlusAsALiteralPlus) {
  EXPECT_EQ(canonical_query_string("a=b c+d"), "a=b%20c%2Bd");
}

TEST(SigV4CanonicalQuery, EncodesEqualsSignsAfterTheFirstAndSlashes) {
  EXPECT_EQ(canonical_query_string("a=b=c/d"), "a=b%3Dc%2Fd");
}

TEST(SigV4CanonicalQuery, EncodesAStrayPercentAsPercent25) {
  EXPECT_EQ(canonical_query_string("a=100%&b=%zz"), "a=100%25&b=%25zz");
}

// --- canonical headers ----------------------------------------------------------------------

TEST(SigV4CanonicalHeaders, LowercasesNamesAndSortsThem) {
  const std::vector<http::header> headers = {
      {"X-Amz-Date", "20150830T123600Z"}, {"Host", "example.amazonaws.com"}, {"Content-Type", "x"}};
  const header_block block = canonical_headers(headers);
  EXPECT_EQ(block.canonical_headers,
            "content-type:x\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n");
  EXPECT_EQ(block.signed_headers, "content-type;host;x-amz-date");
}

TEST(SigV4CanonicalHeaders, TrimsAndCollapsesWhitespaceEvenInsideQuotes) {
  const std::vector<http::header> headers = {{"My-Header", " \t\"a   b \t c\"  "}};
  EXPECT_EQ(canonical_headers(headers).canonical_headers, "my-header:\"a b c\"\n");
}

TEST(SigV4CanonicalHeaders, UnfoldsObsoleteLineFolding) {
  const std::vector<http::header> headers = {{"My-Header1", "value1\r\n  value2\n     value3"}};
  EXPECT_EQ(canonical_headers(headers).canonical_headers, "my-header1:value1 value2 value3\n");
}

TEST(SigV4CanonicalHeaders, JoinsRepeatedHeadersWithCommasInRequestOrder) {
  const std::vector<http::header> headers = {
      {"My-Header", "b"}, {"Host", "h"}, {"my-header", "a"}, {"MY-HEADER", "c"}};
  const header_block block = canonical_headers(headers);
  EXPECT_EQ(block.canonical_headers, "host:h\nmy-header:b,a,c\n");
  EXPECT_EQ(block.signed_headers, "host;my-header");
}

TEST(SigV4CanonicalHeaders, SkipsHeadersTheTransportMayRewrite) {
  const std::vector<http::header> headers = {
      {"Host", "h"},       {"User-Agent", "cwp"},        {"Connection", "keep-alive"},
      {"Expect", "100"},   {"Transfer-Encoding", "x"},   {"X-Amzn-Trace-Id", "Root=1"},
      {"Keep-Alive", "5"}, {"Proxy-Authorization", "p"}, {"TE", "trailers"},
      {"Upgrade", "h2c"},  {"Proxy-Authenticate", "b"},  {"Trailer", "t"}};
  const header_block block = canonical_headers(headers);
  EXPECT_EQ(block.canonical_headers, "host:h\n");
  EXPECT_EQ(block.signed_headers, "host");
}

TEST(SigV4CanonicalHeaders, NeverSignsAuthorization) {
  const std::vector<http::header> headers = {{"Authorization", "AWS4-HMAC-SHA256 x"},
                                             {"Host", "h"}};
  EXPECT_EQ(canonical_headers(headers).signed_headers, "host");
}

TEST(SigV4CanonicalHeaders, SignsContentLengthAndJsonTargetHeaders) {
  const std::vector<http::header> headers = {{"Host", "h"},
                                             {"Content-Length", "13"},
                                             {"Content-Type", "application/x-amz-json-1.1"},
                                             {"X-Amz-Target", "Logs_20140328.PutLogEvents"}};
  EXPECT_EQ(canonical_headers(headers).signed_headers,
            "content-length;content-type;host;x-amz-target");
}

TEST(SigV4CanonicalHeaders, KeepsAnEmptyValueAsNameAndColon) {
  const std::vector<http::header> headers = {{"X-Empty", "   "}};
  EXPECT_EQ(canonical_headers(headers).canonical_headers, "x-empty:\n");
}

// --- payload, canonical request, string to sign ---------------------------------------------

TEST(SigV4PayloadHash, IsLowercaseHexSha256OfTheBody) {
  EXPECT_EQ(payload_hash(""), empty_hash);
  EXPECT_EQ(payload_hash("Param1=value1"),
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

TEST(SigV4CanonicalRequest, JoinsSixLinesWithABlankLineAfterTheHeaders) {
  const header_block headers{"host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
                             "host;x-amz-date"};
  EXPECT_EQ(canonical_request("GET", "/", "", headers, empty_hash), vanilla_canonical_request);
}

TEST(SigV4CredentialScope, JoinsDateRegionServiceAndTerminator) {
  EXPECT_EQ(credential_scope("20150830", scope{"eu-west-1", "logs"}),
            "20150830/eu-west-1/logs/aws4_request");
}

TEST(SigV4StringToSign, HashesTheCanonicalRequestUnderAlgorithmDateAndScope) {
  EXPECT_EQ(string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request",
                           vanilla_canonical_request),
            vanilla_string_to_sign);
}

// --- signing key, signature, Authorization --------------------------------------------------

TEST(SigV4SigningKey, MatchesTheAwsDocumentationExample) {
  // "Derive a signing key" example of the AWS General Reference (service iam).
  EXPECT_EQ(crypto::hex_encode(signing_key(secret_key, "20150830", scope{"us-east-1", "iam"})),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4SigningKey, DependsOnDateRegionAndService) {
  const auto base = signing_key(secret_key, "20150830", test_scope);
  EXPECT_NE(base, signing_key(secret_key, "20150831", test_scope));
  EXPECT_NE(base, signing_key(secret_key, "20150830", scope{"us-west-2", "service"}));
  EXPECT_NE(base, signing_key(secret_key, "20150830", scope{"us-east-1", "logs"}));
}

TEST(SigV4Signature, IsHexHmacOfTheStringToSign) {
  EXPECT_EQ(signature(signing_key(secret_key, "20150830", test_scope), vanilla_string_to_sign),
            vanilla_signature);
}

TEST(SigV4AuthorizationHeader, ListsCredentialSignedHeadersAndSignature) {
  EXPECT_EQ(authorization_header("AKIDEXAMPLE", "20150830/us-east-1/service/aws4_request",
                                 "host;x-amz-date", vanilla_signature),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// --- sign -----------------------------------------------------------------------------------

TEST(SigV4Sign, SignsGetVanillaWithTheDocumentedSignature) {
  http::request req = vanilla_request();
  const signature_parts parts = sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_EQ(parts.canonical_request, vanilla_canonical_request);
  EXPECT_EQ(parts.string_to_sign, vanilla_string_to_sign);
  EXPECT_EQ(parts.signature, vanilla_signature);
  EXPECT_EQ(req.find_header("X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(req.find_header("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=" +
                std::string(vanilla_signature));
}

TEST(SigV4Sign, APayloadHashTheCallerComputedIsUsedInsteadOfHashingAgain) {
  http::request hashed = vanilla_request();
  hashed.body = "{\"logEvents\":[]}";
  http::request given = hashed;
  options opts;
  const std::string hash = payload_hash(given.body);
  opts.body_hash = hash;
  EXPECT_EQ(sign(given, long_term_credentials(), test_scope, test_time, opts).signature,
            sign(hashed, long_term_credentials(), test_scope, test_time).signature);
  // The given hash is what gets signed: the body is not hashed a second time.
  http::request other = hashed;
  const std::string other_hash = payload_hash("something else");
  opts.body_hash = other_hash;
  const auto parts = sign(other, long_term_credentials(), test_scope, test_time, opts);
  EXPECT_TRUE(parts.canonical_request.ends_with(other_hash));
}

TEST(SigV4Sign, AddsHostFromTheTargetWhenMissing) {
  http::request req = vanilla_request();
  req.headers.clear();
  req.target.scheme = "http";
  req.target.host = "localhost";
  req.target.port = 4566;
  const signature_parts parts = sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_EQ(header_values(req, "Host"), std::vector<std::string>{"localhost:4566"});
  EXPECT_NE(parts.canonical_request.find("\nhost:localhost:4566\n"), std::string::npos);
}

TEST(SigV4Sign, KeepsTheCallersHostHeader) {
  http::request req = vanilla_request();
  req.headers = {{"host", "override.example"}};
  sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_EQ(header_values(req, "Host"), std::vector<std::string>{"override.example"});
}

TEST(SigV4Sign, ReplacesAnExistingXAmzDateSoExactlyOneRemains) {
  http::request req = vanilla_request();
  req.add_header("x-amz-date", "20000101T000000Z");
  req.add_header("X-Amz-Date", "20000101T000000Z");
  sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_EQ(header_values(req, "X-Amz-Date"), std::vector<std::string>{"20150830T123600Z"});
}

TEST(SigV4Sign, TakesScopeDateAndXAmzDateFromTheSameInstant) {
  http::request req = vanilla_request();
  const core::sys_time just_before_midnight =
      std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} + 23h + 59min + 59s + 999ms;
  sign(req, long_term_credentials(), test_scope, just_before_midnight);
  EXPECT_EQ(req.find_header("X-Amz-Date"), "20150830T235959Z");
  EXPECT_NE(req.find_header("Authorization")->find("/20150830/us-east-1/"), std::string::npos);
}

TEST(SigV4Sign, AddsAndSignsTheSessionToken) {
  http::request req = vanilla_request();
  const signature_parts parts = sign(req, temporary_credentials(), test_scope, test_time);
  EXPECT_EQ(header_values(req, "X-Amz-Security-Token"),
            std::vector<std::string>{"session-token-value"});
  EXPECT_NE(parts.canonical_request.find("\nx-amz-security-token:session-token-value\n"),
            std::string::npos);
  EXPECT_NE(
      req.find_header("Authorization")->find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
      std::string::npos);
}

TEST(SigV4Sign, AppendsTheSessionTokenAfterSigningWhenOmitted) {
  http::request req = vanilla_request();
  options opts;
  opts.omit_session_token = true;
  const signature_parts parts = sign(req, temporary_credentials(), test_scope, test_time, opts);
  EXPECT_EQ(parts.signature, vanilla_signature);
  EXPECT_EQ(parts.canonical_request.find("x-amz-security-token"), std::string::npos);
  ASSERT_FALSE(req.headers.empty());
  EXPECT_EQ(req.headers.back().name, "X-Amz-Security-Token");
  EXPECT_EQ(req.headers.back().value, "session-token-value");
}

TEST(SigV4Sign, SigningAgainReplacesDateTokenAndAuthorization) {
  http::request req = vanilla_request();
  sign(req, temporary_credentials(), test_scope, test_time);
  const signature_parts parts = sign(req, temporary_credentials(), test_scope, test_time + 1min);
  EXPECT_EQ(header_values(req, "X-Amz-Date"), std::vector<std::string>{"20150830T123700Z"});
  EXPECT_EQ(header_values(req, "X-Amz-Security-Token").size(), 1U);
  const auto authorization = header_values(req, "Authorization");
  ASSERT_EQ(authorization.size(), 1U);
  EXPECT_NE(authorization.front().find(parts.signature), std::string::npos);
  EXPECT_EQ(parts.canonical_request.find("authorization"), std::string::npos);
}

TEST(SigV4Sign, DropsAStaleTokenHeaderWhenTheCredentialsHaveNone) {
  http::request req = vanilla_request();
  req.add_header("X-Amz-Security-Token", "stale");
  const signature_parts parts = sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_TRUE(header_values(req, "X-Amz-Security-Token").empty());
  EXPECT_EQ(parts.signature, vanilla_signature);
}

TEST(SigV4Sign, SignBodyAddsAndSignsTheContentSha256) {
  http::request req = vanilla_request();
  req.method = "POST";
  req.body = "Param1=value1";
  options opts;
  opts.sign_body = true;
  const signature_parts parts = sign(req, long_term_credentials(), test_scope, test_time, opts);
  const std::string hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
  EXPECT_EQ(header_values(req, "X-Amz-Content-Sha256"), std::vector<std::string>{hash});
  EXPECT_NE(parts.canonical_request.find("\nx-amz-content-sha256:" + hash + "\n"),
            std::string::npos);
  EXPECT_TRUE(parts.canonical_request.ends_with("\n" + hash));
}

TEST(SigV4Sign, LeavesUserAgentUnsigned) {
  http::request req = vanilla_request();
  req.add_header("User-Agent", "cloudwatch-publisher/0.1.0");
  const signature_parts parts = sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_EQ(parts.signature, vanilla_signature);
  EXPECT_EQ(req.find_header("User-Agent"), "cloudwatch-publisher/0.1.0");
}

TEST(SigV4Sign, NeverExposesTheSecretKey) {
  http::request req = vanilla_request();
  req.method = "POST";
  req.body = "{}";
  const credentials creds = temporary_credentials();
  const signature_parts parts = sign(req, creds, test_scope, test_time);
  for (const auto& h : req.headers) {
    EXPECT_EQ(h.value.find(creds.secret_access_key), std::string::npos) << h.name;
  }
  EXPECT_EQ(parts.canonical_request.find(creds.secret_access_key), std::string::npos);
  EXPECT_EQ(parts.string_to_sign.find(creds.secret_access_key), std::string::npos);
  EXPECT_EQ(parts.signature.find(creds.secret_access_key), std::string::npos);
  EXPECT_EQ(parts.redacted_canonical_request().find(creds.secret_access_key), std::string::npos);
}

TEST(SigV4SignatureParts, RedactedCanonicalRequestHidesOnlyTheSessionToken) {
  http::request req = vanilla_request();
  const signature_parts parts = sign(req, temporary_credentials(), test_scope, test_time);
  ASSERT_NE(parts.canonical_request.find("session-token-value"), std::string::npos);
  std::string expected = parts.canonical_request;
  const std::string token = "session-token-value";
  expected.replace(expected.find(token), token.size(), "<redacted>");
  EXPECT_EQ(parts.redacted_canonical_request(), expected);
}

TEST(SigV4SignatureParts, RedactedCanonicalRequestEqualsTheOriginalWithoutAToken) {
  http::request req = vanilla_request();
  const signature_parts parts = sign(req, long_term_credentials(), test_scope, test_time);
  EXPECT_EQ(parts.redacted_canonical_request(), parts.canonical_request);
}

}  // namespace
}  // namespace cwp::aws::sigv4
