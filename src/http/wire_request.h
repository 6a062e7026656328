#pragma once
// A transport request rendered for Boost.Beast, checked on the way: the method and every header
// must be valid HTTP, and the body's length is the transport's to state (never chunked: the
// signature covers the exact bytes). The body is referred to, not copied.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>

#include "core/error.h"
#include "http/message.h"
#include "http/route.h"

namespace cwp::http {

using wire_request = boost::beast::http::request<boost::beast::http::span_body<const char>>;

// `req` as Beast writes it on `r` (origin form, or the absolute URL for a plain-HTTP proxy, with
// its Proxy-Authorization). Refers to req.body, which must outlive the result. Error messages
// name headers, never their values.
core::result<wire_request> to_wire(const request& req, const route& r);

}  // namespace cwp::http
