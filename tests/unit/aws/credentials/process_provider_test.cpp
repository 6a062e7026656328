#include "aws/credentials/process_provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/time_format.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

using words = std::vector<std::string>;

TEST(CommandLine, SplitsOnBlanksAndHonoursQuotes) {
  EXPECT_EQ(split_command_line("  /bin/tool  --profile prod ").value(),
            (words{"/bin/tool", "--profile", "prod"}));
  EXPECT_EQ(split_command_line(R"(tool 'a b' "c d" e\ f)").value(),
            (words{"tool", "a b", "c d", "e f"}));
  EXPECT_EQ(split_command_line(R"(tool 'it''s' "say \"hi\" \n" x'y'"z")").value(),
            (words{"tool", "its", R"(say "hi" \n)", "xyz"}));
  EXPECT_EQ(split_command_line(R"(tool "" '')").value(), (words{"tool", "", ""}));
}

TEST(CommandLine, RejectsUnterminatedQuotesAndEmptyCommands) {
  EXPECT_FALSE(split_command_line("tool 'open"));
  EXPECT_FALSE(split_command_line("tool \"open"));
  EXPECT_FALSE(split_command_line("tool \\"));
  EXPECT_FALSE(split_command_line("   "));
}

class CredentialProcess : public ::testing::Test {
 protected:
  testing::temp_dir dir;
  core::child_registry children;

  std::string script(std::string_view name, std::string_view body) {
    return dir.write(name, "#!/bin/sh\n" + std::string(body), 0755);
  }
  core::result<credentials> run(const std::string& command,
                                std::map<std::string, std::string, std::less<>> vars = {},
                                process_provider::limits limits = {}) {
    vars.emplace("PATH", "/usr/bin:/bin");
    process_provider p(command, "prod", core::map_environment(std::move(vars)), children, limits);
    return p.get();
  }
};

TEST_F(CredentialProcess, ParsesVersionOneOutputAndPassesArguments) {
  const auto tool = script("tool", R"(printf '{"Version": 1, "AccessKeyId": "%s", )"
                                   R"("SecretAccessKey": "SeCrEtP", "SessionToken": "ToKeNP", )"
                                   R"("Expiration": "2030-01-01T00:00:00Z"}' "$2")");
  const auto c = run("'" + tool + "' --key 'AKID PROC'");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKID PROC");
  EXPECT_EQ(c->secret_access_key, "SeCrEtP");
  EXPECT_EQ(c->session_token, "ToKeNP");
  EXPECT_EQ(core::format_iso8601_seconds(*c->expiration), "2030-01-01T00:00:00Z");
  EXPECT_EQ(c->provider, "profile:prod:credential_process");
}

TEST_F(CredentialProcess, ExpirationAndSessionTokenAreOptional) {
  const auto tool =
      script("tool", R"(echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SeCrEt"}')");
  const auto c = run(tool);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->expiration);
  EXPECT_TRUE(c->session_token.empty());
}

TEST_F(CredentialProcess, FindsTheProgramOnTheInjectedPathAndGivesItTheInjectedEnvironment) {
  script(
      "bin/cred-helper",
      R"(echo "{\"Version\":1,\"AccessKeyId\":\"$KEY_FROM_ENV\",\"SecretAccessKey\":\"SeCrEt\"}")");
  const auto c = run("cred-helper", {{"PATH", dir.file("bin")}, {"KEY_FROM_ENV", "AKIDENV"}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDENV");
}

TEST_F(CredentialProcess, AnUnknownProgramIsNamed) {
  const auto c = run("no-such-helper-xyz --flag");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("'no-such-helper-xyz' not found on PATH"), std::string::npos);
  EXPECT_NE(c.error().message.find("profile prod"), std::string::npos);
}

TEST_F(CredentialProcess, NonZeroExitNamesTheProfileButNeverEchoesStdout) {
  const auto tool =
      script("tool", R"(echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SeCrEtLeak"}'
echo 'helper: login required' >&2
exit 3)");
  const auto c = run(tool);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("credential_process of profile prod exited with status 3"),
            std::string::npos);
  EXPECT_EQ(c.error().message.find("SeCrEt"), std::string::npos);
}

// As PID 1, `run` reaps every exited child on SIGCHLD, on another thread than the provider's.
// The registry keeps a registered child's status for the provider, so a helper that prints a valid
// document and fails is refused every time, never accepted on its output alone.
TEST_F(CredentialProcess, ANonZeroExitIsRefusedEveryTimeWhileAReaperRunsAllTheTime) {
  const auto tool =
      script("fails", R"(echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"SeCrEt"}'
exit 1)");
  std::atomic<bool> stop{false};
  std::thread reaper([&] {
    while (!stop.load()) children.reap();
  });
  std::vector<std::string> outcomes;
  for (int i = 0; i < 20; ++i) {
    const auto c = run(tool);
    outcomes.push_back(c ? "accepted" : c.error().message);
  }
  stop = true;
  reaper.join();
  for (const auto& outcome : outcomes) {
    EXPECT_NE(outcome.find("credential_process of profile prod exited with status 1"),
              std::string::npos)
        << outcome;
  }
}

TEST_F(CredentialProcess, BadJsonOrWrongVersionIsRefusedWithoutEchoingIt) {
  const auto bad = run(script("bad", "echo 'SeCrEtGarbage not json'"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("\"Version\": 1"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("SeCrEt"), std::string::npos);

  const auto v2 =
      run(script("v2", R"(echo '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"SeCrEt"}')"));
  ASSERT_FALSE(v2);
  EXPECT_NE(v2.error().message.find("Version"), std::string::npos);

  const auto no_secret = run(script("ns", R"(echo '{"Version":1,"AccessKeyId":"A"}')"));
  ASSERT_FALSE(no_secret);
  EXPECT_NE(no_secret.error().message.find("SecretAccessKey"), std::string::npos);
}

TEST_F(CredentialProcess, IsKilledAtTheDeadline) {
  const auto c = run(script("slow", "exec sleep 30\n"), {}, {std::chrono::milliseconds{200}, 4096});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("did not finish within 200 ms"), std::string::npos);
}

TEST_F(CredentialProcess, OutputBeyondTheBoundIsRefused) {
  const auto c = run(script("chatty", "while :; do echo SeCrEtSeCrEtSeCrEt; done\n"), {},
                     {std::chrono::seconds{10}, 1024});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("more than 1024 bytes"), std::string::npos);
  EXPECT_EQ(c.error().message.find("SeCrEt"), std::string::npos);
}

TEST_F(CredentialProcess, DeathBySignalIsReported) {
  const auto c = run(script("crash", "kill -TERM $$\n"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("killed by signal 15"), std::string::npos);
}

}  // namespace
}  // namespace cwp::aws
