#include "commands/sender.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "cloudwatch/message_split.h"
#include "core/time_format.h"

namespace cwp::commands {
namespace {

using std::chrono::steady_clock;

// `value` with `decimals` digits after the point, as printf's "%.<decimals>f" writes it.
std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

std::string with_unit(double bytes) {
  if (bytes < 1024.0) return fixed(bytes, 0) + " B";
  if (bytes < 1024.0 * 1024.0) return fixed(bytes / 1024.0, 1) + " KiB";
  return fixed(bytes / (1024.0 * 1024.0), 1) + " MiB";
}

std::string rate(std::uint64_t count, std::chrono::duration<double> elapsed) {
  const double seconds = std::max(elapsed.count(), 0.001);
  return std::to_string(static_cast<std::uint64_t>(static_cast<double>(count) / seconds));
}

}  // namespace

std::string summary_line(const send_stats& stats) {
  const std::string seconds = fixed(stats.elapsed.count(), 2);
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
    line += "; " + std::to_string(stats.split_lines) + " long lines split (events of at most " +
            std::to_string(stats.max_event_bytes) + " bytes, CWP_MAX_EVENT_BYTES)";
  }
  return line;
}

std::string progress_line(const send_stats& stats) {
  return "send: " + std::to_string(stats.lines) + " lines, " + std::to_string(stats.batches) +
         " batches, " + with_unit(static_cast<double>(stats.bytes)) + ", " +
         rate(stats.lines, stats.elapsed) + " lines/s";
}

const std::string* sender::stream_at(core::sys_time t) {
  constexpr std::int64_t day_ms = 86'400'000;
  const std::int64_t ms = core::to_epoch_millis(t);
  const std::int64_t day = ms >= 0 ? ms / day_ms : (ms - day_ms + 1) / day_ms;
  if (day == stream_day_) return &stream_name_;
  auto stream = stream_.render(t);
  if (!stream) {  // checked before reading; only a {date} change could get here
    log_->error("CWP_SEND_STREAM: " + stream.error().message);
    return nullptr;
  }
  stream_name_ = std::move(*stream);
  stream_day_ = day;
  return &stream_name_;
}

void sender::add(io::line_piece&& input) {
  const bool first = !in_line_;
  in_line_ = !input.final;
  // A buffered piece arrived with the previous one: the same reading of the clock.
  if (!input.buffered || !read_at_) read_at_ = clock_->now();
  if (first) {
    ++stats_->lines;
    line_started_ = *read_at_;
    line_events_ = 0;
  }
  if (input.text.empty()) {
    if (first && input.final) ++stats_->empty;
    return;
  }
  const std::string* stream = stream_at(line_started_);
  if (stream == nullptr) return;
  std::string text = std::move(input.text);
  if (!cloudwatch::is_valid_utf8(text)) text = cloudwatch::make_valid_utf8(text);
  if (text.size() <= max_message_bytes_) {
    if (!first) split_line_ms_ = core::to_epoch_millis(line_started_);  // a later piece
    ++line_events_;
    if (input.final && line_events_ > 1) ++stats_->split_lines;
    queue_event(*stream, std::move(text));
    return;
  }
  auto pieces = cloudwatch::split_message(text, max_message_bytes_);
  split_line_ms_ = core::to_epoch_millis(line_started_);
  line_events_ += pieces.size();
  if (input.final && line_events_ > 1) ++stats_->split_lines;
  for (auto& piece : pieces) queue_event(*stream, std::move(piece));
}

void sender::queue_event(const std::string& stream, std::string message) {
  const std::size_t size = message.size() + cloudwatch::per_event_overhead_bytes;
  if (queued_events_ + 1 > cloudwatch::max_batch_events ||
      queued_bytes_ + size > cloudwatch::max_batch_bytes) {
    dispatch();
  }
  if (queued_events_ == 0) first_queued_ = clock_->monotonic();
  stats_->bytes += message.size();
  shipper_->enqueue(stream, {core::to_epoch_millis(line_started_), std::move(message)});
  ++queued_events_;
  queued_bytes_ += size;
  ++stats_->events;
}

void sender::dispatch() {
  if (pool_ == nullptr) {
    flush(false);
    return;
  }
  collect(false);
  if (clock_->monotonic() < retry_at_) return;  // failing: keep reading, within the bounds
  if (!hand_over(false)) return;
  queued_events_ = 0;
  queued_bytes_ = 0;
}

bool sender::hand_over(bool final) {
  for (;;) {
    const auto next = shipper_->next_timestamp();
    if (!next) return true;
    if (next == last_handed_ms_ && next == split_line_ms_) {
      pool_->wait_idle();
      collect(final);
      if (!final && clock_->monotonic() < retry_at_) return false;
    }
    auto batch = shipper_->take_batch();
    if (!batch) return true;
    last_handed_ms_ = batch->events.back().timestamp_ms;
    pool_->submit(std::move(*batch));
  }
}

void sender::collect(bool final) {
  auto o = pool_->collect();
  if (o.delivered == 0 && !o.error) return;
  record(o.delivered, o.error, o.pending, final);
}

void sender::flush_if_due(steady_clock::time_point last_input) {
  if (queued_events_ == 0) return;
  const auto now = clock_->monotonic();
  if (now - last_input >= send_idle_flush || now - first_queued_ >= send_max_delay) {
    flush(false);
  }
}

std::chrono::milliseconds sender::wait_budget(steady_clock::time_point last_input) const {
  if (queued_events_ == 0) return std::chrono::hours{1};
  const auto now = clock_->monotonic();
  auto due = std::min(last_input + send_idle_flush, first_queued_ + send_max_delay);
  due = std::max(due, retry_at_);
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(due - now),
                  std::chrono::milliseconds{0});
}

void sender::flush(bool final) {
  if (pool_ != nullptr) {
    // What is on its way settles first: a batch that failed is back in the queue, and the last
    // attempt (final) gives it one more try like every other event.
    pool_->wait_idle();
    collect(final);
  }
  if (!final && clock_->monotonic() < retry_at_) return;
  if (pool_ != nullptr) {
    hand_over(final);
    pool_->wait_idle();
    const auto o = pool_->collect();
    record(o.delivered, o.error, shipper_->pending(), final);
    return;
  }
  const auto d = shipper_->flush();
  record(d.delivered, d.error, d.pending, final);
}

void sender::record(std::size_t delivered, const std::optional<core::error>& error,
                    std::size_t pending, bool final) {
  stats_->delivered += delivered;
  if (error) {
    last_error_ = error;
    if (!final) {
      log_->warn(
          "Could not deliver to CloudWatch Logs; keeping " + std::to_string(pending) +
              " events and retrying in " + std::to_string(retry_delay_.count()) + " s",
          {logging::kv("error", error->message), logging::kv("error_code", error->remote_code)});
    }
    retry_at_ = clock_->monotonic() + retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2, std::chrono::seconds{send_max_retry});
    return;
  }
  if (shipper_->queued().first == 0) {
    queued_events_ = 0;
    queued_bytes_ = 0;
  }
  retry_at_ = {};
  retry_delay_ = send_first_retry;
}

}  // namespace cwp::commands
