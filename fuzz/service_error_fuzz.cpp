// libFuzzer target: an AWS error response, as any service, proxy or impostor may send it.
// Input: a first line with the HTTP status in decimal (anything else leaves it 0), then
// "Name: value" header lines up to the first empty line, then the body (JSON, XML, HTML, ...).
// parse_error_response must not crash and must describe the answer consistently: the status kept,
// an AWS error exactly when a code was found, and that code normalized (no namespace, no suffix, no
// surrounding blanks).

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/service_error.h"
#include "http/message.h"

namespace {

constexpr std::string_view operation = "PutLogEvents";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

cwp::http::response to_response(std::string_view input) {
  cwp::http::response response;
  const auto first_newline = input.find('\n');
  const std::string_view status = input.substr(0, first_newline);
  std::from_chars(status.data(), status.data() + status.size(), response.status);
  input = first_newline == std::string_view::npos ? std::string_view{}
                                                  : input.substr(first_newline + 1);
  while (!input.empty()) {
    const auto newline = input.find('\n');
    std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    const auto colon = line.find(':');
    response.headers.push_back({std::string(trim(line.substr(0, colon))),
                                colon == std::string_view::npos
                                    ? std::string{}
                                    : std::string(trim(line.substr(colon + 1)))});
  }
  response.body = std::string(input);
  return response;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const cwp::http::response response = to_response(input);
  const cwp::core::error e = cwp::aws::parse_error_response(response, operation);

  if (e.http_status != response.status) std::abort();
  if (!e.message.starts_with(std::string(operation) + " failed: ")) std::abort();
  if (e.message.find("(HTTP " + std::to_string(response.status)) == std::string::npos) {
    std::abort();
  }
  const std::string& code = e.remote_code;
  if ((e.code == cwp::core::errc::aws) == code.empty()) std::abort();
  if (e.code != cwp::core::errc::aws && e.code != cwp::core::errc::http) std::abort();
  if (!code.empty()) {
    if (code.find_first_of(":#") != std::string::npos || is_blank(code.front()) ||
        is_blank(code.back())) {
      std::abort();
    }
  }
  if (cwp::aws::normalize_error_code(code) != code) std::abort();
  if (const auto header = response.find_header("x-amzn-ErrorType")) {
    if (code != cwp::aws::normalize_error_code(*header)) std::abort();
  }
  return 0;
}
