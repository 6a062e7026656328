#pragma once
// The INI dialect of the AWS shared config and credentials files, as a pure function: text in,
// sections of key/value pairs out. No file I/O here (see shared_config.h).

#include <map>
#include <string>
#include <string_view>

namespace cwp::aws {

using ini_section = std::map<std::string, std::string, std::less<>>;
using ini_document = std::map<std::string, ini_section, std::less<>>;

// Parses `text` leniently, never failing (a malformed line is skipped, as if commented out):
// - lines whose first non-blank character is '#' or ';' are comments (no inline comments: a '#'
//   after a value is part of the value, as in botocore);
// - "[ name ]" opens a section; its name is trimmed and case-sensitive; lines before the first
//   section are ignored;
// - "key = value" (or "key: value", whichever delimiter comes first) with both sides trimmed;
//   keys are lower-cased as Python's configparser does;
// - an indented "sub = value" line after a key with an empty value is a nested sub-section entry
//   and is stored as "key.sub" (the `s3 =` / `services` shape); other indented lines are
//   ignored;
// - a section or key seen again merges into / overrides the earlier one.
ini_document parse_ini(std::string_view text);

}  // namespace cwp::aws
