#include "jobs/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <nlohmann/json.hpp>
#include <span>

#include "cloudwatch/message_split.h"
#include "core/time_format.h"
#include "io/line_source.h"
#include "jobs/spawn.h"

namespace cwp::jobs {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// Without a pidfd (old kernels, seccomp), how often the loop looks whether the process exited
// while its output stays open.
constexpr milliseconds exit_poll{50};
constexpr char stop_request = 0;
constexpr int max_pieces_per_drain = 256;

core::result<std::pair<core::unique_fd, core::unique_fd>> make_pipe(int extra_flags = 0) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC | extra_flags) != 0) {
    return core::fail(core::errc::io, "cannot create a pipe: " + core::describe_errno(errno));
  }
  return std::pair{core::unique_fd(fds[0]), core::unique_fd(fds[1])};
}

// A pollable descriptor that becomes readable when the process exits; -1 when the kernel
// offers none.
core::unique_fd open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return core::unique_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  return core::unique_fd();
#endif
}

// writev() only reads the bytes, but iovec has no const member.
iovec as_iovec(std::string_view bytes) {
  return {const_cast<char*>(bytes.data()), bytes.size()};  // NOLINT(*-const-cast)
}

// A piece of a line and its line end in one writev(): our own log lines, written from other
// threads, then never land between a job's line and its newline (nor inside a line of up to one
// piece).
void write_all(int fd, std::string_view text, std::string_view end) {
  while (!text.empty() || !end.empty()) {
    std::array<iovec, 2> parts{as_iovec(text), as_iovec(end)};
    const ssize_t n = ::writev(fd, parts.data(), static_cast<int>(parts.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // our stdout is gone: the copy is best effort, the events are not
    auto done = static_cast<std::size_t>(n);
    const std::size_t from_text = std::min(done, text.size());
    text.remove_prefix(from_text);
    end.remove_prefix(std::min(done - from_text, end.size()));
  }
}

std::string truncated_marker(const run_request& r, std::uint64_t limit) {
  nlohmann::ordered_json j;
  j["event"] = "output_truncated";
  j["job"] = r.job;
  j["run_id"] = r.run_id;
  j["max_output_bytes"] = limit;
  j["message"] = "output beyond " + std::to_string(limit) +
                 " bytes is not published; the result event counts all of it";
  return j.dump();
}

core::result<spawn_request> command_request(const run_command& c) {
  spawn_request s;
  s.environment = c.environment;
  if (c.argv) {
    const auto path = lookup(c.environment, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");
    auto file = find_program(c.argv->front(), path);
    if (!file) return tl::unexpected(file.error());
    s.file = *file;
    s.argv = *c.argv;
  } else {
    s.file = c.shell;
    s.argv = {c.shell, "-c", c.command};
  }
  return s;
}

}  // namespace

struct job_run::stream_state {
  core::unique_fd fd;
  std::optional<io::fd_line_source> source;
  int copy_fd{-1};
  bool in_line{false};
  std::int64_t line_ts{0};
};

// The state of one run while it goes: the loop of run().
class job_run::loop {
 public:
  loop(job_run& owner, const run_request& request, run_result& result)
      : o_(owner), r_(request), result_(result) {}

  // Reads output and control requests until the process exited and its output is read.
  void go(core::child_registry::child& child, std::array<stream_state, 2>& streams);

 private:
  void on_piece(stream_state& s, const io::line_piece& piece);
  void drain(stream_state& s);
  void control();
  void signal_group(int sig) const { ::kill(-pid_, sig); }
  void terminate(steady::time_point now);
  std::optional<milliseconds> wait_budget(steady::time_point now, bool have_pidfd) const;
  std::int64_t next_ts();

  job_run& o_;
  const run_request& r_;
  run_result& result_;
  output_tail tail_;
  pid_t pid_{0};
  std::optional<int> status_;
  std::optional<steady::time_point> exited_at_;
  steady::time_point last_output_{};            // the last time output was read (or held back)
  std::optional<steady::time_point> deadline_;  // the timeout
  std::optional<steady::time_point> kill_at_;   // SIGKILL unless it exited by then
  bool timed_out_{false};
  bool enqueued_{false};
  std::uint64_t published_bytes_{0};

  friend class job_run;
};

job_run::job_run(core::child_registry& children, const core::clock& clock, run_output output)
    : children_(&children), clock_(&clock), output_(std::move(output)) {
  if (auto p = make_pipe(O_NONBLOCK)) {
    control_read_ = std::move(p->first);
    control_write_ = std::move(p->second);
  }
}

void job_run::forward(int signal) {
  const char byte = static_cast<char>(signal);
  if (control_write_) (void)!::write(control_write_.get(), &byte, 1);
}

void job_run::stop(const std::string& reason) {
  {
    const std::lock_guard lock(reason_mutex_);
    if (stop_reason_.empty()) stop_reason_ = reason;  // the first stop says why
  }
  forward(stop_request);
}

std::int64_t job_run::loop::next_ts() {
  o_.last_ts_ = std::max(core::to_epoch_millis(o_.clock_->now()), o_.last_ts_);
  return o_.last_ts_;
}

void job_run::loop::on_piece(stream_state& s, const io::line_piece& piece) {
  const std::string_view end = piece.final ? "\n" : "";
  if (s.copy_fd >= 0) {
    write_all(s.copy_fd, piece.text, end);
  }
  tail_.append(piece.text);
  tail_.append(end);
  if (!s.in_line) {
    ++result_.output_lines;
    s.line_ts = next_ts();
  }
  s.in_line = !piece.final;
  result_.output_bytes += piece.text.size() + end.size();
  if (piece.text.empty() || result_.output_truncated) return;
  if (r_.max_output_bytes && published_bytes_ + piece.text.size() > *r_.max_output_bytes) {
    result_.output_truncated = true;
    o_.output_.shipper->enqueue(o_.output_.stream,
                                {next_ts(), truncated_marker(r_, *r_.max_output_bytes)});
    enqueued_ = true;
    return;
  }
  published_bytes_ += piece.text.size();
  for (auto& text : cloudwatch::split_message(cloudwatch::make_valid_utf8(piece.text))) {
    o_.output_.shipper->enqueue(o_.output_.stream, {s.line_ts, std::move(text)});
  }
  enqueued_ = true;
}

void job_run::loop::drain(stream_state& s) {
  io::line_piece piece;
  // Bounded, so a job writing faster than we read cannot keep the loop from its timeout,
  // control requests and the other stream.
  for (int n = 0; n < max_pieces_per_drain; ++n) {
    auto got = s.source->next(piece, milliseconds{0});
    if (!got || *got == io::line_source::status::end) {
      s.source.reset();
      s.fd = core::unique_fd();
      return;
    }
    if (*got == io::line_source::status::idle) return;
    on_piece(s, piece);
  }
}

void job_run::loop::terminate(steady::time_point now) {
  signal_group(SIGTERM);
  if (!kill_at_) kill_at_ = now + r_.kill_grace;
}

void job_run::loop::control() {
  std::array<char, 64> bytes{};
  for (;;) {
    const ssize_t n = ::read(o_.control_read_.get(), bytes.data(), bytes.size());
    if (n <= 0) return;
    for (const char byte : std::span(bytes).first(static_cast<std::size_t>(n))) {
      if (byte == stop_request) {
        const std::lock_guard lock(o_.reason_mutex_);
        if (result_.reason.empty()) result_.reason = o_.stop_reason_;
        if (!status_) terminate(o_.clock_->monotonic());
      } else if (!status_) {
        signal_group(byte);
      }
    }
  }
}

std::optional<milliseconds> job_run::loop::wait_budget(steady::time_point now,
                                                       bool have_pidfd) const {
  std::optional<steady::time_point> until;
  const auto sooner = [&until](steady::time_point t) { until = until ? std::min(*until, t) : t; };
  if (!status_) {
    if (deadline_ && !timed_out_) sooner(*deadline_);
    if (kill_at_) sooner(*kill_at_);
    if (!have_pidfd) sooner(now + exit_poll);
  } else if (exited_at_) {
    sooner(std::max(*exited_at_, last_output_) + output_drain);
  }
  if (!until) return std::nullopt;
  return std::max(std::chrono::ceil<milliseconds>(*until - now), milliseconds{0});
}

void job_run::loop::go(core::child_registry::child& child, std::array<stream_state, 2>& streams) {
  pid_ = child.pid();
  const auto pidfd = open_pidfd(pid_);
  if (r_.timeout) deadline_ = o_.clock_->monotonic() + *r_.timeout;
  for (;;) {
    const auto now = o_.clock_->monotonic();
    if (!status_) {
      if (auto st = child.wait_until(steady::time_point::min()); st && *st) {
        status_ = **st;
        exited_at_ = now;
      } else if (!st) {
        result_.reason = st.error().message;
        status_.reset();
        break;
      }
    }
    if (status_ && !streams[0].fd && !streams[1].fd) break;
    const bool hold = o_.output_.congested && o_.output_.congested();
    if (hold) last_output_ = now;
    // Quiet since the exit, yet open: something the job left behind holds the pipes.
    if (status_ && now >= std::max(*exited_at_, last_output_) + output_drain) break;
    if (!status_ && deadline_ && !timed_out_ && now >= *deadline_) {
      timed_out_ = true;
      terminate(now);
    }
    if (!status_ && kill_at_ && now >= *kill_at_) {
      signal_group(SIGKILL);
      kill_at_.reset();
    }
    std::array<pollfd, 4> fds{{{hold ? -1 : streams[0].fd.get(), POLLIN, 0},
                               {hold ? -1 : streams[1].fd.get(), POLLIN, 0},
                               {o_.control_read_.get(), POLLIN, 0},
                               {status_ ? -1 : pidfd.get(), POLLIN, 0}}};
    auto budget = wait_budget(now, static_cast<bool>(pidfd));
    if (hold) budget = std::min(budget.value_or(hold_recheck), hold_recheck);
    if (::poll(fds.data(), fds.size(), budget ? static_cast<int>(budget->count()) : -1) < 0 &&
        errno != EINTR) {
      break;
    }
    for (std::size_t i = 0; i < 2; ++i) {
      if (streams[i].fd && fds[i].revents != 0) {
        drain(streams[i]);
        last_output_ = o_.clock_->monotonic();
      }
    }
    if (fds[2].revents != 0) control();
    if (enqueued_ && o_.output_.notify) o_.output_.notify();
    enqueued_ = false;
  }
  result_.output_tail = tail_.text();
  if (status_ && WIFEXITED(*status_)) result_.exit_code = WEXITSTATUS(*status_);
  if (status_ && WIFSIGNALED(*status_)) result_.signal = WTERMSIG(*status_);
}

run_result job_run::run(const run_request& request) {
  run_result result;
  result.job = request.job;
  result.run_id = request.run_id;
  result.schedule = request.schedule;
  result.scheduled = request.scheduled;
  result.started = clock_->now();
  const auto started = clock_->monotonic();
  const auto finish = [&](outcome o) {
    result.ended = clock_->now();
    result.duration = std::chrono::duration_cast<milliseconds>(clock_->monotonic() - started);
    result.result = o;
    return result;
  };

  auto spawn = command_request(request.command);
  auto out = make_pipe();
  auto err = make_pipe();
  if (!out || !err || !control_read_) {
    result.reason = !out ? out.error().message : !err ? err.error().message : "no control pipe";
    return finish(outcome::failure);
  }
  if (!spawn) {
    result.reason = spawn.error().message;
    return finish(outcome::failure);
  }
  spawn->stdin_fd = request.command.inherit_stdin ? STDIN_FILENO : -1;
  spawn->stdout_fd = out->second.get();
  spawn->stderr_fd = err->second.get();
  auto child = children_->spawn([&] { return spawn_in_group(*spawn); });
  out->second = core::unique_fd();  // only the child writes now: EOF when it is done
  err->second = core::unique_fd();
  if (!child) {
    result.reason = child.error().message;
    return finish(outcome::failure);
  }

  std::array<stream_state, 2> streams;
  streams[0].fd = std::move(out->first);
  streams[0].copy_fd = output_.copy_stdout;
  streams[1].fd = std::move(err->first);
  streams[1].copy_fd = output_.copy_stderr;
  for (auto& s : streams) s.source.emplace(s.fd.get(), line_piece_bytes);

  loop l(*this, request, result);
  l.go(*child, streams);
  if (l.timed_out_) return finish(outcome::timeout);
  const bool ok = result.exit_code == 0 && result.reason.empty();
  return finish(ok ? outcome::success : outcome::failure);
}

void publish_result(const run_result& result, const result_source& source,
                    cloudwatch::shipper& shipper, const std::string& stream,
                    const logging::logger& log, std::int64_t not_before_ms) {
  auto event = make_result_event(result, source);
  event.timestamp_ms = std::max(event.timestamp_ms, not_before_ms);
  shipper.enqueue(stream, std::move(event), /*emf=*/source.emf.has_value());
  log.log(log_level(result), log_message(result), log_fields(result));
}

}  // namespace cwp::jobs
