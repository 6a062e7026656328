#include "cloudwatch/shipper.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/credentials/environment_provider.h"
#include "cloudwatch/batch.h"
#include "cloudwatch/names.h"
#include "core/time_format.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/file_size_limit.h"
#include "support/memory_file_system.h"
#include "support/scripted_logs.h"
#include "support/scripted_transport.h"
#include "support/temp_dir.h"

namespace cwp::cloudwatch {
namespace {

using namespace std::chrono_literals;

class Shipper : public ::testing::Test, protected testing::scripted_logs {
 protected:
  // The group and stream exist already: the publisher puts first and needs no other call.
  Shipper() : scripted_logs(retry_once()) {}

  static aws::retry_settings retry_once() {
    aws::retry_settings r;
    r.max_attempts = 1;
    return r;
  }

  log_event at(std::chrono::seconds ago, std::string m) const {
    return {core::to_epoch_millis(clock.now() - ago), std::move(m)};
  }

  std::vector<std::string> sent_messages() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) {
      if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      const auto body = nlohmann::json::parse(r.body);
      for (const auto& e : body["logEvents"]) {
        out.push_back(e["message"].get<std::string>());
      }
    }
    return out;
  }

  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  publisher pub_{logs, log, {.log_group = "/g"}};
};

TEST_F(Shipper, KeepsEventsThroughAnOutageAndDeliversThemInOrderAfterwards) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(120s, "one"));
  transport.fail(core::errc::network, "refused");
  auto d = s.flush();
  EXPECT_TRUE(d.error);
  EXPECT_EQ(d.pending, 1U);
  s.enqueue("s", at(60s, "two"));
  transport.fail(core::errc::timeout, "slow");
  EXPECT_EQ(s.flush().pending, 2U);
  s.enqueue("s", at(0s, "three"));
  transport.respond(200, "{}");
  d = s.flush();
  EXPECT_FALSE(d.error);
  EXPECT_EQ(d.delivered, 3U);
  EXPECT_EQ(d.pending, 0U);
  // The failed attempts carried the same events; the successful one all three, oldest first.
  const auto last = nlohmann::json::parse(transport.requests().back().body)["logEvents"];
  ASSERT_EQ(last.size(), 3U);
  EXPECT_EQ(last[0]["message"], "one");
  EXPECT_EQ(last[2]["message"], "three");
}

TEST_F(Shipper, SortsOutOfOrderEventsBeforeSending) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(0s, "late"));
  s.enqueue("s", at(10s, "early"));
  transport.respond(200, "{}");
  s.flush();
  EXPECT_EQ(sent_messages(), (std::vector<std::string>{"early", "late"}));
}

TEST_F(Shipper, DropsTheOldestWhenTheBoundIsReachedAndExplainsTheGapInTheStream) {
  shipper s(pub_, log, clock, {.max_events = 2});
  s.enqueue("s", at(30s, "a"));
  s.enqueue("s", at(20s, "b"));
  s.enqueue("s", at(10s, "c"));
  EXPECT_EQ(sink.count(logging::level::error), 1U);
  EXPECT_TRUE(sink.contains("exceed the spool limits"));
  // Two events and the marker that stands where "a" was.
  EXPECT_EQ(s.pending(), 3U);
  transport.respond(200, "{}");
  s.flush();
  const auto sent = sent_messages();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(nlohmann::json::parse(sent[0])["message"], "1 events dropped");
  EXPECT_EQ(sent[1], "b");
  EXPECT_EQ(sent[2], "c");
}

TEST_F(Shipper, OneMarkerPerStreamCountsEveryDroppedEvent) {
  shipper s(pub_, log, clock, {.max_events = 10});
  for (int i = 0; i < 25; ++i) s.enqueue("s", at(std::chrono::seconds{100 - i}, std::to_string(i)));
  // The marker counts against the bound too: it and the newest nine are kept.
  EXPECT_EQ(s.pending(), 10U);
  transport.respond(200, "{}");
  s.flush();
  const auto sent = sent_messages();
  ASSERT_EQ(sent.size(), 10U);
  const auto marker = nlohmann::json::parse(sent[0]);
  EXPECT_EQ(marker["message"], "16 events dropped");
  EXPECT_EQ(marker["dropped"], 16);
  EXPECT_EQ(sent[1], "16");
  EXPECT_EQ(sent[9], "24");
}

TEST_F(Shipper, TheByteBoundCountsMessagesAsCloudWatchDoes) {
  // 26 bytes of overhead per event: three 74-byte messages are 300 bytes.
  shipper s(pub_, log, clock, {.max_events = 1000, .max_bytes = 250});
  s.enqueue("s", at(3s, std::string(74, 'a')));
  s.enqueue("s", at(2s, std::string(74, 'b')));
  EXPECT_EQ(s.pending_bytes(), 200U);
  s.enqueue("s", at(1s, std::string(74, 'c')));
  EXPECT_TRUE(sink.contains("exceed the spool limits"));
  transport.respond(200, "{}");
  s.flush();
  const auto sent = sent_messages();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(nlohmann::json::parse(sent[0])["dropped"], 1);
  EXPECT_EQ(sent[1], std::string(74, 'b'));
}

TEST_F(Shipper, DropsEventsPastTheFourteenDayWindowWithAnError) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(15 * 24h, "ancient"));
  s.enqueue("s", at(1h, "recent"));
  transport.respond(200, "{}");
  const auto d = s.flush();
  EXPECT_EQ(d.dropped, 1U);
  EXPECT_EQ(d.delivered, 1U);
  EXPECT_TRUE(sink.contains("older than CloudWatch Logs accepts"));
  EXPECT_EQ(sent_messages(), (std::vector<std::string>{"recent"}));
}

TEST_F(Shipper, CountsPartiallyRejectedBatchesAsRejectedNotDelivered) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(2s, "a"));
  s.enqueue("s", at(1s, "b"));
  transport.respond(200, R"({"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":0}})");
  const auto d = s.flush();
  EXPECT_EQ(d.delivered, 1U);
  EXPECT_EQ(d.rejected, 1U);
  EXPECT_EQ(d.pending, 0U);
  EXPECT_EQ(sink.count(logging::level::error), 1U);
}

TEST_F(Shipper, DropsABatchTheServiceCallsInvalidAndGoesOn) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(1s, "a"));
  transport.respond(400, R"({"message":"bad"})",
                    {{"x-amzn-ErrorType", "InvalidParameterException"}});
  const auto d = s.flush();
  EXPECT_EQ(d.dropped, 1U);
  EXPECT_FALSE(d.error);
  EXPECT_EQ(s.pending(), 0U);
}

TEST_F(Shipper, KeepsStreamsApartAndDeliversEach) {
  shipper s(pub_, log, clock);
  s.enqueue("heartbeat-2026-01-01", at(2s, "old-day"));
  s.enqueue("heartbeat-2026-01-02", at(1s, "new-day"));
  transport.respond(200, "{}").respond(200, "{}");
  const auto d = s.flush();
  EXPECT_EQ(d.delivered, 2U);
  EXPECT_EQ(sent_messages(), (std::vector<std::string>{"old-day", "new-day"}));
}

// What each PutLogEvents call carried: whether it had the EMF header, and its messages.
std::vector<std::pair<bool, std::vector<std::string>>> batches_of(
    const testing::scripted_transport& transport) {
  std::vector<std::pair<bool, std::vector<std::string>>> out;
  for (const auto& r : transport.requests()) {
    if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
    std::vector<std::string> messages;
    const auto body = nlohmann::json::parse(r.body);
    for (const auto& e : body["logEvents"]) {
      messages.push_back(e["message"].get<std::string>());
    }
    out.emplace_back(r.find_header("x-amzn-logs-format") == "json/emf", std::move(messages));
  }
  return out;
}

const std::string emf_document =
    R"({"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[[]],)"
    R"("Metrics":[{"Name":"JobSuccess"}]}]},"JobSuccess":1})";

TEST_F(Shipper, NeverPutsPlainEventsInABatchWithTheEmfHeader) {
  shipper s(pub_, log, clock);
  s.enqueue("job", at(4s, "line 1"));
  s.enqueue("job", at(3s, "line 2"));
  s.enqueue("job", at(2s, emf_document), /*emf=*/true);
  s.enqueue("job", at(1s, "line 3"));
  transport.respond(200, "{}").respond(200, "{}").respond(200, "{}");
  EXPECT_EQ(s.flush().delivered, 4U);
  using batch = std::pair<bool, std::vector<std::string>>;
  EXPECT_EQ(batches_of(transport),
            (std::vector<batch>{
                {false, {"line 1", "line 2"}}, {true, {emf_document}}, {false, {"line 3"}}}));
}

TEST_F(Shipper, AnEventOnItsWayIsNeverDroppedForTheBoundNorItsMarkerCountedTwice) {
  shipper s(pub_, log, clock, {.max_events = 3});
  for (int i = 0; i < 5; ++i) s.enqueue("s", at(std::chrono::seconds(10 - i), std::to_string(i)));
  // Kept: a marker and the two newest. While they are being sent, one more event comes.
  bool arrived = false;
  transport.otherwise([&](const http::request&) -> core::result<http::response> {
    if (!arrived) {
      arrived = true;
      s.enqueue("s", at(1s, "during"));
    }
    return http::response{200, {}, "{}"};
  });
  const auto d = s.flush();
  EXPECT_FALSE(d.error);
  EXPECT_EQ(s.pending(), 0U);
  const auto sent = sent_messages();
  // Nothing of the batch on its way was dropped for "during", so one marker tells the gap once.
  EXPECT_EQ(std::count_if(sent.begin(), sent.end(),
                          [](const std::string& m) {
                            return m.find(R"("event":"dropped")") != std::string::npos;
                          }),
            1);
  EXPECT_EQ(std::vector<std::string>(sent.end() - 3, sent.end()),
            (std::vector<std::string>{"3", "4", "during"}));
}

// ---- with the disk spool

std::unique_ptr<spool::journal> open_journal(const testing::temp_dir& dir) {
  auto j = spool::journal::open(dir.path());
  if (!j) throw std::runtime_error(j.error().message);
  return std::move(*j);
}

TEST_F(Shipper, EventsKeptOnDiskAreDeliveredByTheNextProcess) {
  testing::temp_dir dir;
  {
    auto journal = open_journal(dir);
    shipper first(pub_, log, clock, {}, journal.get());
    first.enqueue("s", at(20s, "before the crash 1"));
    first.enqueue("s", at(10s, "before the crash 2"));
    transport.fail(core::errc::network, "refused");
    EXPECT_TRUE(first.flush().error);
  }
  auto journal = open_journal(dir);
  shipper second(pub_, log, clock, {}, journal.get());
  EXPECT_EQ(second.restored(), 2U);
  second.enqueue("s", at(0s, "after the restart"));
  transport.respond(200, "{}");
  const auto d = second.flush();
  EXPECT_EQ(d.delivered, 3U);
  const auto last = nlohmann::json::parse(transport.requests().back().body)["logEvents"];
  ASSERT_EQ(last.size(), 3U);
  EXPECT_EQ(last[0]["message"], "before the crash 1");
  EXPECT_EQ(last[1]["message"], "before the crash 2");
  EXPECT_EQ(last[2]["message"], "after the restart");
  // Delivered events are gone from the disk too: a third process has nothing to send.
  EXPECT_EQ(journal->live_events(), 0U);
}

TEST_F(Shipper, EventsTakenOverFromTheDiskKeepTheirEmfHeader) {
  testing::temp_dir dir;
  {
    auto journal = open_journal(dir);
    shipper first(pub_, log, clock, {}, journal.get());
    first.enqueue("s", at(20s, R"({"_aws":"not metadata"})"));
    first.enqueue("s", at(10s, emf_document), /*emf=*/true);
    transport.fail(core::errc::network, "refused");
    EXPECT_TRUE(first.flush().error);
  }
  auto journal = open_journal(dir);
  shipper second(pub_, log, clock, {}, journal.get());
  transport.respond(200, "{}").respond(200, "{}");
  EXPECT_EQ(second.flush().delivered, 2U);
  using batch = std::pair<bool, std::vector<std::string>>;
  const auto all = batches_of(transport);
  ASSERT_GE(all.size(), 2U);
  EXPECT_EQ((std::vector<batch>(all.end() - 2, all.end())),
            (std::vector<batch>{{false, {R"({"_aws":"not metadata"})"}}, {true, {emf_document}}}));
}

TEST_F(Shipper, TheLargestEventWithTheLongestStreamNameSurvivesARestartWhole) {
  // The journal's record bound follows the PutLogEvents event limit (1 MiB, overhead included).
  testing::temp_dir dir;
  const std::string stream(max_name_length, 's');
  const std::string message(max_message_bytes, 'm');
  {
    auto journal = open_journal(dir);
    shipper first(pub_, log, clock, {}, journal.get());
    EXPECT_TRUE(first.enqueue(stream, at(1s, message)));  // on disk
  }
  auto journal = open_journal(dir);
  shipper second(pub_, log, clock, {}, journal.get());
  ASSERT_EQ(second.restored(), 1U);
  transport.respond(200, "{}");
  EXPECT_EQ(second.flush().delivered, 1U);
  EXPECT_EQ(sent_messages(), std::vector<std::string>{message});
}

TEST_F(Shipper, DroppedEventsAreRemovedFromTheDiskToo) {
  testing::temp_dir dir;
  auto journal = open_journal(dir);
  shipper s(pub_, log, clock, {.max_events = 10}, journal.get());
  for (int i = 0; i < 12; ++i) s.enqueue("s", at(std::chrono::seconds{60 - i}, std::to_string(i)));
  // Nine events and the marker for the three dropped, on disk as in memory.
  EXPECT_EQ(journal->live_events(), 10U);
  EXPECT_EQ(s.pending(), 10U);
}

TEST_F(Shipper, AFullDiskDegradesToMemoryWithOneErrorAndRecoversWhenSpaceReturns) {
  testing::temp_dir dir;
  auto journal = open_journal(dir);
  shipper s(pub_, log, clock, {}, journal.get());
  s.enqueue("s", at(30s, "on disk"));
  {
    const testing::file_size_limit full(journal->file_bytes());
    s.enqueue("s", at(20s, "memory only 1"));
    s.enqueue("s", at(10s, "memory only 2"));
  }
  EXPECT_EQ(sink.count(logging::level::error), 1U);
  EXPECT_TRUE(sink.contains("Cannot write to the spool directory"));
  EXPECT_EQ(journal->live_events(), 1U);
  EXPECT_EQ(s.pending(), 3U);

  // Space is back: the next event brings the kept ones to disk with it.
  s.enqueue("s", at(0s, "on disk again"));
  EXPECT_TRUE(sink.contains("The spool directory accepts writes again; 2 events"));
  EXPECT_EQ(journal->live_events(), 4U);

  transport.respond(200, "{}");
  EXPECT_EQ(s.flush().delivered, 4U);
  EXPECT_EQ(journal->live_events(), 0U);
}

TEST_F(Shipper, EventsKeptInMemoryWhileTheDiskIsFullAreStillDelivered) {
  testing::temp_dir dir;
  auto journal = open_journal(dir);
  shipper s(pub_, log, clock, {}, journal.get());
  {
    const testing::file_size_limit full(0);
    s.enqueue("s", at(10s, "memory only"));
    transport.respond(200, "{}");
    EXPECT_EQ(s.flush().delivered, 1U);
  }
  EXPECT_EQ(sent_messages(), (std::vector<std::string>{"memory only"}));
  EXPECT_EQ(s.pending(), 0U);
  EXPECT_EQ(journal->live_events(), 0U);
}

TEST_F(Shipper, WhatWasDeliveredWhileTheDiskWasFullIsNotSentAgainAfterARestart) {
  testing::memory_file_system disk;
  const auto open_on_disk = [&] {
    auto j = spool::journal::open("/spool", {.files = &disk});
    if (!j) throw std::runtime_error(j.error().message);
    return std::move(*j);
  };
  {
    auto journal = open_on_disk();
    shipper first(pub_, log, clock, {}, journal.get());
    first.enqueue("s", at(30s, "one"));
    first.enqueue("s", at(20s, "two"));
    disk.fill();  // the removal record after the delivery cannot be written
    transport.respond(200, "{}");
    EXPECT_EQ(first.flush().delivered, 2U);
    EXPECT_EQ(journal->file_bytes(), 0U);
  }
  auto journal = open_on_disk();
  shipper second(pub_, log, clock, {}, journal.get());
  EXPECT_EQ(second.restored(), 0U);
  EXPECT_EQ(second.pending(), 0U);
  EXPECT_EQ(sent_messages(), (std::vector<std::string>{"one", "two"}));
}

}  // namespace
}  // namespace cwp::cloudwatch
