#include "jobs/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <csignal>
#include <map>

namespace cwp::jobs {
namespace {

// posix_spawn's attribute and file-action objects, destroyed whatever happens.
struct spawn_setup {
  posix_spawnattr_t attr{};
  posix_spawn_file_actions_t actions{};
  spawn_setup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
  spawn_setup(spawn_setup&&) = delete;
  spawn_setup& operator=(spawn_setup&&) = delete;
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

// Pointers to the strings, null-terminated, as exec wants them.
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  // exec's argv and envp are char* const[] for C's sake; it does not write through them.
  for (const auto& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));  // NOLINT(*-const-cast)
  out.push_back(nullptr);
  return out;
}

core::error spawn_error(const std::string& what, int err) {
  return {core::errc::io, "cannot start " + what + ": " + core::describe_errno(err)};
}

}  // namespace

std::vector<std::string> job_environment(
    const core::environment& base, const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string, std::less<>> merged;
  if (base.names) {
    for (const auto& name : base.names()) {
      if (auto value = base.get(name)) merged[name] = *value;
    }
  }
  for (const auto& [name, value] : extra) merged[name] = value;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [name, value] : merged) {
    std::string entry = name;
    entry += '=';
    entry += value;
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<std::string> lookup(const std::vector<std::string>& environment,
                                  std::string_view name) {
  for (const auto& entry : environment) {
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=') {
      return entry.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

core::result<std::string> find_program(std::string_view program, std::string_view path) {
  if (program.find('/') != std::string_view::npos) return std::string(program);
  std::size_t pos = 0;
  for (;;) {
    const auto colon = path.find(':', pos);
    const auto dir =
        path.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
    std::string candidate =
        dir.empty() ? std::string(program) : std::string(dir) + "/" + std::string(program);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
  }
  return core::fail(core::errc::io, "cannot start " + std::string(program) +
                                        ": not found on the PATH (" + std::string(path) + ")");
}

core::result<pid_t> spawn_in_group(const spawn_request& request) {
  spawn_setup setup;
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaddset(&defaults, sig);
  }
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setsigmask(&setup.attr, &empty);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  if (request.stdin_fd < 0) {
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  } else if (request.stdin_fd != STDIN_FILENO) {
    posix_spawn_file_actions_adddup2(&setup.actions, request.stdin_fd, STDIN_FILENO);
  }
  posix_spawn_file_actions_adddup2(&setup.actions, request.stdout_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, request.stderr_fd, STDERR_FILENO);
  // Sockets and files of ours, whether or not they were opened close-on-exec.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);

  auto argv = c_strings(request.argv);
  auto envp = c_strings(request.environment);
  pid_t pid = 0;
  const int err = ::posix_spawn(&pid, request.file.c_str(), &setup.actions, &setup.attr,
                                argv.data(), envp.data());
  if (err != 0) return tl::unexpected(spawn_error(request.file, err));
  return pid;
}

}  // namespace cwp::jobs
