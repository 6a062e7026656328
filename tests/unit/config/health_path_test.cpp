#include "config/health_path.h"

#include <gtest/gtest.h>

namespace cwp::config {
namespace {

std::string for_user(unsigned uid, std::map<std::string, std::string, std::less<>> vars = {}) {
  return default_health_file(core::map_environment(std::move(vars)), uid);
}

TEST(DefaultHealthFile, RootUsesRunWhateverItsSessionSays) {
  EXPECT_EQ(for_user(0), "/run/cloudwatch-publisher/health.json");
  // A root login shell has XDG_RUNTIME_DIR=/run/user/0; the service it checks on has none.
  EXPECT_EQ(for_user(0, {{"XDG_RUNTIME_DIR", "/run/user/0"}}),
            "/run/cloudwatch-publisher/health.json");
}

TEST(DefaultHealthFile, OtherUsersUseTheirRuntimeDirectoryWhenTheyHaveOne) {
  EXPECT_EQ(for_user(1000, {{"XDG_RUNTIME_DIR", "/run/user/1000"}}),
            "/run/user/1000/cloudwatch-publisher/health.json");
  EXPECT_EQ(for_user(1000, {{"XDG_RUNTIME_DIR", "/run/user/1000/"}}),
            "/run/user/1000/cloudwatch-publisher/health.json");
  // No session (a system service with RuntimeDirectory=cloudwatch-publisher), or a relative
  // value, which the XDG specification says to ignore.
  EXPECT_EQ(for_user(10001), "/run/cloudwatch-publisher/health.json");
  EXPECT_EQ(for_user(10001, {{"XDG_RUNTIME_DIR", "run/user/10001"}}),
            "/run/cloudwatch-publisher/health.json");
}

}  // namespace
}  // namespace cwp::config
