#pragma once
// Words for a POSIX shell command line that people copy and paste: a word of only safe
// characters stays as it is; anything else is single-quoted, with ' written as '\''.

#include <string>
#include <string_view>

namespace cwp::monitoring {

std::string shell_quote(std::string_view word);

}  // namespace cwp::monitoring
