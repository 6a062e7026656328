#include "aws/credentials/profile_provider.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

using std::chrono::hours;

class Profiles : public ::testing::Test {
 protected:
  testing::temp_dir dir;
  test::sts_fixture sts;
  std::map<std::string, std::string, std::less<>> vars{{"PATH", "/usr/bin:/bin"}};

  void config(std::string_view text) { vars["AWS_CONFIG_FILE"] = dir.write("config", text); }
  void credentials_file(std::string_view text) {
    vars["AWS_SHARED_CREDENTIALS_FILE"] = dir.write("credentials", text);
  }
  profile_provider provider() {
    vars.emplace("AWS_CONFIG_FILE", dir.file("no-config"));
    vars.emplace("AWS_SHARED_CREDENTIALS_FILE", dir.file("no-credentials"));
    return profile_provider(profile_dependencies{core::map_environment(vars), &sts.clock,
                                                 &sts.transport, sts.target(), &sts.children});
  }
  void answer_assume_role(std::string_view key) {
    sts.transport.respond(200, test::sts_credentials_xml("AssumeRole", key, "SeCrEtRole",
                                                         "ToKeNRole", sts.clock.now() + hours{1}));
  }
};

TEST_F(Profiles, StaticKeysWithSessionTokenFromTheCredentialsFile) {
  credentials_file(
      "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = SeCrEtF\n"
      "aws_session_token = ToKeNF\n");
  auto p = provider();
  EXPECT_EQ(p.not_configured_reason(), std::nullopt);
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDFILE");
  EXPECT_EQ(c->secret_access_key, "SeCrEtF");
  EXPECT_EQ(c->session_token, "ToKeNF");
  EXPECT_EQ(c->provider, "profile:default");
  EXPECT_FALSE(c->expiration);
}

TEST_F(Profiles, ConfigNeedsTheProfilePrefixForNamedProfiles) {
  config(
      "[prod]\naws_access_key_id = BARE\naws_secret_access_key = SeCrEt\n"
      "[profile staging]\naws_access_key_id = PREFIXED\naws_secret_access_key = SeCrEt\n");
  vars["AWS_PROFILE"] = "staging";
  EXPECT_EQ(provider().get()->access_key_id, "PREFIXED");

  vars["AWS_PROFILE"] = "prod";
  auto p = provider();
  EXPECT_EQ(p.not_configured_reason(), std::nullopt) << "an explicitly named profile must exist";
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("profile prod (from AWS_PROFILE) not found"), std::string::npos);
}

TEST_F(Profiles, CredentialsFileWinsOverConfigForTheSameProfile) {
  config("[profile prod]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = SeCrEtC\n");
  credentials_file("[prod]\naws_access_key_id = FROMCREDS\naws_secret_access_key = SeCrEtK\n");
  vars["AWS_DEFAULT_PROFILE"] = "prod";
  const auto c = provider().get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "FROMCREDS");
  EXPECT_EQ(c->secret_access_key, "SeCrEtK");
}

TEST_F(Profiles, HalfSetKeysAreAnErrorNamingTheFile) {
  credentials_file("[default]\naws_access_key_id = AKID\n");
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("sets aws_access_key_id but not aws_secret_access_key"),
            std::string::npos);
  EXPECT_NE(c.error().message.find(dir.file("credentials")), std::string::npos);
}

TEST_F(Profiles, NotConfiguredWithoutFilesOrWithoutCredentialSettings) {
  const auto none = provider().not_configured_reason();
  ASSERT_TRUE(none);
  EXPECT_NE(none->find("profile default: no " + dir.file("no-credentials")), std::string::npos);

  config("[default]\nregion = eu-west-1\n");
  EXPECT_EQ(provider().not_configured_reason(), "profile default has no credentials settings");

  config("[profile other]\nregion = eu-west-1\n");
  const auto absent = provider().not_configured_reason();
  ASSERT_TRUE(absent);
  EXPECT_NE(absent->find("not in"), std::string::npos);
}

TEST_F(Profiles, AssumesARoleSignedWithTheSourceProfilesKeys) {
  config(
      "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n"
      "role_session_name = heartbeat\nexternal_id = ext-1\nduration_seconds = 1800\n");
  credentials_file("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SeCrEtBase\n");
  vars["AWS_PROFILE"] = "app";
  answer_assume_role("ASIAAPP");
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAAPP");
  EXPECT_EQ(c->session_token, "ToKeNRole");
  EXPECT_EQ(c->provider, "profile:app:assume_role");
  ASSERT_EQ(sts.transport.requests().size(), 1U);
  const auto& req = sts.transport.requests()[0];
  EXPECT_EQ(req.body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole"
            "%2Fapp&RoleSessionName=heartbeat&ExternalId=ext-1&DurationSeconds=1800");
  const auto auth = req.find_header("Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->find("Credential=AKIDBASE/20231114/us-east-1/sts/aws4_request"),
            std::string::npos);
  EXPECT_FALSE(req.find_header("X-Amz-Security-Token"));
}

TEST_F(Profiles, ChainsRolesThroughSourceProfiles) {
  config(
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n");
  credentials_file("[c]\naws_access_key_id = AKIDC\naws_secret_access_key = SeCrEtC\n");
  vars["AWS_PROFILE"] = "a";
  answer_assume_role("ASIAB");
  answer_assume_role("ASIAA");
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAA");
  const auto& first = sts.transport.requests().at(0);
  const auto& second = sts.transport.requests().at(1);
  EXPECT_NE(first.body.find("role%2Fb"), std::string::npos);
  EXPECT_NE(first.find_header("Authorization")->find("Credential=AKIDC/"), std::string::npos);
  EXPECT_NE(second.body.find("role%2Fa"), std::string::npos);
  EXPECT_NE(second.find_header("Authorization")->find("Credential=ASIAB/"), std::string::npos);
  EXPECT_EQ(second.find_header("X-Amz-Security-Token"), "ToKeNRole");
}

TEST_F(Profiles, AProfileMaySourceItselfWhenItHasStaticKeys) {
  credentials_file(
      "[self]\naws_access_key_id = AKIDSELF\naws_secret_access_key = SeCrEtS\n"
      "role_arn = arn:aws:iam::1:role/self\nsource_profile = self\n");
  vars["AWS_PROFILE"] = "self";
  answer_assume_role("ASIASELF");
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIASELF");
  EXPECT_NE(sts.transport.requests().at(0).find_header("Authorization")->find("AKIDSELF/"),
            std::string::npos);
}

TEST_F(Profiles, DetectsSourceProfileCycles) {
  config(
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
      "[profile s]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = s\n");
  vars["AWS_PROFILE"] = "a";
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("source_profile cycle: a -> b -> a"), std::string::npos);

  vars["AWS_PROFILE"] = "s";
  const auto self = provider().get();
  ASSERT_FALSE(self);
  EXPECT_NE(self.error().message.find("source_profile cycle: s -> s"), std::string::npos);
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(Profiles, RoleNeedsExactlyOneSource) {
  config("[default]\nrole_arn = arn:aws:iam::1:role/r\n");
  const auto neither = provider().get();
  ASSERT_FALSE(neither);
  EXPECT_NE(neither.error().message.find("neither source_profile nor credential_source"),
            std::string::npos);
  config(
      "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n"
      "credential_source = Environment\n");
  const auto both = provider().get();
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("both source_profile and credential_source"),
            std::string::npos);
}

TEST_F(Profiles, MissingSourceProfileAndBadDurationAreNamed) {
  config("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n");
  const auto ghost = provider().get();
  ASSERT_FALSE(ghost);
  EXPECT_NE(ghost.error().message.find("source_profile ghost of profile default not found"),
            std::string::npos);
  config(
      "[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
      "duration_seconds = 60\n");
  const auto duration = provider().get();
  ASSERT_FALSE(duration);
  EXPECT_NE(duration.error().message.find("duration_seconds '60'"), std::string::npos);
}

TEST_F(Profiles, CredentialSourceEnvironmentSignsWithTheEnvironmentKeys) {
  config("[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n");
  vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  vars["AWS_SECRET_ACCESS_KEY"] = "SeCrEtEnv";
  answer_assume_role("ASIAENV");
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_NE(sts.transport.requests().at(0).find_header("Authorization")->find("AKIDENV/"),
            std::string::npos);
}

TEST_F(Profiles, CredentialSourceEcsContainerAsksTheContainerEndpoint) {
  config("[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = EcsContainer\n");
  vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  sts.transport.respond(200, test::json_credentials("ASIACONT", "SeCrEtCont", "ToKeNCont",
                                                    sts.clock.now() + hours{6}));
  answer_assume_role("ASIAROLE");
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(sts.transport.requests().at(0).target.host, "169.254.170.2");
  EXPECT_NE(sts.transport.requests().at(1).find_header("Authorization")->find("ASIACONT/"),
            std::string::npos);
}

TEST_F(Profiles, UnknownCredentialSourceIsRefused) {
  config("[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Ec2Metadata\n");
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("'Ec2Metadata' is not one of"), std::string::npos);
}

TEST_F(Profiles, WebIdentityFromTheProfile) {
  config("[default]\nweb_identity_token_file = " + dir.write("jwt", "ToKeNJwt") +
         "\nrole_arn = arn:aws:iam::1:role/web\nrole_session_name = from-profile\n");
  sts.transport.respond(
      200, test::sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIAWEB", "SeCrEtW", "ToKeNW",
                                     sts.clock.now() + hours{1}));
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->provider, "profile:default:web_identity");
  const auto& req = sts.transport.requests().at(0);
  EXPECT_FALSE(req.find_header("Authorization"));
  EXPECT_NE(req.body.find("RoleSessionName=from-profile&WebIdentityToken=ToKeNJwt"),
            std::string::npos);
}

TEST_F(Profiles, CredentialProcessRunsTheCommand) {
  const auto tool = dir.write("tool",
                              "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\","
                              "\"SecretAccessKey\":\"SeCrEtProc\"}'\n",
                              0755);
  config("[default]\ncredential_process = " + tool + " --flag\n");
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDPROC");
  EXPECT_EQ(c->provider, "profile:default:credential_process");
}

TEST_F(Profiles, CredentialsFileKeysWinOverConfigProcessWhichWinsOverConfigKeys) {
  const auto tool = dir.write("tool",
                              "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\","
                              "\"SecretAccessKey\":\"SeCrEt\"}'\n",
                              0755);
  config("[default]\ncredential_process = " + tool +
         "\naws_access_key_id = AKIDCONF\naws_secret_access_key = SeCrEt\n");
  EXPECT_EQ(provider().get()->access_key_id, "AKIDPROC");
  credentials_file("[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = SeCrEt\n");
  EXPECT_EQ(provider().get()->access_key_id, "AKIDCRED");
}

TEST_F(Profiles, SsoProfilesAreReportedAsUnsupported) {
  config("[default]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n");
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("IAM Identity Center"), std::string::npos);
}

TEST_F(Profiles, FilesAreReadAgainOnEveryGet) {
  credentials_file("[default]\naws_access_key_id = ONE\naws_secret_access_key = SeCrEt\n");
  auto p = provider();
  EXPECT_EQ(p.get()->access_key_id, "ONE");
  credentials_file("[default]\naws_access_key_id = TWO\naws_secret_access_key = SeCrEt\n");
  EXPECT_EQ(p.get()->access_key_id, "TWO");
}

}  // namespace
}  // namespace cwp::aws
