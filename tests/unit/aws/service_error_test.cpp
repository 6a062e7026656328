#include "aws/service_error.h"

#include <gtest/gtest.h>

namespace cwp::aws {
namespace {

TEST(ErrorCode, StripsNamespaceAndSuffixAsTheSdksDo) {
  EXPECT_EQ(normalize_error_code("com.amazonaws.logs#ResourceNotFoundException"),
            "ResourceNotFoundException");
  EXPECT_EQ(normalize_error_code("ThrottlingException:http://internal.amazon.com/x"),
            "ThrottlingException");
  EXPECT_EQ(normalize_error_code("  AccessDeniedException "), "AccessDeniedException");
}

TEST(ErrorResponse, ParsesJsonBodyWithRequestId) {
  const http::response r{400,
                         {{"x-amzn-RequestId", "req-1"}},
                         R"({"__type":"ResourceAlreadyExistsException","message":"exists"})"};
  const auto e = parse_error_response(r, "CreateLogGroup");
  EXPECT_EQ(e.code, core::errc::aws);
  EXPECT_EQ(e.remote_code, "ResourceAlreadyExistsException");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(e.message,
            "CreateLogGroup failed: ResourceAlreadyExistsException: exists (HTTP 400, request id "
            "req-1)");
}

TEST(ErrorResponse, PrefersTheErrorTypeHeaderAndAcceptsCapitalizedMessage) {
  const http::response r{400,
                         {{"X-Amzn-ErrorType", "com.amazonaws#ThrottlingException:http://x"}},
                         R"({"Message":"Rate exceeded"})"};
  const auto e = parse_error_response(r, "PutLogEvents");
  EXPECT_EQ(e.remote_code, "ThrottlingException");
  EXPECT_NE(e.message.find("Rate exceeded"), std::string::npos);
}

TEST(ErrorResponse, ParsesQueryProtocolXml) {
  const http::response r{403,
                         {},
                         R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>
  <Message>The request signature we calculated does not match</Message></Error>
  <RequestId>abc-123</RequestId></ErrorResponse>)"};
  const auto e = parse_error_response(r, "GetCallerIdentity");
  EXPECT_EQ(e.remote_code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.request_id, "abc-123");
  EXPECT_EQ(e.http_status, 403);
}

TEST(ErrorResponse, ParsesNestedErrorsListAsMotoAndEc2SendIt) {
  const http::response r{403,
                         {{"x-amzn-RequestId", "moto-1"}},
                         R"(<?xml version="1.0" encoding="utf-8"?>
<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>)"};
  const auto e = parse_error_response(r, "GetCallerIdentity");
  EXPECT_EQ(e.remote_code, "InvalidClientTokenId");
  EXPECT_EQ(e.request_id, "moto-1");
  EXPECT_NE(e.message.find("security token included in the request is invalid"), std::string::npos);
}

TEST(ErrorResponse, HtmlBodyIsAnHttpErrorWithoutCode) {
  const http::response r{500, {}, "<html><body>Internal Server Error</body></html>"};
  const auto e = parse_error_response(r, "PutLogEvents");
  EXPECT_EQ(e.code, core::errc::http);
  EXPECT_TRUE(e.remote_code.empty());
  EXPECT_NE(e.message.find("HTTP 500"), std::string::npos);
}

TEST(ErrorResponse, GarbageBodyDoesNotThrow) {
  const http::response r{502, {}, "{not json"};
  EXPECT_EQ(parse_error_response(r, "X").code, core::errc::http);
}

}  // namespace
}  // namespace cwp::aws
