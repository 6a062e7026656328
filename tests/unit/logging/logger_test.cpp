#include "logging/logger.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/capturing_sink.h"
#include "support/fake_clock.h"

namespace cwp::logging {
namespace {

TEST(LogLine, RendersTheReplacedImagesFieldsFirstThenContext) {
  const line l{"cloudwatch-publisher",
               core::sys_time{std::chrono::seconds{1761827696}},
               level::info,
               "hello",
               {kv("log_group", "/g"), kv("count", 3)}};
  EXPECT_EQ(render(l), R"({"service":"cloudwatch-publisher","timestamp":"2025-10-30T12:34:56Z",)"
                       R"("level":"INFO","message":"hello","log_group":"/g","count":3})");
}

TEST(LogLine, EscapesAndReplacesInvalidUtf8InsteadOfThrowing) {
  const line l{"s", core::sys_time{}, level::error, std::string("bad \xff \"q\"\n"), {}};
  const auto j = nlohmann::json::parse(render(l));
  EXPECT_EQ(j["message"], "bad \xEF\xBF\xBD \"q\"\n");
}

TEST(StreamSink, SendsErrorsToStderrAndTheRestToStdout) {
  std::ostringstream out;
  std::ostringstream err;
  stream_sink sink(out, err);
  testing::fake_clock clock;
  const logger log(sink, clock, "svc");
  log.info("i");
  log.warn("w");
  log.error("e");
  EXPECT_NE(out.str().find(R"("level":"INFO")"), std::string::npos);
  EXPECT_NE(out.str().find(R"("level":"WARN")"), std::string::npos);
  EXPECT_EQ(out.str().find("ERROR"), std::string::npos);
  EXPECT_NE(err.str().find(R"("level":"ERROR","message":"e")"), std::string::npos);
}

TEST(Logger, DropsLinesBelowTheThreshold) {
  testing::capturing_sink sink;
  testing::fake_clock clock;
  const logger log(sink, clock, "svc", level::warn);
  log.debug("d");
  log.info("i");
  log.warn("w");
  EXPECT_EQ(sink.lines().size(), 1U);
  EXPECT_EQ(sink.lines()[0].message, "w");
}

TEST(Logger, WithServiceKeepsSinkAndThreshold) {
  testing::capturing_sink sink;
  testing::fake_clock clock;
  const logger entry(sink, clock, "cloudwatch-publisher-entrypoint", level::warn);
  entry.with_service("cloudwatch-publisher").info("dropped");
  entry.with_service("cloudwatch-publisher").error("kept");
  ASSERT_EQ(sink.lines().size(), 1U);
  EXPECT_EQ(sink.lines()[0].service, "cloudwatch-publisher");
}

TEST(LogLevel, ParsesNamesCaseInsensitively) {
  level l{};
  EXPECT_TRUE(parse_level("WARNING", l));
  EXPECT_EQ(l, level::warn);
  EXPECT_TRUE(parse_level("debug", l));
  EXPECT_EQ(l, level::debug);
  EXPECT_FALSE(parse_level("loud", l));
}

}  // namespace
}  // namespace cwp::logging
