#include "aws/credentials/process_provider.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>

#include "aws/credentials/json_credentials.h"

namespace cwp::aws {
namespace {

using steady = std::chrono::steady_clock;

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// The program to execute: a name with a slash as is, otherwise the first executable match on
// PATH (from `env`, so the child and the lookup agree; POSIX's default path when unset).
std::optional<std::string> find_program(const std::string& name, const core::environment& env) {
  if (name.find('/') != std::string::npos) return name;
  const std::string path = env.get("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  std::string_view rest = path;
  for (;;) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

std::vector<std::string> environment_entries(const core::environment& env) {
  std::vector<std::string> out;
  if (!env.names) return out;
  for (const auto& name : env.names()) {
    if (auto value = env.get(name)) out.push_back(name + "=" + *value);
  }
  return out;
}

// NULL-terminated pointers into `strings` (which must outlive them), as exec wants.
std::vector<char*> c_array(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct run_outcome {
  std::string output;
  int wait_status{0};
  bool timed_out{false};
  bool overflowed{false};
};

// posix_spawn attributes that give the child a clean start whatever this process did: default
// signal dispositions, nothing blocked (the daemon blocks every signal in its main thread), and
// its own process group so a deadline kills its children too.
class spawn_setup {
 public:
  spawn_setup() {
    ::posix_spawn_file_actions_init(&actions_);
    ::posix_spawnattr_init(&attr_);
    sigset_t none;
    sigset_t all;
    ::sigemptyset(&none);
    ::sigfillset(&all);
    ::posix_spawnattr_setsigmask(&attr_, &none);
    ::posix_spawnattr_setsigdefault(&attr_, &all);
    ::posix_spawnattr_setpgroup(&attr_, 0);
    ::posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
  spawn_setup(spawn_setup&&) = delete;
  spawn_setup& operator=(spawn_setup&&) = delete;
  ~spawn_setup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  posix_spawn_file_actions_t* actions() { return &actions_; }
  const posix_spawnattr_t* attr() const { return &attr_; }

 private:
  posix_spawn_file_actions_t actions_{};
  posix_spawnattr_t attr_{};
};

int poll_timeout_ms(steady::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 1000));
}

// Reads the child's stdout until EOF, the deadline or the size bound.
void read_output(int fd, steady::time_point deadline, std::size_t max_bytes, run_outcome& out) {
  std::array<char, 4096> chunk{};
  for (;;) {
    if (steady::now() >= deadline) {
      out.timed_out = true;
      return;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, poll_timeout_ms(deadline));
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0) continue;
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;
    out.output.append(chunk.data(), static_cast<std::size_t>(n));
    if (out.output.size() > max_bytes) {
      out.overflowed = true;
      return;
    }
  }
}

// Kills the child's process group and waits for the child's exit.
core::result<void> kill_and_wait(core::child_registry::child& child, run_outcome& out) {
  ::killpg(child.pid(), SIGKILL);
  auto status = child.wait_until(steady::time_point::max());
  if (!status) return tl::unexpected(status.error());
  out.wait_status = **status;
  return {};
}

// Waits for the child's exit until the deadline (a child may close stdout and linger), then
// kills it.
core::result<void> wait_for_exit(core::child_registry::child& child, steady::time_point deadline,
                                 run_outcome& out) {
  auto status = child.wait_until(deadline);
  if (!status) return tl::unexpected(status.error());
  if (*status) {
    out.wait_status = **status;
    return {};
  }
  out.timed_out = true;
  return kill_and_wait(child, out);
}

core::result<run_outcome> run(core::child_registry& children, const std::string& program,
                              std::vector<std::string> argv, std::vector<std::string> envp,
                              const process_provider::limits& l) {
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    return core::fail(core::errc::io, "cannot create a pipe: " + core::describe_errno(errno));
  }
  spawn_setup setup;
  ::posix_spawn_file_actions_adddup2(setup.actions(), pipe_fds[1], STDOUT_FILENO);
  ::posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // Nothing of ours beyond stdin, stdout and stderr reaches the helper, even a descriptor some
  // library opened without O_CLOEXEC (ours all have it).
  ::posix_spawn_file_actions_addclosefrom_np(setup.actions(), STDERR_FILENO + 1);
  std::vector<char*> args = c_array(argv);
  std::vector<char*> vars = c_array(envp);
  // Registered as it is spawned: a PID 1 reaper keeps its exit status for us.
  auto child = children.spawn([&]() -> core::result<pid_t> {
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, program.c_str(), setup.actions(), setup.attr(),
                                      args.data(), vars.data());
    if (spawned != 0) {
      return core::fail(core::errc::io,
                        "cannot run " + program + ": " + core::describe_errno(spawned));
    }
    return pid;
  });
  ::close(pipe_fds[1]);
  if (!child) {
    ::close(pipe_fds[0]);
    return tl::unexpected(child.error());
  }
  const auto deadline = steady::now() + l.timeout;
  run_outcome out;
  read_output(pipe_fds[0], deadline, l.max_output_bytes, out);
  ::close(pipe_fds[0]);
  auto waited = out.timed_out || out.overflowed ? kill_and_wait(*child, out)
                                                : wait_for_exit(*child, deadline, out);
  if (!waited) return tl::unexpected(waited.error());
  return out;
}

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

core::result<std::vector<std::string>> split_command_line(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const auto close = command.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return core::fail(core::errc::invalid_argument, "unterminated single quote");
      }
      word.append(command.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= command.size()) {
          return core::fail(core::errc::invalid_argument, "unterminated double quote");
        }
        if (command[i] == '"') break;
        if (command[i] == '\\' && i + 1 < command.size() &&
            std::string_view("\\\"$`\n").find(command[i + 1]) != std::string_view::npos) {
          ++i;
        }
        word.push_back(command[i]);
      }
    } else if (c == '\\') {
      if (i + 1 >= command.size()) {
        return core::fail(core::errc::invalid_argument, "a trailing backslash escapes nothing");
      }
      word.push_back(command[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return core::fail(core::errc::invalid_argument, "the command is empty");
  return words;
}

core::result<credentials> process_provider::get() {
  const std::string who = "credential_process of profile " + profile_;
  auto argv = split_command_line(command_);
  if (!argv) return core::fail(core::errc::credentials, who + ": " + argv.error().message);
  const auto program = find_program(argv->front(), env_);
  if (!program) {
    return core::fail(core::errc::credentials,
                      who + ": program '" + argv->front() + "' not found on PATH");
  }
  auto outcome = run(*children_, *program, std::move(*argv), environment_entries(env_), limits_);
  if (!outcome) return core::fail(core::errc::credentials, who + ": " + outcome.error().message);

  if (outcome->timed_out) {
    return core::fail(
        core::errc::credentials,
        who + " did not finish within " + seconds_text(limits_.timeout) + " and was killed");
  }
  if (outcome->overflowed) {
    return core::fail(core::errc::credentials, who + " printed more than " +
                                                   std::to_string(limits_.max_output_bytes) +
                                                   " bytes and was killed");
  }
  const int status = outcome->wait_status;
  if (WIFSIGNALED(status)) {
    return core::fail(core::errc::credentials,
                      who + " was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return core::fail(core::errc::credentials, who + " exited with status " +
                                                   std::to_string(WEXITSTATUS(status)) +
                                                   " (its stderr above says why)");
  }

  const nlohmann::json doc =
      nlohmann::json::parse(outcome->output, nullptr, /*allow_exceptions=*/false);
  const auto version = doc.is_object() ? doc.find("Version") : doc.end();
  if (!doc.is_object() || version == doc.end() || !version->is_number_integer() ||
      version->get<long long>() != 1) {
    return core::fail(core::errc::credentials,
                      who + ": the output is not a credentials document with \"Version\": 1");
  }
  auto c = parse_json_credentials(outcome->output, process_json, who);
  if (!c) return core::fail(core::errc::credentials, c.error().message);
  c->provider = "profile:" + profile_ + ":credential_process";
  return c;
}

}  // namespace cwp::aws
