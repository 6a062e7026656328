#pragma once
// The crontab file of CWP_CRONTAB: read (bounded) and parsed, with the real file system as the
// judge of which shells exist.

#include <string>

#include "core/error.h"
#include "jobs/job_spec.h"

namespace cwp::commands {

// Reads at most jobs::max_crontab_bytes of `path` and parses it (jobs::parse_crontab). A shell
// exists when it is an executable file. Errors are errc::invalid_argument (exit code 2): a file
// that cannot be read names CWP_CRONTAB and the reason; a parse error is the parser's
// "<path>:<line>:<column>: ..." message.
core::result<jobs::crontab> load_crontab(const std::string& path);

}  // namespace cwp::commands
