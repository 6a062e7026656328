// A credential_process helper is started while the daemon holds descriptors of its own: an idle
// keep-alive connection, the spool's lock and segment files. The helper must inherit none of
// them (only stdin, stdout and stderr), whatever else the process has open.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "aws/credentials/process_provider.h"
#include "core/text_file.h"
#include "http/beast_transport.h"
#include "spool/journal.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

// fd number -> what it refers to, from `ls -l /proc/.../fd` output ("... 3 -> socket:[123]").
std::map<int, std::string> parse_listing(const std::string& text) {
  std::map<int, std::string> fds;
  const std::regex entry(R"((\d+) -> (.*))");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, entry)) fds[std::stoi(m[1].str())] = m[2].str();
  }
  return fds;
}

std::map<int, std::string> our_descriptors() {
  std::map<int, std::string> fds;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(e.path(), ec);
    if (!ec) fds[std::stoi(e.path().filename().string())] = target.string();
  }
  return fds;
}

TEST(InheritedDescriptors, ACredentialProcessGetsOnlyStdinStdoutAndStderr) {
  testing::temp_dir dir;
  // An idle keep-alive connection in the transport's pool.
  testing::http_server server([](const testing::received_request&) {
    return testing::reply{200, "{}"};
  });
  auto transport = http::beast_transport::create({});
  ASSERT_TRUE(transport);
  http::request ping;
  ping.target = *http::url::parse(server.origin() + "/ping");
  ASSERT_TRUE((*transport)->send(ping, {}));
  // The spool, with a segment open for appending.
  auto journal = spool::journal::open(dir.path() / "spool");
  ASSERT_TRUE(journal) << journal.error().message;
  ASSERT_TRUE((*journal)->append("stream", 1, "event"));

  const auto ours = our_descriptors();
  const auto sockets = std::count_if(
      ours.begin(), ours.end(), [](const auto& fd) { return fd.second.starts_with("socket:"); });
  ASSERT_GE(sockets, 2) << "the client connection and the server's side are open";

  const std::string listing = dir.file("fds.txt");
  const std::string helper = dir.write(
      "helper",
      "#!/bin/sh\nls -l /proc/self/fd > \"$FD_LISTING\"\n"
      "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDFD\", \"SecretAccessKey\": \"SeCrEtFd\"}'\n",
      0755);
  core::child_registry children;
  process_provider p(helper, "fd",
                     core::map_environment({{"PATH", "/usr/bin:/bin"}, {"FD_LISTING", listing}}),
                     children);
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;

  const auto read = core::read_text_file(listing, 1 << 20);
  ASSERT_TRUE(read && *read) << "the helper wrote " << listing;
  const std::string& text = **read;
  const auto inherited = parse_listing(text);
  ASSERT_TRUE(inherited.contains(0) && inherited.contains(1) && inherited.contains(2)) << text;
  for (const auto& [fd, target] : inherited) {
    if (fd <= 2) continue;
    // `ls` itself reads the /proc/<pid>/fd directory through one descriptor.
    EXPECT_TRUE(target.starts_with("/proc/") && target.ends_with("/fd"))
        << "the helper inherited fd " << fd << " -> " << target << "\n"
        << text;
  }
  EXPECT_LE(inherited.size(), 4U) << text;
}

}  // namespace
}  // namespace cwp::aws
