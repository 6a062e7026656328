#pragma once
// A problem at a place in a crontab, before the file's path is known to the code that found it.

#include <cstddef>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace cwp::jobs {

// line and column are 1-based and count bytes; line 0 means "the caller's line". The message
// says what is wrong and how to fix it, without the "<path>:<line>:<column>: " prefix.
struct located {
  std::size_t line{0};
  std::size_t column{1};
  std::string message;
};

template <class T>
using located_result = tl::expected<T, located>;

inline tl::unexpected<located> fail_at(std::size_t column, std::string message) {
  return tl::unexpected<located>(located{0, column, std::move(message)});
}

}  // namespace cwp::jobs
