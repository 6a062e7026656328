#pragma once
// Our own log lines: one JSON object per line with the replaced image's fields
// {"service","timestamp","level","message"} first, then optional context fields.
// INFO and WARN go to stdout, ERROR to stderr (as `docker logs ... 2>&1 | grep ERROR` expects).
// Logging never throws and never blocks on anything but the write itself.

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace cwp::logging {

enum class level { debug, info, warn, error };

std::string_view to_string(level l);
// Accepts debug|info|warn|warning|error in any case.
bool parse_level(std::string_view text, level& out);

// Context fields after "message": values are strings or integers rendered as JSON.
struct field {
  std::string key;
  std::string text;
  long long number{0};
  bool is_number{false};
};
field kv(std::string key, std::string value);
field kv(std::string key, long long value);

struct line {
  std::string service;
  core::sys_time timestamp;
  level severity{level::info};
  std::string message;
  std::vector<field> fields;
};

// Renders a line as its JSON text (no trailing newline).
std::string render(const line& l);

class sink {
 public:
  sink() = default;
  sink(const sink&) = delete;
  sink& operator=(const sink&) = delete;
  sink(sink&&) = delete;
  sink& operator=(sink&&) = delete;
  virtual ~sink() = default;
  virtual void write(const line& l) = 0;
};

// Writes rendered lines: ERROR to `err`, everything else to `out`. Thread-safe.
class stream_sink final : public sink {
 public:
  stream_sink(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
  void write(const line& l) override;

 private:
  std::mutex mutex_;
  std::ostream& out_;
  std::ostream& err_;
};

// Stamps lines with a service name and the clock's time, and drops lines below a threshold.
// Cheap to copy: holds references to the sink and clock, which must outlive it.
class logger {
 public:
  logger(sink& s, const core::clock& c, std::string service, level threshold = level::info)
      : sink_(&s), clock_(&c), service_(std::move(service)), threshold_(threshold) {}

  // The same sink, clock and threshold under another service name.
  logger with_service(std::string service) const;

  void log(level severity, std::string message, std::vector<field> fields = {}) const;
  void debug(std::string message, std::vector<field> fields = {}) const {
    log(level::debug, std::move(message), std::move(fields));
  }
  void info(std::string message, std::vector<field> fields = {}) const {
    log(level::info, std::move(message), std::move(fields));
  }
  void warn(std::string message, std::vector<field> fields = {}) const {
    log(level::warn, std::move(message), std::move(fields));
  }
  void error(std::string message, std::vector<field> fields = {}) const {
    log(level::error, std::move(message), std::move(fields));
  }

 private:
  sink* sink_;
  const core::clock* clock_;
  std::string service_;
  level threshold_;
};

}  // namespace cwp::logging
