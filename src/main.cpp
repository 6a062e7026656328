// cloudwatch-publisher: argv -> cli; nothing else.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/env.h"
#include "logging/logger.h"

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv, argv + argc);
    return cwp::cli::main(args, cwp::core::process_environment(), std::cout, std::cerr);
  } catch (...) {
    // A bug. The exception's text is not printed: it could echo a value we were handed.
    cwp::core::system_clock clock;
    cwp::logging::stream_sink sink(std::cout, std::cerr);
    cwp::logging::logger(sink, clock, "cloudwatch-publisher")
        .error("internal error: unexpected exception; please report this");
    return 70;
  }
}
