#include "commands/send.h"

#include <algorithm>
#include <atomic>
#include <filesystem>

#include "commands/delivery_pool.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "daemon/assembly.h"
#include "daemon/startup.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;
using std::chrono::steady_clock;

// Counts the PutLogEvents calls that succeeded: the batches.
class batch_counting_transport final : public http::transport {
 public:
  explicit batch_counting_transport(http::transport& inner) : inner_(&inner) {}

  core::result<http::response> round_trip(const http::request& req,
                                          const http::send_options& options) override {
    auto response = inner_->send(req, options);
    if (response && response->ok()) {
      const auto target = req.find_header("X-Amz-Target");
      if (target && target->ends_with(".PutLogEvents")) ++batches_;
    }
    return response;
  }
  std::uint64_t batches() const { return batches_.load(); }

 private:
  http::transport* inner_;
  std::atomic<std::uint64_t> batches_{0};  // counted by every delivery thread
};

// With CWP_SPOOL_DIR, what cannot be delivered now is kept in its `send` subdirectory (apart
// from the daemon's journal, which a running daemon holds) and delivered by the next send.
std::string journal_dir(const config::settings& s) {
  if (s.spool_dir.empty()) return {};
  return (std::filesystem::path(s.spool_dir) / "send").string();
}

// Reads every line of the request's input into `out`, with a progress line on a terminal
// (`started`: when sending began). Returns false when reading failed (logged).
bool send_lines(const send_request& request, sender& out, send_stats& stats,
                steady_clock::time_point started, const batch_counting_transport& transport,
                const core::clock& clock, const logging::logger& log) {
  auto last_input = clock.monotonic();
  auto next_progress = started + progress_after;
  bool progress_shown = false;
  bool read_ok = true;
  io::line_piece piece;
  auto wait = out.wait_budget(last_input);
  for (;;) {
    // A piece cut from what the last read brought arrived with the one before it: no clock
    // reading for it (at a million lines a second they cost more than the rest of a line).
    if (!piece.buffered) wait = out.wait_budget(last_input);
    if (request.progress) {
      wait =
          std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(std::max(
                             next_progress - clock.monotonic(), steady_clock::duration::zero())));
    }
    auto got = request.input->next(piece, wait);
    if (!got) {
      log.error("Could not read the input: " + got.error().message);
      read_ok = false;
      break;
    }
    if (*got == io::line_source::status::end) break;
    if (*got == io::line_source::status::piece) {
      const bool buffered = piece.buffered;
      if (!buffered) last_input = clock.monotonic();
      out.add(std::move(piece));
      piece = io::line_piece{.text = {}, .final = true, .buffered = buffered};  // moved from
      if (buffered) continue;
    } else {
      piece.buffered = false;
    }
    out.flush_if_due(last_input);
    if (request.progress && clock.monotonic() >= next_progress) {
      stats.batches = transport.batches();
      stats.elapsed = clock.monotonic() - started;
      *request.status << "\r" << progress_line(stats) << "\x1b[K" << std::flush;
      progress_shown = true;
      next_progress = clock.monotonic() + progress_every;
    }
  }
  if (progress_shown) *request.status << "\r\x1b[K";
  return read_ok;
}

// The ERROR line about what was not delivered, and the exit code that goes with it.
exit_code report_undelivered(const send_stats& stats, const std::optional<core::error>& why,
                             const config::settings& s, const logging::logger& log) {
  log.error(
      "Failed to deliver " + std::to_string(stats.not_delivered()) + " of " +
          std::to_string(stats.events + stats.restored) + " events to CloudWatch Logs; " +
          (stats.kept == stats.not_delivered() ? "they are kept in the spool for the next send"
                                               : "they are lost") +
          (why ? ": " + why->message : std::string()),
      {logging::kv("log_group", s.log_group),
       logging::kv("error_code", why ? why->remote_code : std::string())});
  if (why && daemon::is_credentials_rejection(*why)) return exit_code::credentials_rejected;
  return exit_code::failed;
}

}  // namespace

exit_code run_send(const config::settings& s, daemon::platform& p, const send_request& request) {
  // `send` is a pipe tool: its INFO lines (start-up, created group) only with --log-level debug.
  const logging::level threshold = s.log_level == logging::level::debug
                                       ? s.log_level
                                       : std::max(s.log_level, logging::level::warn);
  const logging::logger entry(*p.sink, *p.clock, daemon::entrypoint_service, threshold);
  const logging::logger log = entry.with_service(daemon::publisher_service);

  if (request.message && request.message->empty()) {
    log.error("send: the message is empty (CloudWatch Logs does not accept empty events)");
    return exit_code::usage;
  }
  auto names = stream_names_or_log(s, config::setting::send_stream, p, log);
  if (!names) return exit_code::usage;
  if (auto stream = names->render(p.clock->now()); !stream) {
    log.error("CWP_SEND_STREAM: " + stream.error().message);
    return exit_code::usage;
  }
  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;

  batch_counting_transport transport(*p.transport);
  std::atomic<std::uint64_t> retries{0};
  const daemon::aws_clients aws(aws_settings_of(s), p, &log,
                                {.transport = &transport, .retries = &retries});
  // No retention: `send` writes to groups it is given, it does not own them.
  daemon::publishing published({.target = publisher_options_of(s, /*with_retention=*/false),
                                .limits = s.spool_limits,
                                .journal_dir = journal_dir(s)},
                               aws, p, log);

  send_stats stats;
  stats.restored = published.shipper.restored();
  // More than one call in flight: a pool of delivery threads (CWP_SEND_CONCURRENCY).
  std::optional<delivery_pool> pool;
  if (s.send_concurrency > 1)
    pool.emplace(published.shipper, published.publisher, s.send_concurrency);
  sender out(published.shipper, *p.clock, log, std::move(*names), stats, s.max_event_bytes,
             pool ? &*pool : nullptr);
  const auto started = p.clock->monotonic();
  bool read_ok = true;
  if (request.message) {
    out.add(io::line_piece{*request.message, true});
  } else {
    read_ok = send_lines(request, out, stats, started, transport, *p.clock, log);
  }
  out.flush(true);

  stats.batches = transport.batches();
  stats.retries = retries.load();
  stats.elapsed = p.clock->monotonic() - started;
  if (published.journal) {
    stats.kept = std::min<std::uint64_t>(published.journal->live_events(), stats.not_delivered());
  }
  const exit_code code = stats.not_delivered() > 0
                             ? report_undelivered(stats, out.last_error(), s, log)
                             : (read_ok ? exit_code::ok : exit_code::failed);
  *request.status << summary_line(stats) << "\n" << std::flush;
  return code;
}

}  // namespace cwp::commands
