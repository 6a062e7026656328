// The child registry: a child registered at spawn gets its own exit status whether or not a
// reaper (PID 1) collected it first; every other exited child is an orphan the reaper reaps.
// Real processes (/bin/sh); "has exited" is observed with waitid(WNOWAIT), which does not reap.
#include "core/child_registry.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace cwp::core {
namespace {

using steady = std::chrono::steady_clock;

// Starts `/bin/sh -c script` without the registry.
result<pid_t> start_shell(const std::string& script) {
  std::string sh = "/bin/sh";
  std::string c = "-c";
  std::string body = script;
  std::vector<char*> argv{sh.data(), c.data(), body.data(), nullptr};
  pid_t pid = 0;
  const int failed = ::posix_spawn(&pid, sh.c_str(), nullptr, nullptr, argv.data(), environ);
  if (failed != 0) return fail(errc::io, "posix_spawn failed");
  return pid;
}

// Blocks until `pid` has exited, leaving it a zombie (not reaped).
void until_exited(pid_t pid) {
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
}

bool reaped(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) < 0 && errno == ECHILD;
}

steady::time_point in(std::chrono::milliseconds d) { return steady::now() + d; }

TEST(ChildRegistry, TheOwnerGetsItsChildsStatusEvenWhenTheReaperCollectedItFirst) {
  child_registry children;
  auto child = children.spawn([] { return start_shell("exit 3"); });
  ASSERT_TRUE(child);
  until_exited(child->pid());

  EXPECT_EQ(children.reap(), 0) << "a registered child is not an orphan";
  EXPECT_TRUE(reaped(child->pid())) << "the reaper took it from the kernel";

  const auto status = child->wait_until(in(std::chrono::seconds{5}));
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_TRUE(*status);
  EXPECT_TRUE(WIFEXITED(**status));
  EXPECT_EQ(WEXITSTATUS(**status), 3);
}

TEST(ChildRegistry, WithoutAReaperTheOwnerReapsItsChildItself) {
  child_registry children;
  auto child = children.spawn([] { return start_shell("exit 4"); });
  ASSERT_TRUE(child);
  const auto status = child->wait_until(in(std::chrono::seconds{5}));
  ASSERT_TRUE(status && *status);
  EXPECT_EQ(WEXITSTATUS(**status), 4);
  EXPECT_TRUE(reaped(child->pid()));
  const auto again = child->wait_until(in(std::chrono::seconds{5}));
  ASSERT_TRUE(again && *again) << "asking twice gives the same answer";
  EXPECT_EQ(WEXITSTATUS(**again), 4);
}

TEST(ChildRegistry, EveryOtherExitedChildIsAnOrphanTheReaperReaps) {
  child_registry children;
  const auto first = start_shell("exit 0");
  const auto second = start_shell("exit 7");
  ASSERT_TRUE(first && second);
  until_exited(*first);
  until_exited(*second);
  EXPECT_EQ(children.reap(), 2);
  EXPECT_TRUE(reaped(*first));
  EXPECT_TRUE(reaped(*second));
  EXPECT_EQ(children.reap(), 0) << "nothing left";
}

TEST(ChildRegistry, AChildStillRunningAtTheDeadlineIsReportedAsRunning) {
  child_registry children;
  auto child = children.spawn([] { return start_shell("exec sleep 30"); });
  ASSERT_TRUE(child);
  const auto running = child->wait_until(in(std::chrono::milliseconds{20}));
  ASSERT_TRUE(running);
  EXPECT_FALSE(*running);
  EXPECT_EQ(children.reap(), 0) << "it has not exited";

  ::kill(child->pid(), SIGKILL);
  const auto killed = child->wait_until(steady::time_point::max());
  ASSERT_TRUE(killed && *killed);
  EXPECT_TRUE(WIFSIGNALED(**killed));
  EXPECT_EQ(WTERMSIG(**killed), SIGKILL);
}

TEST(ChildRegistry, AChildItsOwnerForgotIsAnOrphan) {
  child_registry children;
  pid_t pid = 0;
  {
    auto child = children.spawn([] { return start_shell("exit 0"); });
    ASSERT_TRUE(child);
    pid = child->pid();
  }
  until_exited(pid);
  EXPECT_EQ(children.reap(), 1);
  EXPECT_TRUE(reaped(pid));
}

TEST(ChildRegistry, ASpawnThatFailsRegistersNothing) {
  child_registry children;
  auto child = children.spawn([]() -> result<pid_t> { return fail(errc::io, "cannot run x"); });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().message, "cannot run x");
  EXPECT_EQ(children.reap(), 0);
}

TEST(ChildRegistry, AReaperRunningAllTheTimeNeverTakesAStatusFromItsOwner) {
  child_registry children;
  std::atomic<bool> stop{false};
  std::thread reaper([&] {
    while (!stop.load()) children.reap();
  });
  std::vector<int> codes;  // -1: no status
  for (int i = 0; i < 50; ++i) {
    auto child = children.spawn([i] { return start_shell("exit " + std::to_string(i)); });
    const auto status = child ? child->wait_until(in(std::chrono::seconds{10}))
                              : result<std::optional<int>>(tl::unexpected(child.error()));
    codes.push_back(status && *status && WIFEXITED(**status) ? WEXITSTATUS(**status) : -1);
  }
  stop = true;
  reaper.join();
  for (int i = 0; i < 50; ++i) EXPECT_EQ(codes[static_cast<std::size_t>(i)], i) << "child " << i;
}

}  // namespace
}  // namespace cwp::core
