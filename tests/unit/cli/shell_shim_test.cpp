// /bin/sh and /bin/bash in the image are this binary: called by a shell's name it says what to
// do instead and exits 127; under any other name it is cloudwatch-publisher.
#include "cli/shell_shim.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cwp::cli {
namespace {

TEST(ShellShim, UnderAShellsNameItPointsAtTheDebugImageAndCheckAndExits127) {
  for (const char* argv0 : {"/bin/bash", "/bin/sh", "sh", "bash"}) {
    std::ostringstream err;
    EXPECT_EQ(answer_as_shell(argv0, err), 127) << argv0;
    const std::string text = err.str();
    EXPECT_NE(text.find("this image has no shell"), std::string::npos) << text;
    EXPECT_NE(text.find("docker build --target debug -t cloudwatch-publisher:debug ."),
              std::string::npos);
    EXPECT_NE(text.find("cloudwatch-publisher check"), std::string::npos);
  }
}

TEST(ShellShim, UnderItsOwnOrAnyOtherNameItIsThePublisher) {
  for (const char* argv0 : {"/usr/local/bin/cloudwatch-publisher", "cloudwatch-publisher",
                            "./build/cloudwatch-publisher", "/bin/bashful", "zsh", "/sh/x", ""}) {
    std::ostringstream err;
    EXPECT_EQ(answer_as_shell(argv0, err), std::nullopt) << argv0;
    EXPECT_TRUE(err.str().empty());
  }
}

}  // namespace
}  // namespace cwp::cli
