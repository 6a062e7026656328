#include "aws/credentials/shared_config.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

TEST(SharedConfig, ConfigFileUsesProfilePrefixExceptForDefault) {
  const auto files = merge_shared_files(
      parse_ini("[default]\nregion = d\n[profile prod]\nregion = p\n[staging]\nregion = s\n"
                "[profile  \"quoted name\" ]\nregion = q\n[sso-session x]\nregion = z\n"),
      {});
  ASSERT_NE(files.find("default"), nullptr);
  EXPECT_EQ(files.find("default")->get("region"), "d");
  EXPECT_EQ(files.find("prod")->get("region"), "p");
  EXPECT_EQ(files.find("staging"), nullptr) << "[staging] without the prefix is ignored";
  EXPECT_EQ(files.find("quoted name")->get("region"), "q");
  EXPECT_EQ(files.find("sso-session x"), nullptr);
  EXPECT_EQ(files.profiles.size(), 3U);
}

TEST(SharedConfig, CredentialsFileUsesBareSectionNames) {
  const auto files =
      merge_shared_files({}, parse_ini("[prod]\naws_access_key_id = A\n[profile dev]\nk = v\n"));
  EXPECT_EQ(files.find("prod")->get("aws_access_key_id"), "A");
  EXPECT_EQ(files.find("dev"), nullptr) << "the prefix is not special in the credentials file";
}

TEST(SharedConfig, CredentialsFileWinsOverConfigForTheSameProfile) {
  const auto files = merge_shared_files(
      parse_ini("[profile prod]\naws_access_key_id = FROM_CONFIG\nregion = eu-west-1\n"),
      parse_ini("[prod]\naws_access_key_id = FROM_CREDENTIALS\n"));
  const profile* p = files.find("prod");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->get("aws_access_key_id"), "FROM_CREDENTIALS");
  EXPECT_EQ(p->get_from_config_file("aws_access_key_id"), "FROM_CONFIG");
  EXPECT_EQ(p->get("region"), "eu-west-1");
}

TEST(SharedConfig, EmptyValuesCountAsAbsent) {
  const auto files = merge_shared_files(parse_ini("[default]\nregion =\n"), {});
  EXPECT_FALSE(files.find("default")->has("region"));
}

TEST(SharedConfig, SelectsAwsProfileThenLegacyVariableThenDefault) {
  EXPECT_EQ(selected_profile(core::map_environment({})).name, "default");
  EXPECT_FALSE(selected_profile(core::map_environment({})).named_explicitly());
  EXPECT_EQ(selected_profile(core::map_environment({{"AWS_DEFAULT_PROFILE", "old"}})).name, "old");
  const auto both = selected_profile(
      core::map_environment({{"AWS_DEFAULT_PROFILE", "old"}, {"AWS_PROFILE", "new"}}));
  EXPECT_EQ(both.name, "new");
  EXPECT_EQ(both.source, "AWS_PROFILE");
}

TEST(SharedConfig, DefaultPathsComeFromHomeInTheInjectedEnvironment) {
  testing::temp_dir home;
  home.write(".aws/config", "[default]\nregion = ap-southeast-2\n");
  const auto env = core::map_environment({{"HOME", home.path().string()}});
  const auto files = load_shared_config(env);
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->config_found);
  EXPECT_FALSE(files->credentials_found);
  EXPECT_EQ(files->credentials_path, home.file(".aws/credentials"));
  EXPECT_EQ(profile_region(env).value(), "ap-southeast-2");
}

TEST(SharedConfig, ExplicitFileVariablesWinAndTildeExpands) {
  testing::temp_dir home;
  home.write("elsewhere/conf", "[profile p]\nregion = eu-north-1\n");
  const auto env = core::map_environment({{"HOME", home.path().string()},
                                          {"AWS_CONFIG_FILE", "~/elsewhere/conf"},
                                          {"AWS_PROFILE", "p"}});
  EXPECT_EQ(profile_region(env).value(), "eu-north-1");
}

TEST(SharedConfig, RegionInTheCredentialsFileCountsLikeBotocore) {
  testing::temp_dir dir;
  const auto env = core::map_environment(
      {{"AWS_SHARED_CREDENTIALS_FILE", dir.write("c", "[default]\nregion = us-west-2\n")},
       {"AWS_CONFIG_FILE", dir.file("missing")}});
  EXPECT_EQ(profile_region(env).value(), "us-west-2");
}

TEST(SharedConfig, MissingFilesOrHomeAreNotErrors) {
  const auto files = load_shared_config(core::map_environment({}));
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->profiles.empty());
  EXPECT_NE(files->describe_files().find("HOME not set"), std::string::npos);
  EXPECT_EQ(profile_region(core::map_environment({})).value(), std::nullopt);
}

TEST(SharedConfig, AnUnreadableFileIsAnErrorNamingTheVariable) {
  testing::temp_dir dir;
  const auto env = core::map_environment({{"AWS_CONFIG_FILE", dir.path().string()}});
  const auto files = load_shared_config(env);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, core::errc::io);
  EXPECT_NE(files.error().message.find("AWS_CONFIG_FILE"), std::string::npos);
}

}  // namespace
}  // namespace cwp::aws
