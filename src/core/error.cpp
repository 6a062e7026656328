#include "core/error.h"

#include <system_error>

namespace cwp::core {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::parse:
      return "parse";
    case errc::io:
      return "io";
    case errc::network:
      return "network";
    case errc::timeout:
      return "timeout";
    case errc::tls:
      return "tls";
    case errc::http:
      return "http";
    case errc::aws:
      return "aws";
    case errc::credentials:
      return "credentials";
    case errc::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string describe_errno(int err) { return std::system_category().message(err); }

}  // namespace cwp::core
