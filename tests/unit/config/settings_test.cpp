#include "config/settings.h"

#include <gtest/gtest.h>

namespace cwp::config {
namespace {

core::result<settings> resolve_env(std::map<std::string, std::string, std::less<>> vars,
                                   const flag_values& flags = {}) {
  return resolve(flags, core::map_environment(std::move(vars)));
}

TEST(Settings, DefaultsAreTheReplacedImages) {
  const auto s = resolve_env({});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->region, "ap-southeast-2");
  EXPECT_EQ(s->region_source, "default");
  EXPECT_EQ(s->log_group, "/monorepo-fem/heartbeat");
  EXPECT_EQ(s->log_stream.text(), "heartbeat-{date}");
  EXPECT_EQ(s->schedule.text(), "*/1 * * * *");
  EXPECT_EQ(s->splay.max(), std::chrono::milliseconds{0});
  EXPECT_EQ(s->logs_endpoint.url.origin(), "https://logs.ap-southeast-2.amazonaws.com");
  EXPECT_EQ(s->sts_endpoint.url.origin(), "https://sts.ap-southeast-2.amazonaws.com");
  EXPECT_EQ(s->retry.max_attempts, 3);
}

// Not under /tmp: anyone could plant the file or a symlink there before the daemon starts.
TEST(Settings, TheDefaultHealthFileIsInARuntimeDirectoryNotAWorldWritableOne) {
  EXPECT_EQ(resolve_env({})->health_file, "/run/cloudwatch-publisher/health.json");
  EXPECT_EQ(resolve_env({{"CWP_HEALTH_FILE", "/data/h.json"}})->health_file, "/data/h.json");
}

TEST(Settings, RegionComesFromAwsRegionThenAwsDefaultRegion) {
  EXPECT_EQ(resolve_env({{"AWS_DEFAULT_REGION", "eu-west-1"}})->region, "eu-west-1");
  const auto both = resolve_env({{"AWS_REGION", "us-east-2"}, {"AWS_DEFAULT_REGION", "eu-west-1"}});
  EXPECT_EQ(both->region, "us-east-2");
  EXPECT_EQ(both->region_source, "AWS_REGION");
  EXPECT_EQ(both->logs_endpoint.signing_region, "us-east-2");
}

TEST(Settings, FlagsBeatEnvironmentBeatsDefaults) {
  const auto s = resolve_env({{"CWP_LOG_GROUP", "/from/env"}, {"AWS_REGION", "us-east-2"}},
                             {{setting::log_group, "/from/flag"}, {setting::region, "eu-north-1"}});
  EXPECT_EQ(s->log_group, "/from/flag");
  EXPECT_EQ(s->region, "eu-north-1");
  EXPECT_EQ(s->region_source, "--region");
  EXPECT_EQ(resolve_env({{"CWP_LOG_GROUP", "/from/env"}})->log_group, "/from/env");
}

TEST(Settings, EmptyVariablesCountAsUnset) {
  EXPECT_EQ(resolve_env({{"CWP_LOG_GROUP", ""}, {"AWS_REGION", ""}})->log_group,
            "/monorepo-fem/heartbeat");
}

TEST(Settings, InvalidValuesNameTheirSource) {
  const auto group = resolve_env({{"CWP_LOG_GROUP", "bad group"}});
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().code, core::errc::invalid_argument);
  EXPECT_TRUE(group.error().message.starts_with("CWP_LOG_GROUP: "));

  const auto stream = resolve_env({}, {{setting::log_stream, "x-{nope}"}});
  ASSERT_FALSE(stream);
  EXPECT_TRUE(stream.error().message.starts_with("--log-stream: "));

  const auto region = resolve_env({{"AWS_REGION", "Mars 1"}});
  ASSERT_FALSE(region);
  EXPECT_TRUE(region.error().message.starts_with("AWS_REGION: "));

  const auto schedule = resolve_env({{"CWP_SCHEDULE", "61 * * * *"}});
  ASSERT_FALSE(schedule);
  EXPECT_TRUE(schedule.error().message.starts_with("CWP_SCHEDULE: minute field '61'"));

  const auto splay = resolve_env({{"CWP_SCHEDULE", "@every 10s"}, {"CWP_SPLAY", "0-30s"}});
  ASSERT_FALSE(splay);
  EXPECT_TRUE(splay.error().message.starts_with("CWP_SPLAY: "));

  const auto level = resolve_env({{"CWP_LOG_LEVEL", "chatty"}});
  ASSERT_FALSE(level);
  EXPECT_NE(level.error().message.find("CWP_LOG_LEVEL"), std::string::npos);
}

TEST(Settings, UnknownCwpVariablesAreErrorsWithASuggestion) {
  const auto s = resolve_env({{"CWP_LOG_GRUOP", "/x"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "unknown setting CWP_LOG_GRUOP (did you mean CWP_LOG_GROUP?)");
  EXPECT_TRUE(resolve_env({{"OTHER_THING", "x"}}));
}

TEST(Settings, EndpointOverridesKeepTheSigningRegion) {
  const auto s =
      resolve_env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:5000"}, {"AWS_REGION", "us-west-2"}});
  EXPECT_EQ(s->logs_endpoint.url.origin(), "http://127.0.0.1:5000");
  EXPECT_EQ(s->logs_endpoint.signing_region, "us-west-2");
  EXPECT_EQ(s->sts_endpoint.signing_name, "sts");
}

TEST(Settings, HostnameFromFlagThenSettingThenHostnameVariable) {
  EXPECT_EQ(resolve_env({{"HOSTNAME", "box"}})->hostname, "box");
  EXPECT_EQ(resolve_env({{"HOSTNAME", "box"}, {"CWP_HOSTNAME", "named"}})->hostname, "named");
  EXPECT_FALSE(resolve_env({})->hostname.empty());
}

TEST(Settings, EmfIsOffAndRetentionUnsetByDefault) {
  const auto s = resolve_env({});
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->emf);
  EXPECT_FALSE(s->retention_days);
}

TEST(Settings, EmfNamespaceTurnsEmfOnWithLogGroupAndHostDimensionsByDefault) {
  const auto s = resolve_env({{"CWP_EMF_NAMESPACE", "CloudWatchPublisher"},
                              {"CWP_LOG_GROUP", "/fleet/hb"},
                              {"CWP_HOSTNAME", "node-7"}});
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->emf);
  EXPECT_EQ(s->emf->metric_namespace, "CloudWatchPublisher");
  ASSERT_EQ(s->emf->dimensions.size(), 2U);
  EXPECT_EQ(s->emf->dimensions[0].name, "LogGroup");
  EXPECT_EQ(s->emf->dimensions[0].value, "/fleet/hb");
  EXPECT_EQ(s->emf->dimensions[1].name, "Host");
  EXPECT_EQ(s->emf->dimensions[1].value, "node-7");
}

TEST(Settings, EmfDimensionsFromFlagOrVariable) {
  const auto s = resolve_env({{"CWP_EMF_NAMESPACE", "N"}, {"CWP_EMF_DIMENSIONS", "Cluster=prod"}},
                             {{setting::emf_dimensions, "Cluster=dev,Host"}});
  ASSERT_TRUE(s);
  ASSERT_EQ(s->emf->dimensions.size(), 2U);
  EXPECT_EQ(s->emf->dimensions[0].value, "dev");
}

TEST(Settings, InvalidEmfAndRetentionSettingsNameTheirSource) {
  const auto ns = resolve_env({{"CWP_EMF_NAMESPACE", "AWS/Logs"}});
  ASSERT_FALSE(ns);
  EXPECT_EQ(ns.error().code, core::errc::invalid_argument);
  EXPECT_TRUE(ns.error().message.starts_with("CWP_EMF_NAMESPACE: ")) << ns.error().message;

  const auto dims = resolve_env({{"CWP_EMF_NAMESPACE", "N"}, {"CWP_EMF_DIMENSIONS", "Hostname"}});
  ASSERT_FALSE(dims);
  EXPECT_TRUE(dims.error().message.starts_with("CWP_EMF_DIMENSIONS: unknown dimension"))
      << dims.error().message;

  const auto flag = resolve_env({{"CWP_EMF_NAMESPACE", "N"}}, {{setting::emf_dimensions, ""}});
  ASSERT_FALSE(flag);
  EXPECT_TRUE(flag.error().message.starts_with("--emf-dimensions: ")) << flag.error().message;

  const auto retention = resolve_env({{"CWP_RETENTION_DAYS", "8"}});
  ASSERT_FALSE(retention);
  EXPECT_TRUE(retention.error().message.starts_with("CWP_RETENTION_DAYS: '8' is not a retention"))
      << retention.error().message;
}

TEST(Settings, EmfDimensionsWithoutANamespaceAreAnError) {
  const auto s = resolve_env({{"CWP_EMF_DIMENSIONS", "Host"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "CWP_EMF_DIMENSIONS: has no effect without CWP_EMF_NAMESPACE (or "
            "--emf-namespace)");
}

TEST(Settings, RetentionDaysFromVariable) {
  EXPECT_EQ(resolve_env({{"CWP_RETENTION_DAYS", "30"}})->retention_days, 30);
  EXPECT_EQ(resolve_env({}, {{setting::retention_days, "3653"}})->retention_days, 3653);
}

TEST(Settings, CrontabIsAPathFromFlagOrVariableAndUnsetByDefault) {
  EXPECT_EQ(resolve_env({})->crontab, "");
  EXPECT_EQ(resolve_env({{"CWP_CRONTAB", "/etc/crontab"}})->crontab, "/etc/crontab");
  EXPECT_EQ(resolve_env({{"CWP_CRONTAB", "/etc/crontab"}}, {{setting::crontab, "jobs"}})->crontab,
            "jobs");
}

TEST(Settings, EveryKnownSettingHasFlagEnvAndHelp) {
  for (const auto& s : known_settings()) {
    EXPECT_TRUE(s.flag.starts_with("--"));
    EXPECT_FALSE(s.env.empty());
    EXPECT_FALSE(s.help.empty());
  }
}

// Stream names renderable from the settings alone are checked by resolve(), before any command
// can go to the network; the error names the setting, the rendered length and the fix.
TEST(Settings, AStreamTemplateRenderingTooLongANameIsRefusedWithItsLengthAndTheFix) {
  const auto s = resolve_env({{"CWP_LOG_STREAM", std::string(590, 'x') + "-{date}"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, core::errc::invalid_argument);
  const auto& m = s.error().message;
  EXPECT_TRUE(m.starts_with("CWP_LOG_STREAM: '")) << m;
  EXPECT_NE(m.find("(601 characters)"), std::string::npos) << m;
  EXPECT_TRUE(m.ends_with("; shorten CWP_LOG_STREAM (--log-stream)")) << m;
}

TEST(Settings, AHostNameMakingTheStreamNameTooLongSaysSoInTheFix) {
  const auto s =
      resolve_env({{"CWP_HOSTNAME", std::string(510, 'h')}, {"CWP_LOG_STREAM", "hb-{hostname}"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("(513 characters)"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("or set a shorter host name with CWP_HOSTNAME (--hostname)"),
            std::string::npos);
  // Not used by the template: not checked against it.
  EXPECT_TRUE(resolve_env({{"CWP_HOSTNAME", std::string(510, 'h')}}));
}

TEST(Settings, AColonFromTheHostNameIsRefusedNamingTheTemplateAndTheHostNameSetting) {
  const auto s = resolve_env({{"CWP_HOSTNAME", "db:1"}, {"CWP_LOG_STREAM", "{hostname}-{date}"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "CWP_LOG_STREAM: '{hostname}-{date}' renders to 'db:1-1970-01-01' (15 characters, "
            "with ':'); CloudWatch Logs does not allow ':' or '*' in log stream names; set "
            "CWP_HOSTNAME (--hostname) to a name without ':' or '*', or use a template without "
            "{hostname}");
}

TEST(Settings, TheSendStreamIsCheckedTooNamedAfterItsFlag) {
  const auto s = resolve_env({}, {{setting::send_stream, std::string(513, 's')}});
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().message.starts_with("--stream: ")) << s.error().message;
  EXPECT_NE(s.error().message.find("shorten CWP_SEND_STREAM (--stream)"), std::string::npos);
}

TEST(Settings, InstanceIdNamesAreCheckedWhenTheIdIsKnownAndLeftForMetadataOtherwise) {
  const std::string long_template = std::string(500, 'x') + "-{instance_id}";
  EXPECT_TRUE(resolve_env({{"CWP_LOG_STREAM", long_template}}));  // checked after IMDS answers
  const auto s =
      resolve_env({{"CWP_LOG_STREAM", long_template}, {"CWP_INSTANCE_ID", "i-0123456789abcdef0"}});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("(520 characters)"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace cwp::config

namespace cwp::config {
namespace {

TEST(JobSettings, DefaultsAndValues) {
  const auto defaults = resolve_env({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->job_stream, "job-{job}-{date}");
  EXPECT_EQ(defaults->job_max_output, 16U << 20U);
  EXPECT_EQ(defaults->stop_grace, std::chrono::seconds{10});
  EXPECT_TRUE(defaults->heartbeats);
  const auto set = resolve_env({{"CWP_JOB_STREAM", "cron/{hostname}/{job}"},
                                {"CWP_JOB_MAX_OUTPUT", "1MiB"},
                                {"CWP_STOP_GRACE", "30s"},
                                {"CWP_SCHEDULE", "off"}});
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->job_stream, "cron/{hostname}/{job}");
  EXPECT_EQ(set->job_max_output, 1U << 20U);
  EXPECT_EQ(set->stop_grace, std::chrono::seconds{30});
  EXPECT_FALSE(set->heartbeats);
}

TEST(JobSettings, BadValuesNameTheSetting) {
  const auto stream = resolve_env({{"CWP_JOB_STREAM", "job-{nope}"}});
  ASSERT_FALSE(stream);
  EXPECT_NE(stream.error().message.find("CWP_JOB_STREAM"), std::string::npos);
  const auto zero = resolve_env({{"CWP_JOB_MAX_OUTPUT", "0"}});
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("CWP_JOB_MAX_OUTPUT: '0' must be at least 1 byte"),
            std::string::npos)
      << zero.error().message;
  const auto grace = resolve_env({{"CWP_STOP_GRACE", "soon"}});
  ASSERT_FALSE(grace);
  EXPECT_NE(grace.error().message.find("CWP_STOP_GRACE"), std::string::npos);
}

}  // namespace
}  // namespace cwp::config
