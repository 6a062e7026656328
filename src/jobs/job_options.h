#pragma once
// Per-job options, written as `# cwp: key=value ...` comment lines directly above a job line
// (plain cron and supercronic see a comment and ignore them).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cloudwatch/names.h"
#include "core/error.h"
#include "jobs/job_spec.h"
#include "jobs/located.h"

namespace cwp::jobs {

// What the option lines above one job set; unset fields take the crontab-wide defaults.
struct job_options {
  std::optional<std::string> name;
  std::size_t name_column{0};  // where name= was written, for uniqueness errors
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> kill_grace;
  std::optional<overlap_policy> overlap;
  std::optional<std::string> stream;  // a validated template; {job} not yet replaced
  std::optional<std::uint64_t> max_output_bytes;
};

// Adds the blank-separated key=value pairs of `text` to `options`. `column` is the 1-based
// column of text's first byte in its line, so errors point at the key or value at fault. Keys:
// name, timeout, kill_grace, overlap (skip|allow|replace), stream, max_output. Values contain
// no blanks. An unknown or repeated key, a missing or bad value is an error that says which
// and suggests the key meant.
located_result<void> parse_option_text(std::string_view text, std::size_t column,
                                       job_options& options);

// A job's stream template: `text` with every {job} replaced by the job's name, then parsed as
// a cloudwatch::stream_template (which also accepts {date}, {hostname}, {instance_id}).
// Job names never contain '{', ':' or '*', so the replacement cannot make a valid template
// invalid except by its length, which rendering checks.
core::result<cloudwatch::stream_template> job_stream_template(std::string_view text,
                                                              std::string_view job_name);

// "10MiB", "512k", "65536": a byte count with an optional binary suffix (k/K/KiB/KB,
// M/MiB/MB, G/GiB/GB, all powers of 1024), as the size settings take them.
core::result<std::uint64_t> parse_output_size(std::string_view text);

}  // namespace cwp::jobs
