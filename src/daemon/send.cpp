#include "daemon/send.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>

#include "aws/clock_skew.h"
#include "aws/service_client.h"
#include "cloudwatch/batch.h"
#include "cloudwatch/logs_client.h"
#include "cloudwatch/message_split.h"
#include "cloudwatch/publisher.h"
#include "cloudwatch/shipper.h"
#include "core/time_format.h"
#include "daemon/instance_id.h"
#include "daemon/startup.h"
#include "spool/journal.h"

namespace cwp::daemon {
namespace {

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
  std::uint64_t batches() const { return batches_; }

 private:
  http::transport* inner_;
  std::uint64_t batches_{0};
};

std::string with_unit(double bytes) {
  char text[32];
  if (bytes < 1024.0) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else if (bytes < 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
  return text;
}

std::string rate(std::uint64_t count, std::chrono::duration<double> elapsed) {
  const double seconds = std::max(elapsed.count(), 0.001);
  return std::to_string(static_cast<std::uint64_t>(static_cast<double>(count) / seconds));
}

// Feeds messages to the shipper and decides when a batch goes out.
class sender {
 public:
  sender(cloudwatch::shipper& shipper, const core::clock& clock, const logging::logger& log,
         const config::settings& s, send_stats& stats)
      : shipper_(&shipper), clock_(&clock), log_(&log), settings_(&s), stats_(&stats) {}

  // One input line or message, or a piece of a long line: valid UTF-8, split when larger than
  // one event, timestamped (and its stream chosen) when its line began. Empty lines are skipped
  // (CloudWatch Logs rejects empty messages).
  void add(const io::line_piece& input) {
    const bool first = !in_line_;
    in_line_ = !input.final;
    if (first) {
      ++stats_->lines;
      line_started_ = clock_->now();
      line_events_ = 0;
    }
    if (input.text.empty()) {
      if (first && input.final) ++stats_->empty;
      return;
    }
    auto stream =
        settings_->send_stream.render(line_started_, {settings_->hostname, settings_->instance_id});
    if (!stream) {  // checked before reading; only a {date} change could get here
      log_->error("CWP_SEND_STREAM: " + stream.error().message);
      return;
    }
    const auto pieces = cloudwatch::split_message(cloudwatch::make_valid_utf8(input.text));
    line_events_ += pieces.size();
    if (input.final && line_events_ > 1) ++stats_->split_lines;
    for (const auto& piece : pieces) {
      const std::size_t size = piece.size() + cloudwatch::per_event_overhead_bytes;
      if (queued_events_ + 1 > cloudwatch::max_batch_events ||
          queued_bytes_ + size > cloudwatch::max_batch_bytes) {
        flush(false);
      }
      if (queued_events_ == 0) first_queued_ = clock_->monotonic();
      shipper_->enqueue(*stream, {core::to_epoch_millis(line_started_), piece});
      ++queued_events_;
      queued_bytes_ += size;
      ++stats_->events;
      stats_->bytes += piece.size();
    }
  }

  // A batch is due when the input went quiet or the oldest queued line has waited too long.
  void flush_if_due(steady_clock::time_point last_input) {
    if (queued_events_ == 0) return;
    const auto now = clock_->monotonic();
    if (now - last_input >= send_idle_flush || now - first_queued_ >= send_max_delay) {
      flush(false);
    }
  }

  // How long the reader may wait for input before a flush could be due.
  std::chrono::milliseconds wait_budget(steady_clock::time_point last_input) const {
    if (queued_events_ == 0) return std::chrono::hours{1};
    const auto now = clock_->monotonic();
    auto due = std::min(last_input + send_idle_flush, first_queued_ + send_max_delay);
    due = std::max(due, retry_at_);
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(due - now),
                    std::chrono::milliseconds{0});
  }

  // Delivers what is queued. Before the final attempt, a failure waits for its retry time.
  void flush(bool final) {
    if (!final && clock_->monotonic() < retry_at_) return;
    const auto d = shipper_->flush();
    stats_->delivered += d.delivered;
    if (d.error) {
      last_error_ = d.error;
      if (!final) {
        log_->warn("Could not deliver to CloudWatch Logs; keeping " + std::to_string(d.pending) +
                       " events and retrying in " + std::to_string(retry_delay_.count()) + " s",
                   {logging::kv("error", d.error->message),
                    logging::kv("error_code", d.error->remote_code)});
      }
      retry_at_ = clock_->monotonic() + retry_delay_;
      retry_delay_ = std::min(retry_delay_ * 2, std::chrono::seconds{send_max_retry});
      return;
    }
    queued_events_ = 0;
    queued_bytes_ = 0;
    retry_at_ = {};
    retry_delay_ = send_first_retry;
  }

  const std::optional<core::error>& last_error() const { return last_error_; }

 private:
  cloudwatch::shipper* shipper_;
  const core::clock* clock_;
  const logging::logger* log_;
  const config::settings* settings_;
  send_stats* stats_;
  std::size_t queued_events_{0};  // since the queue was last empty
  std::size_t queued_bytes_{0};
  steady_clock::time_point first_queued_{};
  steady_clock::time_point retry_at_{};
  std::chrono::seconds retry_delay_{send_first_retry};
  std::optional<core::error> last_error_;
  bool in_line_{false};  // the last piece added did not end its line
  core::sys_time line_started_{};
  std::size_t line_events_{0};  // events made of the current line so far
};

std::string progress_line(const send_stats& stats) {
  return "send: " + std::to_string(stats.lines) + " lines, " + std::to_string(stats.batches) +
         " batches, " + with_unit(static_cast<double>(stats.bytes)) + ", " +
         rate(stats.lines, stats.elapsed) + " lines/s";
}

}  // namespace

std::string summary_line(const send_stats& stats) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", stats.elapsed.count());
  std::string line = "send: " + std::to_string(stats.lines) + " lines, " +
                     std::to_string(stats.events) + " events, " + std::to_string(stats.batches) +
                     " batches, " + std::to_string(stats.bytes) + " bytes, " +
                     std::to_string(stats.retries) + " retries in " + seconds + " s (" +
                     rate(stats.lines, stats.elapsed) + " lines/s); " +
                     std::to_string(stats.delivered) + " delivered";
  if (stats.restored > 0) {
    line += " (incl. " + std::to_string(stats.restored) + " kept by an earlier send)";
  }
  if (stats.kept > 0) {
    line += ", " + std::to_string(stats.kept) + " not delivered (kept in the spool)";
  }
  if (stats.not_delivered() > stats.kept) {
    line += ", " + std::to_string(stats.not_delivered() - stats.kept) + " not delivered (lost)";
  }
  if (stats.empty > 0) line += "; " + std::to_string(stats.empty) + " empty lines skipped";
  if (stats.split_lines > 0) {
    line += "; " + std::to_string(stats.split_lines) + " long lines split";
  }
  return line;
}

exit_code run_send(const config::settings& given, platform& p, const send_request& request) {
  config::settings s = given;  // gets the resolved {instance_id}
  // `send` is a pipe tool: its INFO lines (start-up, created group) only with --log-level debug.
  const logging::level threshold = s.log_level == logging::level::debug
                                       ? s.log_level
                                       : std::max(s.log_level, logging::level::warn);
  const logging::logger entry(*p.sink, *p.clock, entrypoint_service, threshold);
  const logging::logger log = entry.with_service(publisher_service);

  if (request.message && request.message->empty()) {
    log.error("send: the message is empty (CloudWatch Logs does not accept empty events)");
    return exit_code::usage;
  }
  if (auto failed = fill_instance_id(s, s.send_stream, "CWP_SEND_STREAM", p, log)) return *failed;
  if (auto stream = s.send_stream.render(p.clock->now(), {s.hostname, s.instance_id}); !stream) {
    log.error("CWP_SEND_STREAM: " + stream.error().message);
    return exit_code::usage;
  }
  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;

  batch_counting_transport transport(*p.transport);
  std::atomic<std::uint64_t> retries{0};
  aws::clock_skew skew(*p.clock);
  aws::client_context context{&transport,  p.credentials,
                              p.clock,     &skew,
                              s.retry,     std::make_shared<aws::retry_quota>(),
                              p.uniform01, http::send_options{},
                              &log,        &retries};
  const cloudwatch::logs_client logs(aws::service_client(context, s.logs_endpoint));
  cloudwatch::publisher pub(logs, log, {s.log_group, std::nullopt});
  // With CWP_SPOOL_DIR, what cannot be delivered now is kept in its `send` subdirectory (apart
  // from the daemon's journal, which a running daemon holds) and delivered by the next send.
  std::unique_ptr<spool::journal> journal;
  if (!s.spool_dir.empty()) {
    const auto dir = std::filesystem::path(s.spool_dir) / "send";
    if (auto opened = spool::journal::open(dir)) {
      journal = std::move(*opened);
    } else {
      log.error("Cannot use the spool directory; undelivered events are kept in memory only: " +
                    opened.error().message,
                {logging::kv("spool_dir", dir.string())});
    }
  }
  cloudwatch::shipper shipper(pub, log, *p.clock, s.spool_limits, journal.get());

  send_stats stats;
  stats.restored = shipper.restored();
  sender out(shipper, *p.clock, log, s, stats);
  const auto started = p.clock->monotonic();
  bool read_failed = false;

  if (request.message) {
    out.add(io::line_piece{*request.message, true});
  } else {
    auto last_input = p.clock->monotonic();
    auto next_progress = started + progress_after;
    bool progress_shown = false;
    io::line_piece piece;
    for (;;) {
      auto wait = out.wait_budget(last_input);
      if (request.progress) {
        wait = std::min(wait,
                        std::chrono::duration_cast<std::chrono::milliseconds>(std::max(
                            next_progress - p.clock->monotonic(), steady_clock::duration::zero())));
      }
      auto got = request.input->next(piece, wait);
      if (!got) {
        log.error("Could not read the input: " + got.error().message);
        read_failed = true;
        break;
      }
      if (*got == io::line_source::status::end) break;
      if (*got == io::line_source::status::piece) {
        last_input = p.clock->monotonic();
        out.add(piece);
      }
      out.flush_if_due(last_input);
      if (request.progress && p.clock->monotonic() >= next_progress) {
        stats.batches = transport.batches();
        stats.elapsed = p.clock->monotonic() - started;
        *request.status << "\r" << progress_line(stats) << "\x1b[K" << std::flush;
        progress_shown = true;
        next_progress = p.clock->monotonic() + progress_every;
      }
    }
    if (progress_shown) *request.status << "\r\x1b[K";
  }
  out.flush(true);

  stats.batches = transport.batches();
  stats.retries = retries.load();
  stats.elapsed = p.clock->monotonic() - started;
  if (journal) stats.kept = std::min<std::uint64_t>(journal->live_events(), stats.not_delivered());
  if (stats.not_delivered() > 0) {
    const auto& why = out.last_error();
    log.error(
        "Failed to deliver " + std::to_string(stats.not_delivered()) + " of " +
            std::to_string(stats.events + stats.restored) + " events to CloudWatch Logs; " +
            (stats.kept == stats.not_delivered() ? "they are kept in the spool for the next send"
                                                 : "they are lost") +
            (why ? ": " + why->message : std::string()),
        {logging::kv("log_group", s.log_group),
         logging::kv("error_code", why ? why->remote_code : std::string())});
  }
  *request.status << summary_line(stats) << "\n" << std::flush;

  if (stats.not_delivered() > 0) {
    const auto& why = out.last_error();
    if (why && is_credentials_rejection(*why)) return exit_code::credentials_rejected;
    return exit_code::failed;
  }
  return read_failed ? exit_code::failed : exit_code::ok;
}

}  // namespace cwp::daemon
