#pragma once
// Turns an AWS error response (JSON 1.1 or query/XML) into a core::error carrying the error
// code, message, HTTP status and request id, with the code normalized as the SDKs do.

#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace cwp::aws {

// "com.amazonaws.logs#ResourceNotFoundException" -> "ResourceNotFoundException";
// "ThrottlingException:http://internal..." -> "ThrottlingException".
std::string normalize_error_code(std::string_view raw);

// Parses a non-2xx response. The error's message reads
// "<operation> failed: <Code>: <message> (HTTP <status>, request id <id>)".
// Bodies are parsed by their shape, not their content type: CloudWatch Logs answers JSON, STS
// (and moto's auth layer, for every service) answers XML, proxies answer HTML.
core::error parse_error_response(const http::response& response, std::string_view operation);

}  // namespace cwp::aws
