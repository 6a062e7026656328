#include "aws/retry.h"

#include <gtest/gtest.h>

namespace cwp::aws {
namespace {

core::error aws_error(std::string code, int status) {
  core::error e{core::errc::aws, "m"};
  e.remote_code = std::move(code);
  e.http_status = status;
  return e;
}

TEST(RetryClassification, ThrottlingCodesAndBare429AreRetried) {
  EXPECT_TRUE(is_retryable(aws_error("ThrottlingException", 400)));
  EXPECT_TRUE(is_retryable(aws_error("Throttling", 400)));
  EXPECT_TRUE(is_retryable(aws_error("", 429)));
  EXPECT_TRUE(is_throttling(aws_error("LimitExceededException", 400)));
}

TEST(RetryClassification, ServerErrorsAndTransportFailuresAreRetried) {
  EXPECT_TRUE(is_retryable(aws_error("ServiceUnavailableException", 503)));
  EXPECT_TRUE(is_retryable(aws_error("", 500)));
  EXPECT_TRUE(is_retryable(aws_error("RequestTimeout", 400)));
  EXPECT_TRUE(is_retryable(core::error{core::errc::network, "reset"}));
  EXPECT_TRUE(is_retryable(core::error{core::errc::timeout, "slow"}));
}

TEST(RetryClassification, OtherClientErrorsAreNeverRetried) {
  EXPECT_FALSE(is_retryable(aws_error("AccessDeniedException", 400)));
  EXPECT_FALSE(is_retryable(aws_error("InvalidParameterException", 400)));
  EXPECT_FALSE(is_retryable(aws_error("ResourceNotFoundException", 400)));
  EXPECT_FALSE(is_retryable(aws_error("", 403)));
  EXPECT_FALSE(is_retryable(core::error{core::errc::tls, "bad cert"}));
  EXPECT_FALSE(is_retryable(core::error{core::errc::credentials, "none"}));
}

TEST(Backoff, IsFullJitterOverAnExponentialCeilingWithACap) {
  const retry_settings s;
  EXPECT_EQ(backoff_delay(s, 1, 0.0), std::chrono::milliseconds{0});
  EXPECT_EQ(backoff_delay(s, 1, 0.5), std::chrono::milliseconds{500});
  EXPECT_EQ(backoff_delay(s, 2, 0.5), std::chrono::milliseconds{1000});
  EXPECT_EQ(backoff_delay(s, 3, 0.999), std::chrono::milliseconds{3996});
  EXPECT_EQ(backoff_delay(s, 30, 1.0), std::chrono::milliseconds{20000});
}

TEST(RetryQuota, RetriesCostTokensAndTimeoutsCostMore) {
  retry_quota q;
  EXPECT_EQ(q.acquire(core::error{core::errc::network, ""}), retry_quota::retry_cost);
  EXPECT_EQ(q.acquire(core::error{core::errc::timeout, ""}), retry_quota::timeout_retry_cost);
  EXPECT_EQ(q.available(), retry_quota::capacity - 15);
  q.release(retry_quota::timeout_retry_cost);
  EXPECT_EQ(q.available(), retry_quota::capacity - 5);
}

TEST(RetryQuota, RefusesRetriesWhenDrainedAndRefillsOnSuccess) {
  retry_quota q;
  for (int i = 0; i < retry_quota::capacity / retry_quota::retry_cost; ++i) {
    ASSERT_GT(q.acquire(core::error{core::errc::network, ""}), 0);
  }
  EXPECT_EQ(q.acquire(core::error{core::errc::network, ""}), 0);
  q.release(0);
  EXPECT_EQ(q.available(), 1);
}

TEST(RetrySettings, ReadsMaxAttemptsAndRejectsNonsense) {
  EXPECT_EQ(retry_settings_from(core::map_environment({}))->max_attempts, 3);
  EXPECT_EQ(retry_settings_from(core::map_environment({{"AWS_MAX_ATTEMPTS", "5"}}))->max_attempts,
            5);
  const auto bad = retry_settings_from(core::map_environment({{"AWS_MAX_ATTEMPTS", "zero"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("AWS_MAX_ATTEMPTS"), std::string::npos);
  EXPECT_FALSE(retry_settings_from(core::map_environment({{"AWS_RETRY_MODE", "yolo"}})));
}

}  // namespace
}  // namespace cwp::aws
