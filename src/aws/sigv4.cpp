#include "aws/sigv4.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "core/time_format.h"

namespace cwp::aws::sigv4 {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view scope_terminator = "aws4_request";
constexpr std::string_view security_token_header = "X-Amz-Security-Token";
// Length of YYYYMMDD, the date part of an X-Amz-Date value.
constexpr std::size_t datestamp_size = 8;

// botocore's list of headers never signed: hop-by-hop headers and those a proxy or the HTTP
// library may add, drop or rewrite after signing. Authorization carries the signature itself.
constexpr std::array<std::string_view, 12> unsigned_headers = {"authorization",
                                                               "connection",
                                                               "expect",
                                                               "keep-alive",
                                                               "proxy-authenticate",
                                                               "proxy-authorization",
                                                               "te",
                                                               "trailer",
                                                               "transfer-encoding",
                                                               "upgrade",
                                                               "user-agent",
                                                               "x-amzn-trace-id"};

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Space, tab and the CR/LF of obsolete line folding all collapse to one space in header values.
bool is_header_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// Percent-encodes every byte outside the unreserved set (and '/' when `keep_slash`), with
// upper-case hex as SigV4 requires.
void append_uri_encoded(std::string& out, std::string_view s, bool keep_slash) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  for (const char c : s) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += hex[byte >> 4U];
      out += hex[byte & 0x0FU];
    }
  }
}

std::string uri_encoded(std::string_view s) {
  std::string out;
  append_uri_encoded(out, s, false);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes %XX escapes. '+' stays a literal plus (SigV4 never treats it as a space), and a '%' not
// followed by two hex digits stays literal, so re-encoding turns it into %25.
std::string uri_decoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int high = hex_value(s[i + 1]);
      const int low = hex_value(s[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// RFC 3986 remove_dot_segments, plus dropping empty segments, which AWS requires ("//a//" is
// "/a/"). A trailing slash survives, and so does the directory a final "." or ".." names.
std::string normalized_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::string_view last;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    last = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (last == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!last.empty() && last != ".") {
      segments.push_back(last);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  const bool ends_as_directory = last.empty() || last == "." || last == "..";
  if (ends_as_directory && !segments.empty()) out += '/';
  return out;
}

std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (const char c : value) {
    if (is_header_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

bool is_signed(std::string_view lowercase_name) {
  return std::find(unsigned_headers.begin(), unsigned_headers.end(), lowercase_name) ==
         unsigned_headers.end();
}

}  // namespace

std::string signature_parts::redacted_canonical_request() const {
  static constexpr std::string_view token_line = "\nx-amz-security-token:";
  std::string out = canonical_request;
  const std::size_t line = out.find(token_line);
  if (line == std::string::npos) return out;
  const std::size_t value = line + token_line.size();
  const std::size_t end = out.find('\n', value);
  out.replace(value, end == std::string::npos ? std::string::npos : end - value, "<redacted>");
  return out;
}

std::string canonical_uri(std::string_view path, bool normalize_path) {
  if (path.empty()) return "/";
  std::string out;
  out.reserve(path.size());
  append_uri_encoded(out, normalize_path ? normalized_path(path) : std::string(path), true);
  return out;
}

std::string canonical_query_string(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    params.emplace_back(uri_encoded(uri_decoded(name)), uri_encoded(uri_decoded(value)));
  }
  // Sorting the encoded forms by byte value orders names first, then values of repeated names.
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

header_block canonical_headers(std::span<const http::header> headers) {
  std::vector<std::pair<std::string, std::string>> selected;
  selected.reserve(headers.size());
  for (const auto& h : headers) {
    std::string name = lowercase(h.name);
    if (is_signed(name)) selected.emplace_back(std::move(name), canonical_header_value(h.value));
  }
  // Stable, so repeated headers keep their request order when their values are joined.
  std::stable_sort(selected.begin(), selected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  header_block block;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const bool repeats_previous = i > 0 && selected[i].first == selected[i - 1].first;
    if (repeats_previous) {
      block.canonical_headers.back() = ',';
    } else {
      if (!block.signed_headers.empty()) block.signed_headers += ';';
      block.signed_headers += selected[i].first;
      block.canonical_headers += selected[i].first;
      block.canonical_headers += ':';
    }
    block.canonical_headers += selected[i].second;
    block.canonical_headers += '\n';
  }
  return block;
}

std::string payload_hash(std::string_view body) { return crypto::sha256_hex(body); }

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const header_block& headers,
                              std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              headers.canonical_headers.size() + headers.signed_headers.size() +
              payload_hash.size() + 5);
  out.append(method).append("\n");
  out.append(canonical_uri).append("\n");
  out.append(canonical_query).append("\n");
  // Each canonical header line ends with '\n', so an empty line follows the block.
  out.append(headers.canonical_headers).append("\n");
  out.append(headers.signed_headers).append("\n");
  out.append(payload_hash);
  return out;
}

std::string credential_scope(std::string_view datestamp, const scope& s) {
  std::string out(datestamp);
  out.append("/").append(s.region).append("/").append(s.service).append("/");
  out.append(scope_terminator);
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view credential_scope,
                           std::string_view canonical_request) {
  std::string out(algorithm);
  out.append("\n").append(amz_date).append("\n").append(credential_scope).append("\n");
  out.append(crypto::sha256_hex(canonical_request));
  return out;
}

crypto::bytes signing_key(std::string_view secret_access_key, std::string_view datestamp,
                          const scope& s) {
  const crypto::bytes date_key =
      crypto::hmac_sha256("AWS4" + std::string(secret_access_key), datestamp);
  const crypto::bytes region_key = crypto::hmac_sha256(date_key, s.region);
  const crypto::bytes service_key = crypto::hmac_sha256(region_key, s.service);
  return crypto::hmac_sha256(service_key, scope_terminator);
}

std::string signature(std::span<const std::uint8_t> signing_key, std::string_view string_to_sign) {
  return crypto::hex_encode(crypto::hmac_sha256(signing_key, string_to_sign));
}

std::string authorization_header(std::string_view access_key_id, std::string_view credential_scope,
                                 std::string_view signed_headers, std::string_view signature) {
  std::string out(algorithm);
  out.append(" Credential=").append(access_key_id).append("/").append(credential_scope);
  out.append(", SignedHeaders=").append(signed_headers);
  out.append(", Signature=").append(signature);
  return out;
}

signature_parts sign(http::request& req, const credentials& creds, const scope& s, core::sys_time t,
                     const options& opts) {
  // One instant for both X-Amz-Date and the scope date, so midnight cannot split them.
  const std::string amz_date = core::format_amz_date(t);
  const std::string_view datestamp = std::string_view(amz_date).substr(0, datestamp_size);

  if (!req.find_header("Host")) req.add_header("Host", req.target.host_header());
  req.set_header("X-Amz-Date", amz_date);
  std::erase_if(req.headers,
                [](const http::header& h) { return http::iequals(h.name, security_token_header); });
  const bool has_token = !creds.session_token.empty();
  if (has_token && !opts.omit_session_token) {
    req.add_header(std::string(security_token_header), creds.session_token);
  }
  const std::string body_hash =
      opts.body_hash.empty() ? payload_hash(req.body) : std::string(opts.body_hash);
  if (opts.sign_body) req.set_header("X-Amz-Content-Sha256", body_hash);

  const header_block headers = canonical_headers(req.headers);
  const std::string scope_text = credential_scope(datestamp, s);
  signature_parts parts;
  parts.canonical_request =
      canonical_request(req.method, canonical_uri(req.target.path, opts.normalize_path),
                        canonical_query_string(req.target.query), headers, body_hash);
  parts.string_to_sign = string_to_sign(amz_date, scope_text, parts.canonical_request);
  parts.signature =
      signature(signing_key(creds.secret_access_key, datestamp, s), parts.string_to_sign);

  req.set_header("Authorization", authorization_header(creds.access_key_id, scope_text,
                                                       headers.signed_headers, parts.signature));
  if (has_token && opts.omit_session_token) {
    req.add_header(std::string(security_token_header), creds.session_token);
  }
  return parts;
}

}  // namespace cwp::aws::sigv4
