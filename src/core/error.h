#pragma once
// Expected failures are values: every fallible operation returns result<T> carrying an error.

#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace cwp::core {

// The closed set of failure kinds. Decisions (retry, exit code, log level) switch on these.
enum class errc {
  invalid_argument,  // bad user input: a setting, a flag, a template (exit code 2)
  parse,             // bytes we received or read could not be understood
  io,                // local file or process I/O failed
  network,           // connect refused/reset, DNS failure: nothing or part of a response came back
  timeout,           // connect or request deadline passed
  tls,               // handshake or certificate verification failed
  http,              // a response came back but is not a success and carries no AWS error
  aws,               // AWS answered with an error code (see aws::service_error)
  credentials,       // no provider could supply credentials
  cancelled,         // shutdown requested while waiting
};

std::string_view to_string(errc code);

struct error {
  error() = default;
  error(errc c, std::string m) : code(c), message(std::move(m)) {}

  errc code{errc::io};
  std::string message;
  // When a remote service answered (errc::aws, errc::http): what it said, for retry decisions
  // and for operators ("AccessDeniedException ... request id ...").
  std::string remote_code;
  int http_status{0};
  std::string request_id;
};

template <class T>
using result = tl::expected<T, error>;

// The text of an errno value ("No such file or directory"); thread-safe, unlike strerror.
std::string describe_errno(int err);

inline tl::unexpected<error> fail(errc code, std::string message) {
  return tl::unexpected<error>(error{code, std::move(message)});
}

}  // namespace cwp::core
