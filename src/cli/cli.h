#pragma once
// The command line: subcommands and their flags (CLI11), mapped onto config::flag_values and
// the daemon's entry points. Everything a user types or reads in --help is defined here.

#include <iosfwd>
#include <string>
#include <vector>

#include "core/env.h"

namespace cwp::cli {

// Parses argv, runs the subcommand and returns the process exit code. Usage errors are one
// JSON ERROR line on `err` and exit code 2; --help and --version print plain text on `out`.
// NOLINTNEXTLINE(bugprone-exception-escape): not the program's main; src/main.cpp catches.
int main(const std::vector<std::string>& args, const core::environment& env, std::ostream& out,
         std::ostream& err);

}  // namespace cwp::cli
