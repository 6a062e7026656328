#include "aws/credentials/caching_provider.h"

#include <gtest/gtest.h>

#include <deque>

#include "support/capturing_sink.h"
#include "support/fake_clock.h"

namespace cwp::aws {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Answers get() from a queue and counts calls.
class queued_provider final : public credentials_provider {
 public:
  core::result<credentials> get() override {
    ++calls;
    if (answers.empty()) return core::fail(core::errc::network, "source unreachable");
    auto next = answers.front();
    answers.pop_front();
    return next;
  }
  void invalidate() override { ++invalidations; }

  std::deque<core::result<credentials>> answers;
  int calls{0};
  int invalidations{0};
};

class Caching : public ::testing::Test {
 protected:
  testing::fake_clock clock;
  testing::capturing_sink sink;
  logging::logger log{sink, clock, "test", logging::level::debug};
  queued_provider* source{nullptr};

  caching_provider make() {
    auto inner = std::make_unique<queued_provider>();
    source = inner.get();
    return caching_provider(std::move(inner), clock, &log);
  }
  credentials expiring_in(std::chrono::seconds left, std::string key) {
    return credentials{std::move(key), "SeCrEt", "ToKeN", clock.now() + left, "source"};
  }
};

TEST_F(Caching, NonExpiringCredentialsAreFetchedOnceAndLoggedWithoutSecrets) {
  auto p = make();
  source->answers.push_back(credentials{"AKID", "SeCrEtStatic", "", std::nullopt, "environment"});
  ASSERT_TRUE(p.get());
  clock.advance(std::chrono::hours{24 * 365});
  EXPECT_EQ(p.get()->access_key_id, "AKID");
  EXPECT_EQ(source->calls, 1);
  ASSERT_EQ(sink.lines().size(), 1U);
  EXPECT_TRUE(sink.contains("AWS credentials obtained"));
  EXPECT_TRUE(sink.contains(R"("credentials_provider":"environment")"));
  EXPECT_TRUE(sink.contains(R"("credentials_expiration":"never")"));
  EXPECT_FALSE(sink.contains("SeCrEt"));
}

TEST_F(Caching, KeepsCredentialsUntilTheAdvisoryWindow) {
  auto p = make();
  source->answers.push_back(expiring_in(minutes{60}, "A"));
  ASSERT_TRUE(p.get());
  clock.advance(minutes{44});
  EXPECT_EQ(p.get()->access_key_id, "A");
  EXPECT_EQ(source->calls, 1);
  clock.advance(minutes{2});
  source->answers.push_back(expiring_in(minutes{60}, "B"));
  EXPECT_EQ(p.get()->access_key_id, "B") << "16 minutes -> 14 minutes left: advisory refresh";
  EXPECT_TRUE(sink.contains("AWS credentials refreshed"));
  EXPECT_TRUE(sink.contains(R"("credentials_expiration":"2023-11-14T23:59:20Z")"));
}

TEST_F(Caching, ShortLivedCredentialsAreRefreshedOnTheNextGetAfterTheyLapse) {
  auto p = make();
  source->answers.push_back(expiring_in(seconds{5}, "A"));
  ASSERT_TRUE(p.get());
  clock.advance(seconds{6});
  source->answers.push_back(expiring_in(minutes{60}, "B"));
  EXPECT_EQ(p.get()->access_key_id, "B");
  EXPECT_EQ(source->calls, 2);
}

TEST_F(Caching, FailedAdvisoryRefreshKeepsTheCurrentCredentialsWithAWarning) {
  auto p = make();
  source->answers.push_back(expiring_in(minutes{60}, "A"));
  ASSERT_TRUE(p.get());
  clock.advance(minutes{47});
  const auto c = p.get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "A");
  EXPECT_EQ(sink.count(logging::level::warn), 1U);
  EXPECT_TRUE(sink.contains("Advisory refresh of AWS credentials failed"));
  EXPECT_TRUE(sink.contains("source unreachable"));
}

TEST_F(Caching, WaitsBetweenFailedRefreshesWhileTheCurrentOnesAreValid) {
  auto p = make();
  source->answers.push_back(expiring_in(minutes{60}, "A"));
  ASSERT_TRUE(p.get());
  clock.advance(minutes{50});
  ASSERT_TRUE(p.get());
  ASSERT_TRUE(p.get());
  ASSERT_TRUE(p.get());
  EXPECT_EQ(source->calls, 2) << "one refresh attempt, then quiet for the retry interval";
  clock.advance(seconds{31});
  ASSERT_TRUE(p.get());
  EXPECT_EQ(source->calls, 3);
}

TEST_F(Caching, MandatoryWindowStaysStaticallyStableUntilExpiry) {
  auto p = make();
  source->answers.push_back(expiring_in(minutes{60}, "A"));
  ASSERT_TRUE(p.get());
  clock.advance(minutes{55});
  const auto c = p.get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "A");
  EXPECT_TRUE(sink.contains("Mandatory refresh of AWS credentials failed"));

  clock.advance(minutes{5});
  const auto expired = p.get();
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, core::errc::network);
  EXPECT_NE(expired.error().message.find("expired at 2023-11-14T23:13:20Z"), std::string::npos);
  EXPECT_NE(expired.error().message.find("source unreachable"), std::string::npos);
}

TEST_F(Caching, FirstFetchFailureIsReturned) {
  auto p = make();
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "source unreachable");
  source->answers.push_back(expiring_in(minutes{60}, "A"));
  EXPECT_TRUE(p.get()) << "a later call tries again";
}

TEST_F(Caching, InvalidateForcesARefreshAndReachesTheSource) {
  auto p = make();
  source->answers.push_back(expiring_in(minutes{60}, "A"));
  source->answers.push_back(expiring_in(minutes{60}, "B"));
  ASSERT_TRUE(p.get());
  p.invalidate();
  EXPECT_EQ(source->invalidations, 1);
  EXPECT_EQ(p.get()->access_key_id, "B");

  p.invalidate();
  EXPECT_FALSE(p.get()) << "rejected credentials are not served again";
}

TEST_F(Caching, WorksWithoutALogger) {
  auto inner = std::make_unique<queued_provider>();
  inner->answers.push_back(expiring_in(minutes{60}, "A"));
  caching_provider p(std::move(inner), clock);
  EXPECT_TRUE(p.get());
  clock.advance(minutes{50});
  EXPECT_TRUE(p.get());
}

}  // namespace
}  // namespace cwp::aws
