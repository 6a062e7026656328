// The settings of what we create and send: the largest event (CWP_MAX_EVENT_BYTES) and the
// spool bound that must hold one, and the options of a log group we create (class, KMS key,
// tags, whether we may create it at all), each invalid value an error naming its setting.
#include <gtest/gtest.h>

#include "config/settings.h"

namespace cwp::config {
namespace {

core::result<settings> resolve_env(std::map<std::string, std::string, std::less<>> vars,
                                   const flag_values& flags = {}) {
  return resolve(flags, core::map_environment(std::move(vars)));
}

std::string error_of(std::map<std::string, std::string, std::less<>> vars,
                     const flag_values& flags = {}) {
  const auto s = resolve_env(std::move(vars), flags);
  EXPECT_FALSE(s);
  if (s) return {};
  EXPECT_EQ(s.error().code, core::errc::invalid_argument);
  return s.error().message;
}

TEST(MaxEventBytes, DefaultsToTheOneMegabyteLimitOverheadIncluded) {
  EXPECT_EQ(resolve_env({})->max_event_bytes, 1'048'576U);
  EXPECT_EQ(resolve_env({{"CWP_MAX_EVENT_BYTES", "256KiB"}})->max_event_bytes, 262'144U);
  EXPECT_EQ(resolve_env({{"CWP_MAX_EVENT_BYTES", "262118"}})->max_event_bytes, 262'118U);
  EXPECT_EQ(resolve_env({}, {{setting::max_event_bytes, "1MiB"}})->max_event_bytes, 1'048'576U);
  EXPECT_EQ(resolve_env({{"CWP_MAX_EVENT_BYTES", "1KiB"}})->max_event_bytes, 1024U);
}

TEST(MaxEventBytes, OutsideWhatTheServiceAcceptsIsAnErrorNamingTheSetting) {
  EXPECT_TRUE(error_of({{"CWP_MAX_EVENT_BYTES", "1048577"}})
                  .starts_with("CWP_MAX_EVENT_BYTES: '1048577' is not an event size between 1024 "
                               "and 1048576 bytes"));
  EXPECT_TRUE(error_of({{"CWP_MAX_EVENT_BYTES", "1023"}}).starts_with("CWP_MAX_EVENT_BYTES: "));
  EXPECT_TRUE(error_of({}, {{setting::max_event_bytes, "big"}}).starts_with("--max-event-bytes: "));
}

TEST(MaxEventBytes, TheSpoolMustHoldOneEventOfThatSize) {
  // A 900 KiB line kept in a 64 KiB spool would be dropped as soon as it was kept.
  EXPECT_EQ(error_of({{"CWP_SPOOL_MAX_BYTES", "512KiB"}}),
            "CWP_SPOOL_MAX_BYTES: '512KiB' cannot hold one event of CWP_MAX_EVENT_BYTES (1048576 "
            "bytes): raise it, or lower CWP_MAX_EVENT_BYTES");
  const auto small =
      resolve_env({{"CWP_SPOOL_MAX_BYTES", "512KiB"}, {"CWP_MAX_EVENT_BYTES", "256KiB"}});
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(small->spool_limits.max_bytes, 512U * 1024U);
}

TEST(LogGroupOptions, NothingIsSetByDefaultAndCreatingTheGroupIsAllowed) {
  const auto s = resolve_env({});
  EXPECT_FALSE(s->log_group_options.log_class);
  EXPECT_TRUE(s->log_group_options.kms_key_id.empty());
  EXPECT_TRUE(s->log_group_options.tags.empty());
  EXPECT_TRUE(s->create_log_group);
}

TEST(LogGroupOptions, ClassKeyAndTagsFromVariablesOrFlags) {
  const auto s = resolve_env({{"CWP_LOG_GROUP_CLASS", "INFREQUENT_ACCESS"},
                              {"CWP_KMS_KEY_ID", "arn:aws:kms:ap-southeast-2:123456789012:key/k-1"},
                              {"CWP_LOG_GROUP_TAGS", "team=platform,env=prod"},
                              {"CWP_CREATE_LOG_GROUP", "false"}});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->log_group_options.log_class, cloudwatch::log_group_class::infrequent_access);
  EXPECT_EQ(s->log_group_options.kms_key_id, "arn:aws:kms:ap-southeast-2:123456789012:key/k-1");
  EXPECT_EQ(s->log_group_options.tags.at("team"), "platform");
  EXPECT_FALSE(s->create_log_group);
  const auto flags = resolve_env(
      {}, {{setting::log_group_class, "STANDARD"}, {setting::create_log_group, "true"}});
  EXPECT_EQ(flags->log_group_options.log_class, cloudwatch::log_group_class::standard);
  EXPECT_TRUE(flags->create_log_group);
}

TEST(LogGroupOptions, InvalidValuesNameTheirSetting) {
  EXPECT_TRUE(
      error_of({{"CWP_LOG_GROUP_CLASS", "COLD"}}).starts_with("CWP_LOG_GROUP_CLASS: 'COLD'"));
  EXPECT_TRUE(error_of({{"CWP_KMS_KEY_ID", "alias/logs"}}).starts_with("CWP_KMS_KEY_ID: "));
  EXPECT_TRUE(error_of({{"CWP_LOG_GROUP_TAGS", "team"}}).starts_with("CWP_LOG_GROUP_TAGS: "));
  EXPECT_EQ(error_of({{"CWP_CREATE_LOG_GROUP", "no"}}),
            "CWP_CREATE_LOG_GROUP: 'no' is not true or false");
  EXPECT_TRUE(
      error_of({}, {{setting::log_group_tags, "a=1,a=2"}}).starts_with("--log-group-tags: "));
}

TEST(LogGroupOptions, InfrequentAccessWithEmfIsAStartUpErrorSayingWhy) {
  const auto message = error_of(
      {{"CWP_LOG_GROUP_CLASS", "INFREQUENT_ACCESS"}, {"CWP_EMF_NAMESPACE", "CloudWatchPublisher"}});
  EXPECT_EQ(message,
            "CWP_LOG_GROUP_CLASS: INFREQUENT_ACCESS log groups do not extract metrics from "
            "Embedded Metric Format, so with CWP_EMF_NAMESPACE set the Heartbeat metric would "
            "never exist and its alarm would always fire: use STANDARD, or unset "
            "CWP_EMF_NAMESPACE");
  EXPECT_TRUE(resolve_env(
      {{"CWP_LOG_GROUP_CLASS", "STANDARD"}, {"CWP_EMF_NAMESPACE", "CloudWatchPublisher"}}));
}

}  // namespace
}  // namespace cwp::config
