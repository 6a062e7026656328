#pragma once
// AWS Signature Version 4, header-based (AWS4-HMAC-SHA256), for services other than S3.
//
// The signer is split into the stages AWS documents (canonical request, string to sign, signing
// key, signature), each a pure function, so a test or a log line can name the stage that went
// wrong. sign() composes them and is what the AWS clients call. Nothing here does I/O or reads
// the clock: the signing time is an argument.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/crypto.h"
#include "core/clock.h"
#include "http/message.h"

namespace cwp::aws::sigv4 {

// Where a signature is valid: the credential scope without its date.
struct scope {
  std::string region;   // e.g. "us-east-1"; must match the endpoint's region
  std::string service;  // signing name, e.g. "logs" or "sts"
};

struct options {
  // Remove "." and ".." segments (RFC 3986 remove_dot_segments) and collapse repeated slashes
  // before encoding the path. Every service except S3 expects this.
  bool normalize_path = true;
  // Append X-Amz-Security-Token after signing instead of signing it: the legacy behaviour some
  // services accepted (vector post-sts-header-after). Do not use it against current services.
  bool omit_session_token = false;
  // Add X-Amz-Content-Sha256 with the payload hash and sign it, as aws-c-auth's sign_body does.
  bool sign_body = false;
  // The payload hash when the caller computed it already (a retry of the same body: the body is
  // hashed once however often it is signed). Empty: sign() hashes req.body.
  std::string_view body_hash{};
};

// The two header-derived lines of the canonical request, computed from one header selection.
struct header_block {
  std::string canonical_headers;  // "name:value\n" per signed header, sorted by name
  std::string signed_headers;     // the same names joined by ';', e.g. "host;x-amz-date"
};

// What sign() computed, for diagnosing an InvalidSignatureException. None of it contains the
// secret key, but canonical_request contains the session token when one was signed: log
// redacted_canonical_request() instead.
struct signature_parts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // 64 lowercase hex characters

  // canonical_request with the value of its x-amz-security-token line replaced by "<redacted>".
  std::string redacted_canonical_request() const;
};

// --- Stages ---------------------------------------------------------------------------------

// The path as it goes on the wire (already percent-encoded once), normalized when asked, then
// percent-encoded again byte by byte except unreserved characters and '/'. Empty becomes "/".
std::string canonical_uri(std::string_view path, bool normalize_path);

// The query as it goes on the wire (without '?'): each name and value percent-decoded and
// re-encoded, pairs sorted by name then value, "key" without '=' becoming "key=".
std::string canonical_query_string(std::string_view query);

// Every header except those a proxy or HTTP library may rewrite (and Authorization): names
// lowercased, values trimmed with whitespace runs and obsolete line folding collapsed to one
// space, repeated names joined with ',' in request order.
header_block canonical_headers(std::span<const http::header> headers);

// Lowercase hex SHA-256 of the exact body bytes.
std::string payload_hash(std::string_view body);

// The six canonical-request lines joined by '\n'.
std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const header_block& headers,
                              std::string_view payload_hash);

// "<datestamp>/<region>/<service>/aws4_request"; datestamp is YYYYMMDD.
std::string credential_scope(std::string_view datestamp, const scope& s);

// "AWS4-HMAC-SHA256\n<amz_date>\n<credential scope>\n<hex SHA-256 of the canonical request>".
std::string string_to_sign(std::string_view amz_date, std::string_view credential_scope,
                           std::string_view canonical_request);

// The HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request". The result is as
// sensitive as the secret for that day, region and service.
crypto::bytes signing_key(std::string_view secret_access_key, std::string_view datestamp,
                          const scope& s);

// Lowercase hex HMAC-SHA256 of the string to sign under the signing key.
std::string signature(std::span<const std::uint8_t> signing_key, std::string_view string_to_sign);

// "AWS4-HMAC-SHA256 Credential=<akid>/<scope>, SignedHeaders=<names>, Signature=<hex>".
std::string authorization_header(std::string_view access_key_id, std::string_view credential_scope,
                                 std::string_view signed_headers, std::string_view signature);

// --- Entry point ----------------------------------------------------------------------------

// Signs `req` in place for time `t`. The caller sets Host (added from req.target when missing)
// and every other header to sign before calling, and must not change the request afterwards.
// sign() owns X-Amz-Date, X-Amz-Security-Token, Authorization and (with sign_body)
// X-Amz-Content-Sha256: existing values are replaced, so a retry simply signs again with a new
// time. The session token is added and signed when creds.session_token is non-empty.
signature_parts sign(http::request& req, const credentials& creds, const scope& s, core::sys_time t,
                     const options& opts = {});

}  // namespace cwp::aws::sigv4
