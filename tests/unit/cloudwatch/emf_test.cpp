#include "cloudwatch/emf.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cwp::cloudwatch {
namespace {

const emf_builtin_values builtins{"/monorepo-fem/heartbeat", "node-7"};

std::string error_of(std::string_view text) {
  const auto r = parse_emf_dimensions(text, builtins);
  EXPECT_FALSE(r) << text;
  if (r) return {};
  EXPECT_EQ(r.error().code, core::errc::invalid_argument);
  return r.error().message;
}

TEST(EmfDimensions, BuiltInNamesTakeTheLogGroupAndHost) {
  const auto d = parse_emf_dimensions("LogGroup,Host", builtins);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 2U);
  EXPECT_EQ((*d)[0].name, "LogGroup");
  EXPECT_EQ((*d)[0].value, "/monorepo-fem/heartbeat");
  EXPECT_EQ((*d)[1].name, "Host");
  EXPECT_EQ((*d)[1].value, "node-7");
}

TEST(EmfDimensions, NameEqualsValueIsAFixedDimensionAndSpacesAroundItemsAreIgnored) {
  const auto d = parse_emf_dimensions(" Cluster = prod-eks , Host", builtins);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 2U);
  EXPECT_EQ((*d)[0].name, "Cluster");
  EXPECT_EQ((*d)[0].value, "prod-eks");
  EXPECT_EQ((*d)[1].value, "node-7");
  // A fixed value may override what a built-in name would take.
  EXPECT_EQ(parse_emf_dimensions("Host=pinned", builtins)->at(0).value, "pinned");
}

TEST(EmfDimensions, RejectsWhatCloudWatchOrEmfWouldRefuse) {
  EXPECT_NE(error_of("Hostname").find("unknown dimension 'Hostname'"), std::string::npos);
  EXPECT_NE(error_of("Host,,LogGroup").find("empty"), std::string::npos);
  EXPECT_NE(error_of("Host,").find("empty"), std::string::npos);
  EXPECT_NE(error_of("=x").find("empty"), std::string::npos);
  EXPECT_NE(error_of("Cluster=").find("empty value"), std::string::npos);
  EXPECT_NE(error_of("Host,Host").find("twice"), std::string::npos);
  EXPECT_NE(error_of(":odd=1").find("':odd'"), std::string::npos);
  EXPECT_NE(error_of("Bad\tName=1").find("printable ASCII"), std::string::npos);
  EXPECT_NE(error_of(std::string(256, 'n') + "=1").find("255"), std::string::npos);
  EXPECT_NE(error_of("Long=" + std::string(1025, 'v')).find("1024"), std::string::npos);
  // A dimension must not overwrite a member the heartbeat already has.
  EXPECT_NE(error_of("host=x").find("field of the heartbeat"), std::string::npos);
  EXPECT_NE(error_of("_aws=x").find("field of the heartbeat"), std::string::npos);
  EXPECT_NE(error_of("Heartbeat=x").find("field of the heartbeat"), std::string::npos);
}

// EMF allows 30 dimensions in a set, and job metrics add Job to the configured ones.
TEST(EmfDimensions, AtMostTwentyNineDimensions) {
  std::string most;
  for (int i = 1; i <= 29; ++i) most += (i > 1 ? "," : "") + ("D" + std::to_string(i)) + "=v";
  ASSERT_TRUE(parse_emf_dimensions(most, builtins));
  EXPECT_EQ(parse_emf_dimensions(most, builtins)->size(), 29U);
  EXPECT_NE(error_of(most + ",D30=v").find("at most 29"), std::string::npos);
}

TEST(EmfDimensions, JobAndTheJobMetricsAreReserved) {
  for (const auto* name : {"Job", "JobSuccess", "JobFailure", "JobDuration", "job", "outcome"}) {
    EXPECT_NE(error_of(std::string(name) + "=x").find("field of the heartbeat"), std::string::npos)
        << name;
  }
}

TEST(EmfNamespace, AcceptsCloudWatchNamespaces) {
  EXPECT_EQ(validate_emf_namespace("CloudWatchPublisher"), "CloudWatchPublisher");
  EXPECT_EQ(validate_emf_namespace("Team/Heart beat:1.0#a_b-c"), "Team/Heart beat:1.0#a_b-c");
  EXPECT_TRUE(validate_emf_namespace(std::string(255, 'n')));
}

TEST(EmfNamespace, RejectsEmptyTooLongOddCharactersAndAwsPrefix) {
  EXPECT_FALSE(validate_emf_namespace(""));
  EXPECT_FALSE(validate_emf_namespace(std::string(256, 'n')));
  EXPECT_FALSE(validate_emf_namespace("a\"b"));
  EXPECT_FALSE(validate_emf_namespace("ümlaut"));
  const auto aws = validate_emf_namespace("AWS/Logs");
  ASSERT_FALSE(aws);
  EXPECT_NE(aws.error().message.find("reserved"), std::string::npos);
}

TEST(EmfDocument, DeclaresAHeartbeatCountMetricWithTheDimensionsAsRootMembers) {
  nlohmann::ordered_json doc{{"event", "heartbeat"}, {"host", "node-7"}};
  add_heartbeat_metric(doc, {"CloudWatchPublisher", {{"LogGroup", "/g"}, {"Cluster", "prod"}}},
                       1767225600000);
  const auto j = nlohmann::json::parse(doc.dump());
  EXPECT_EQ(j["event"], "heartbeat");
  EXPECT_EQ(j["Heartbeat"], 1);
  EXPECT_EQ(j["LogGroup"], "/g");
  EXPECT_EQ(j["Cluster"], "prod");
  EXPECT_EQ(j["_aws"]["Timestamp"], 1767225600000);
  const auto& directives = j["_aws"]["CloudWatchMetrics"];
  ASSERT_EQ(directives.size(), 1U);
  EXPECT_EQ(directives[0]["Namespace"], "CloudWatchPublisher");
  EXPECT_EQ(directives[0]["Dimensions"], nlohmann::json::parse(R"([["LogGroup","Cluster"]])"));
  EXPECT_EQ(directives[0]["Metrics"],
            nlohmann::json::parse(R"([{"Name":"Heartbeat","Unit":"Count"}])"));
}

const emf_settings two_dimensions{"CloudWatchPublisher", {{"LogGroup", "/g"}, {"Host", "node-7"}}};

TEST(EmfCatalogue, HeartbeatsDeclareHeartbeatCountUnderTheConfiguredDimensions) {
  const auto d = heartbeat_directive(two_dimensions);
  EXPECT_EQ(d.metric_namespace, "CloudWatchPublisher");
  ASSERT_EQ(d.dimensions.size(), 2U);
  EXPECT_EQ(d.dimensions[1].name, "Host");
  ASSERT_EQ(d.metrics.size(), 1U);
  EXPECT_EQ(d.metrics[0].name, "Heartbeat");
  EXPECT_EQ(d.metrics[0].unit, "Count");
}

TEST(EmfCatalogue, JobResultsDeclareSuccessFailureAndDurationUnderTheDimensionsPlusJob) {
  const auto d = job_directive(two_dimensions, "backup");
  ASSERT_EQ(d.dimensions.size(), 3U);
  EXPECT_EQ(d.dimensions[2].name, "Job");
  EXPECT_EQ(d.dimensions[2].value, "backup");
  ASSERT_EQ(d.metrics.size(), 3U);
  EXPECT_EQ(d.metrics[0].name, "JobSuccess");
  EXPECT_EQ(d.metrics[1].name, "JobFailure");
  EXPECT_EQ(d.metrics[2].name, "JobDuration");
  EXPECT_EQ(d.metrics[2].unit, "Milliseconds");
}

// The writer and the catalogue agree: what a document declares is job_directive().
TEST(EmfDocument, JobMetricsAreWhatTheCatalogueDescribes) {
  nlohmann::ordered_json doc{{"event", "job_result"}};
  add_job_metrics(doc, two_dimensions, "backup", {true, false, std::chrono::milliseconds{250}},
                  1767225600000);
  const auto j = nlohmann::json::parse(doc.dump());
  EXPECT_EQ(j["JobSuccess"], 1);
  EXPECT_EQ(j["JobFailure"], 0);
  EXPECT_EQ(j["JobDuration"], 250);
  EXPECT_EQ(j["Job"], "backup");
  const auto catalogue = job_directive(two_dimensions, "backup");
  const auto& directive = j["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(directive["Namespace"], catalogue.metric_namespace);
  ASSERT_EQ(directive["Dimensions"][0].size(), catalogue.dimensions.size());
  for (std::size_t i = 0; i < catalogue.dimensions.size(); ++i) {
    EXPECT_EQ(directive["Dimensions"][0][i], catalogue.dimensions[i].name);
    EXPECT_EQ(j[catalogue.dimensions[i].name], catalogue.dimensions[i].value);
  }
  ASSERT_EQ(directive["Metrics"].size(), catalogue.metrics.size());
  for (std::size_t i = 0; i < catalogue.metrics.size(); ++i) {
    EXPECT_EQ(directive["Metrics"][i]["Name"], catalogue.metrics[i].name);
    EXPECT_EQ(directive["Metrics"][i]["Unit"], catalogue.metrics[i].unit);
    EXPECT_TRUE(j.contains(std::string(catalogue.metrics[i].name)));
  }
}

TEST(EmfDocument, ARunThatNeverStartedDeclaresNoDuration) {
  nlohmann::ordered_json doc{{"event", "job_result"}};
  add_job_metrics(doc, two_dimensions, "backup", {false, false, std::nullopt}, 1767225600000);
  const auto j = nlohmann::json::parse(doc.dump());
  EXPECT_FALSE(j.contains("JobDuration"));
  EXPECT_EQ(j["_aws"]["CloudWatchMetrics"][0]["Metrics"],
            nlohmann::json::parse(
                R"([{"Name":"JobSuccess","Unit":"Count"},{"Name":"JobFailure","Unit":"Count"}])"));
}

}  // namespace
}  // namespace cwp::cloudwatch
