#include "aws/credentials/caching_provider.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

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
  EXPECT_EQ(source->invalidations, 0) << "passed on by the next get(), never concurrently";
  EXPECT_EQ(p.get()->access_key_id, "B");
  EXPECT_EQ(source->invalidations, 1);

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

// A source whose first get() hangs until released, as a credential_process running up to its
// timeout or STS retrying would; later calls answer at once.
class hanging_provider final : public credentials_provider {
 public:
  core::result<credentials> get() override {
    std::unique_lock lock(mutex_);
    const int call = ++calls_;
    entered_.notify_all();
    released_.wait(lock, [this] { return released; });
    return credentials{"KEY" + std::to_string(call), "SeCrEt", "ToKeN", std::nullopt, "source"};
  }
  void wait_until_called() {
    std::unique_lock lock(mutex_);
    entered_.wait(lock, [this] { return calls_ > 0; });
  }
  void release() {
    const std::lock_guard lock(mutex_);
    released = true;
    released_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable entered_;
  std::condition_variable released_;
  int calls_{0};
  bool released{false};
};

TEST(CachingConcurrency, InvalidateNeverWaitsForARefreshInFlight) {
  testing::fake_clock clock;
  auto inner = std::make_unique<hanging_provider>();
  auto* source = inner.get();
  caching_provider p(std::move(inner), clock);
  std::future<core::result<credentials>> refresh =
      std::async(std::launch::async, [&p] { return p.get(); });
  source->wait_until_called();

  // SIGHUP on the main loop while the worker's refresh hangs.
  std::future<void> invalidated = std::async(std::launch::async, [&p] { p.invalidate(); });
  // A bound on a hang (the refresh is held until after the check), not a measured time.
  const bool returned = invalidated.wait_for(std::chrono::seconds{10}) == std::future_status::ready;
  source->release();
  invalidated.get();
  EXPECT_TRUE(returned) << "invalidate() waited for the refresh in flight";
  ASSERT_TRUE(refresh.get());
  // The refresh began before the invalidation, so what it fetched is not trusted either: the
  // next get() fetches again.
  const auto next = p.get();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->access_key_id, "KEY2");
}

}  // namespace
}  // namespace cwp::aws
