#include "commands/send.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cloudwatch/batch.h"
#include "core/time_format.h"
#include "support/scripted_platform.h"
#include "support/temp_dir.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;
using namespace std::chrono_literals;
using nlohmann::json;

// Lines (or pieces of lines) and pauses on the fake clock. Records how many requests had been
// sent when each piece was handed out, so tests see whether a batch went out before a later line
// was read.
class scripted_lines final : public io::line_source {
 public:
  scripted_lines(testing::fake_clock& clock, const testing::scripted_transport& transport)
      : clock_(clock), transport_(transport) {}
  scripted_lines& line(std::string text, std::chrono::milliseconds after = 0ms) {
    steps_.push_back({std::move(text), after, false, true});
    return *this;
  }
  // A piece of a line that the next piece continues.
  scripted_lines& piece(std::string text, std::chrono::milliseconds after = 0ms) {
    steps_.push_back({std::move(text), after, false, false});
    return *this;
  }
  scripted_lines& pause(std::chrono::milliseconds d) {
    steps_.push_back({"", d, true, true});
    return *this;
  }

  core::result<status> next(io::line_piece& out, std::chrono::milliseconds wait) override {
    while (!steps_.empty()) {
      auto& s = steps_.front();
      if (s.delay > wait) {
        clock_.advance(wait);
        s.delay -= wait;
        return status::idle;
      }
      clock_.advance(s.delay);
      wait -= s.delay;
      s.delay = 0ms;
      if (s.pause) {
        steps_.pop_front();
        continue;
      }
      out = {std::move(s.text), s.final};
      steps_.pop_front();
      requests_before_line.push_back(transport_.requests().size());
      return status::piece;
    }
    return status::end;
  }

  std::vector<std::size_t> requests_before_line;

 private:
  struct step {
    std::string text;
    std::chrono::milliseconds delay;
    bool pause;
    bool final;
  };
  testing::fake_clock& clock_;
  const testing::scripted_transport& transport_;
  std::deque<step> steps_;
};

class Send : public ::testing::Test, protected testing::scripted_platform {
 protected:
  Send() : scripted_platform({}, *core::parse_iso8601("2026-01-01T12:00:00Z")) {
    transport.otherwise([](const http::request&) -> core::result<http::response> {
      return http::response{200, {}, "{}"};
    });
  }

  exit_code run(std::optional<std::string> message = std::nullopt, testing::variables extra = {}) {
    // One call at a time unless a test asks for more: these tests pin the order of requests
    // (the concurrent tests below compare what was delivered, whatever the order).
    testing::variables vars = {{"AWS_ACCESS_KEY_ID", "AKIDSEND"},
                               {"AWS_SECRET_ACCESS_KEY", "s3cr3t/send"},
                               {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
                               {"AWS_MAX_ATTEMPTS", "2"},
                               {"CWP_SEND_CONCURRENCY", "1"},
                               {"HOSTNAME", "node-7"}};
    vars.merge(extra);
    set_environment(std::move(vars));
    auto s = config::resolve({}, env());
    EXPECT_TRUE(s) << s.error().message;
    return run_send(*s, platform(), send_request{std::move(message), &lines, &status, false});
  }

  // The PutLogEvents bodies sent, in order.
  std::vector<json> batches() const {
    std::vector<json> out;
    for (const auto& r : transport.requests()) {
      if (r.find_header("X-Amz-Target") == "Logs_20140328.PutLogEvents") {
        out.push_back(json::parse(r.body));
      }
    }
    return out;
  }

  // The messages of the PutLogEvents calls that succeeded (`failed`: indexes among all requests
  // that were answered with a failure), in the order sent; each batch sorted by timestamp.
  std::vector<std::string> delivered_messages(const std::set<std::size_t>& failed = {}) const {
    std::vector<std::string> out;
    const auto& all = transport.requests();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (failed.contains(i) ||
          all[i].find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") {
        continue;
      }
      const auto events = json::parse(all[i].body)["logEvents"];
      for (std::size_t k = 0; k < events.size(); ++k) {
        if (k > 0) {
          EXPECT_LE(events[k - 1]["timestamp"], events[k]["timestamp"]);
        }
        out.push_back(events[k]["message"].get<std::string>());
      }
    }
    return out;
  }

  scripted_lines lines{clock, transport};
  std::ostringstream status;
};

// `count` distinct lines, "line 0" ... in the order read.
std::vector<std::string> numbered(std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back("line " + std::to_string(i));
  return out;
}

TEST_F(Send, AnArgumentIsOneEventOnTheSendStreamAndASummary) {
  EXPECT_EQ(run("hello world"), exit_code::ok);
  const auto sent = batches();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0]["logGroupName"], "/monorepo-fem/heartbeat");
  EXPECT_EQ(sent[0]["logStreamName"], "send-2026-01-01");
  EXPECT_EQ(sent[0]["logEvents"][0]["message"], "hello world");
  EXPECT_EQ(sent[0]["logEvents"][0]["timestamp"], 1'767'268'800'000LL);
  EXPECT_TRUE(
      status.str().starts_with("send: 1 lines, 1 events, 1 batches, 11 bytes, 0 retries in 0.00 s"))
      << status.str();
  EXPECT_NE(status.str().find("; 1 delivered\n"), std::string::npos) << status.str();
  // Quiet by default: no INFO lines (start-up, created group/stream).
  EXPECT_TRUE(sink.lines().empty()) << sink.text();
}

TEST_F(Send, StreamAndGroupComeFromTheirSettings) {
  EXPECT_EQ(run("x", {{"CWP_SEND_STREAM", "app-{hostname}"}, {"CWP_LOG_GROUP", "/apps"}}),
            exit_code::ok);
  EXPECT_EQ(batches().at(0)["logStreamName"], "app-node-7");
  EXPECT_EQ(batches().at(0)["logGroupName"], "/apps");
}

TEST_F(Send, AnEmptyArgumentIsAUsageErrorWithoutAnyCall) {
  EXPECT_EQ(run(""), exit_code::usage);
  EXPECT_TRUE(transport.requests().empty());
  EXPECT_TRUE(sink.contains("send: the message is empty"));
}

TEST_F(Send, LinesAreBatchedAtTenThousandEventsAndStreamedNotHeld) {
  for (int i = 0; i < 25'000; ++i) lines.line("line " + std::to_string(i));
  EXPECT_EQ(run(), exit_code::ok);
  const auto sent = batches();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[0]["logEvents"].size(), 10'000U);
  EXPECT_EQ(sent[1]["logEvents"].size(), 10'000U);
  EXPECT_EQ(sent[2]["logEvents"].size(), 5'000U);
  EXPECT_EQ(sent[1]["logEvents"][0]["message"], "line 10000");
  EXPECT_EQ(sent[2]["logEvents"][4999]["message"], "line 24999");
  // The first batch went out before line 10,002 was read: input is streamed, not held.
  EXPECT_EQ(lines.requests_before_line[10'001], 1U);  // the first batch (the stream exists)
  EXPECT_NE(status.str().find("25000 lines, 25000 events, 3 batches"), std::string::npos);
}

TEST_F(Send, BatchesStayWithinOneMebibyteCountingTwentySixBytesPerEvent) {
  for (int i = 0; i < 10; ++i) lines.line(std::string(200'000, static_cast<char>('a' + i)));
  EXPECT_EQ(run(), exit_code::ok);
  const auto sent = batches();
  std::size_t events = 0;
  for (const auto& b : sent) {
    std::size_t bytes = 0;
    for (const auto& e : b["logEvents"]) bytes += e["message"].get<std::string>().size() + 26;
    EXPECT_LE(bytes, cloudwatch::max_batch_bytes);
    events += b["logEvents"].size();
  }
  EXPECT_EQ(events, 10U);
  EXPECT_EQ(sent.size(), 2U);  // 5 events of 200,026 bytes fit, a sixth would not
}

TEST_F(Send, ALineUpToTheOneMegabyteEventLimitIsOneEvent) {
  // 900 KiB: over the old 256 KB limit, one event under the current 1 MB one.
  const std::string line(900 * 1024, 'm');
  lines.line(line);
  EXPECT_EQ(run(), exit_code::ok);
  const auto events = batches().at(0)["logEvents"];
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["message"], line);
  EXPECT_EQ(status.str().find("long lines split"), std::string::npos) << status.str();
}

TEST_F(Send, AnOversizeLineIsSplitAtCharacterBoundariesNotTruncated) {
  // 'é' is 2 bytes: 300,000 of them are 600,000 bytes, more than a 256 KiB event may hold.
  std::string line;
  for (int i = 0; i < 300'000; ++i) line += "\xC3\xA9";
  lines.line(line);
  EXPECT_EQ(run(std::nullopt, {{"CWP_MAX_EVENT_BYTES", "256KiB"}}), exit_code::ok);
  const auto events = batches().at(0)["logEvents"];
  ASSERT_EQ(events.size(), 3U);
  const auto first = events[0]["message"].get<std::string>();
  EXPECT_EQ(first.size(), 262'118U);  // 256 KiB less 26 bytes; even: no character cut
  std::string joined;
  for (const auto& e : events) {
    EXPECT_LE(e["message"].get<std::string>().size() + 26, 262'144U);
    EXPECT_EQ(e["timestamp"], events[0]["timestamp"]);
    joined += e["message"].get<std::string>();
  }
  EXPECT_EQ(joined, line);
  EXPECT_NE(status.str().find("; 1 long lines split (events of at most 262144 bytes, "
                              "CWP_MAX_EVENT_BYTES)"),
            std::string::npos)
      << status.str();
}

TEST_F(Send, ALineOverTheDefaultLimitIsSplitIntoOneMegabyteEvents) {
  const std::string line(1'048'550 + 10, 'z');
  lines.line(line);
  EXPECT_EQ(run(), exit_code::ok);
  const auto sent = batches();
  ASSERT_EQ(sent.size(), 2U);  // the first event fills a batch on its own
  EXPECT_EQ(sent[0]["logEvents"][0]["message"].get<std::string>().size(), 1'048'550U);
  EXPECT_EQ(sent[1]["logEvents"][0]["message"].get<std::string>().size(), 10U);
}

TEST_F(Send, ALineReadInPiecesIsOneLineSplitOnceWithTheTimeItBegan) {
  // What the reader hands out for a line longer than one event: pieces, the last one final.
  lines.piece("first part ").piece("second part ", 300ms).line("end", 300ms).line("next", 300ms);
  EXPECT_EQ(run(), exit_code::ok);
  const auto events = batches().at(0)["logEvents"];
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[0]["message"], "first part ");
  EXPECT_EQ(events[1]["message"], "second part ");
  EXPECT_EQ(events[2]["message"], "end");
  const std::int64_t start_ms = 1'767'268'800'000LL;
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(events[i]["timestamp"], start_ms) << i;
  EXPECT_EQ(events[3]["timestamp"], start_ms + 900);
  EXPECT_NE(status.str().find("send: 2 lines, 4 events"), std::string::npos) << status.str();
  EXPECT_NE(status.str().find("; 1 long lines split"), std::string::npos) << status.str();
}

TEST_F(Send, EmptyLinesAreSkippedAndCounted) {
  lines.line("a").line("").line("b").line("");
  EXPECT_EQ(run(), exit_code::ok);
  const auto events = batches().at(0)["logEvents"];
  ASSERT_EQ(events.size(), 2U);
  EXPECT_NE(status.str().find("4 lines, 2 events"), std::string::npos) << status.str();
  EXPECT_NE(status.str().find("2 empty lines skipped"), std::string::npos) << status.str();
}

TEST_F(Send, NoInputSendsNothingAndSucceeds) {
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_TRUE(transport.requests().empty());
  EXPECT_TRUE(status.str().starts_with("send: 0 lines, 0 events, 0 batches")) << status.str();
}

TEST_F(Send, AQuietPipeFlushesAfterTheIdleGap) {
  lines.line("first").line("second", 400ms).line("third", 2000ms);
  EXPECT_EQ(run(), exit_code::ok);
  const auto sent = batches();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0]["logEvents"].size(), 2U);
  // "third" was read after the first two had been delivered (idle for 500 ms).
  EXPECT_EQ(lines.requests_before_line[2], 1U);
  // Each line carries the time it was read.
  const std::int64_t start_ms = 1'767'268'800'000LL;
  EXPECT_EQ(sent[0]["logEvents"][0]["timestamp"], start_ms);
  EXPECT_EQ(sent[0]["logEvents"][1]["timestamp"], start_ms + 400);
  EXPECT_EQ(sent[1]["logEvents"][0]["timestamp"], start_ms + 2400);
}

TEST_F(Send, ABusyPipeStillFlushesAfterFiveSeconds) {
  for (int i = 0; i < 30; ++i) lines.line("tick " + std::to_string(i), 400ms);
  EXPECT_EQ(run(), exit_code::ok);
  const auto sent = batches();
  ASSERT_GE(sent.size(), 2U);
  // Never 500 ms quiet; the first batch goes out when its oldest line has waited 5 s.
  EXPECT_EQ(sent[0]["logEvents"].size(), 13U);  // lines at 0.4 s .. 5.2 s
}

TEST_F(Send, RetriesAreCounted) {
  transport.respond(503, "<html>busy</html>");
  EXPECT_EQ(run("once more"), exit_code::ok);
  EXPECT_NE(status.str().find(" 1 retries "), std::string::npos) << status.str();
  EXPECT_NE(status.str().find("1 delivered"), std::string::npos) << status.str();
}

TEST_F(Send, UnreachableAwsIsExitOneAndTheSummarySaysWhatWasLost) {
  transport.otherwise([](const http::request&) -> core::result<http::response> {
    return core::fail(core::errc::network, "connection refused");
  });
  lines.line("a").line("b").line("c");
  EXPECT_EQ(run(), exit_code::failed);
  EXPECT_NE(status.str().find("0 delivered, 3 not delivered (lost)"), std::string::npos)
      << status.str();
  EXPECT_TRUE(sink.contains("Failed to deliver 3 of 3 events to CloudWatch Logs"));
  EXPECT_FALSE(sink.contains("s3cr3t"));
}

TEST_F(Send, RejectedCredentialsAreExitThree) {
  transport.otherwise([](const http::request&) -> core::result<http::response> {
    return http::response{
        400,
        {{"x-amzn-ErrorType", "UnrecognizedClientException"}},
        R"({"message":"The security token included in the request is invalid."})"};
  });
  EXPECT_EQ(run("x"), exit_code::credentials_rejected);
}

TEST_F(Send, SeveralBatchesInFlightDeliverEveryLineExactlyOnce) {
  const auto input = numbered(45'000);
  for (const auto& l : input) lines.line(l);
  EXPECT_EQ(run(std::nullopt, {{"CWP_SEND_CONCURRENCY", "4"}}), exit_code::ok);
  auto got = delivered_messages();
  EXPECT_EQ(batches().size(), 5U);  // full batches of 10,000, then the rest
  std::sort(got.begin(), got.end());
  auto expected = input;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
  EXPECT_NE(status.str().find("45000 lines, 45000 events, 5 batches"), std::string::npos)
      << status.str();
  EXPECT_NE(status.str().find("; 45000 delivered"), std::string::npos) << status.str();
}

TEST_F(Send, ABatchThatFailsAmongConcurrentOnesIsKeptAndRetriedNeverDropped) {
  // The second PutLogEvents call fails (one attempt: no retry inside the call) while the others
  // succeed; its events go back to the queue and out again with the last attempt.
  std::atomic<int> puts{0};
  std::set<std::size_t> failed;
  std::atomic<std::size_t> request_index{0};
  std::mutex failed_mutex;
  transport.otherwise([&](const http::request& r) -> core::result<http::response> {
    const std::size_t index = request_index++;
    if (r.find_header("X-Amz-Target") == "Logs_20140328.PutLogEvents" && ++puts == 2) {
      const std::lock_guard lock(failed_mutex);
      failed.insert(index);
      return http::response{500, {{"x-amzn-ErrorType", "ServiceUnavailableException"}}, "{}"};
    }
    return http::response{200, {}, "{}"};
  });
  const auto input = numbered(35'000);
  for (const auto& l : input) lines.line(l);
  EXPECT_EQ(run(std::nullopt, {{"CWP_SEND_CONCURRENCY", "3"}, {"AWS_MAX_ATTEMPTS", "1"}}),
            exit_code::ok);
  auto got = delivered_messages(failed);
  ASSERT_EQ(failed.size(), 1U);
  std::sort(got.begin(), got.end());
  auto expected = input;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected) << "every line delivered once, the failed batch's too";
  EXPECT_NE(status.str().find("35000 lines, 35000 events, 4 batches"), std::string::npos)
      << status.str();  // four calls succeeded, the failed one is not counted
  EXPECT_NE(status.str().find("; 35000 delivered"), std::string::npos) << status.str();
}

TEST_F(Send, WithConcurrencyWhatCannotBeDeliveredIsSpooledAndGoesOutFirstNextTime) {
  const testing::temp_dir spool;
  transport.otherwise([](const http::request&) -> core::result<http::response> {
    return core::fail(core::errc::network, "connection refused");
  });
  // Long lines, so that a few thousand (each written to the spool) fill several batches.
  const std::string filler(1500, 'f');
  for (const auto& l : numbered(2'000)) lines.line(l + " " + filler, 1ms);
  const testing::variables with_spool = {{"CWP_SEND_CONCURRENCY", "4"},
                                         {"AWS_MAX_ATTEMPTS", "1"},
                                         {"CWP_SPOOL_DIR", spool.path().string()}};
  EXPECT_EQ(run(std::nullopt, with_spool), exit_code::failed);
  EXPECT_NE(status.str().find("0 delivered, 2000 not delivered (kept in the spool)"),
            std::string::npos)
      << status.str();

  // The next send (endpoint back) delivers the kept events before its own, in timestamp order.
  transport.otherwise([](const http::request&) -> core::result<http::response> {
    return http::response{200, {}, "{}"};
  });
  const std::size_t before = transport.requests().size();
  status.str("");
  lines.line("new line", 1ms);
  EXPECT_EQ(run(std::nullopt, with_spool), exit_code::ok);
  EXPECT_NE(status.str().find("; 2001 delivered (incl. 2000 kept by an earlier send)"),
            std::string::npos)
      << status.str();
  // Each kept event went out once with the time its line was read (line i at start + i + 1 ms),
  // the new line after them all.
  std::map<std::string, std::int64_t> stamps;
  for (std::size_t i = before; i < transport.requests().size(); ++i) {
    const auto& r = transport.requests()[i];
    if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
    const auto body = json::parse(r.body);
    for (const auto& e : body["logEvents"]) {
      const auto message = e["message"].get<std::string>();
      EXPECT_TRUE(stamps.emplace(message.substr(0, message.find(' ', 5)), e["timestamp"]).second)
          << message;
    }
  }
  ASSERT_EQ(stamps.size(), 2'001U);
  const std::int64_t start_ms = 1'767'268'800'000LL;
  EXPECT_EQ(stamps["line 0"], start_ms + 1);
  EXPECT_EQ(stamps["line 1999"], start_ms + 2'000);
  EXPECT_EQ(stamps["new line"], start_ms + 2'001);
}

TEST_F(Send, AConcurrencyOutsideOneToSixteenIsRejected) {
  for (const std::string bad : {"0", "17", "four", "-1"}) {
    set_environment({{"CWP_SEND_CONCURRENCY", bad}});
    const auto s = config::resolve({}, env());
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("CWP_SEND_CONCURRENCY: '" + bad + "'"), std::string::npos)
        << s.error().message;
  }
}

}  // namespace
}  // namespace cwp::commands
