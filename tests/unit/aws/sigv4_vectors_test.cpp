// The official AWS SigV4 test suites, read at run time from CWP_SIGV4_VECTORS_DIR: botocore's
// copy of aws4_testsuite and aws-c-auth's re-expression of it. One named test per case folder.
// A missing or empty folder fails the guard test (and gtest's check for an empty
// instantiation); nothing is skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "aws/sigv4.h"
#include "core/time_format.h"

namespace cwp::aws::sigv4 {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view aws4_suite = "aws4_testsuite";
constexpr std::string_view c_auth_suite = "aws-c-auth-v4";

// Fixed inputs of every aws4_testsuite case (its .req files carry neither keys nor scope).
constexpr std::string_view fixed_access_key_id = "AKIDEXAMPLE";
constexpr std::string_view fixed_secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const scope fixed_scope{"us-east-1", "service"};
const core::sys_time fixed_time =
    std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} + 12h + 36min;

fs::path vectors_root() { return fs::path(CWP_SIGV4_VECTORS_DIR); }

struct vector_case {
  fs::path dir;      // the case folder
  std::string name;  // test name: the path below the suite folder, '-' and '/' as '_'
};

void PrintTo(const vector_case& c, std::ostream* os) { *os << c.dir.string(); }

std::string test_name(const fs::path& relative) {
  std::string name = relative.generic_string();
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

// Every folder below `suite` that has no subfolder: each must be a case.
std::vector<fs::path> leaf_folders(const fs::path& suite) {
  std::vector<fs::path> leaves;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(suite, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    const bool has_subfolder =
        std::any_of(fs::directory_iterator(it->path()), fs::directory_iterator(),
                    [](const fs::directory_entry& e) { return e.is_directory(); });
    if (!has_subfolder) leaves.push_back(it->path());
  }
  std::sort(leaves.begin(), leaves.end());
  return leaves;
}

// aws4_testsuite: a case is a folder holding <folder name>.req.
// aws-c-auth-v4: a case is a folder holding context.json.
std::vector<vector_case> discover(std::string_view suite_name) {
  const fs::path suite = vectors_root() / suite_name;
  std::vector<vector_case> cases;
  for (const fs::path& dir : leaf_folders(suite)) {
    const fs::path marker =
        suite_name == aws4_suite ? dir / (dir.filename().string() + ".req") : dir / "context.json";
    std::error_code ec;
    if (fs::is_regular_file(marker, ec)) {
      cases.push_back(vector_case{dir, test_name(fs::relative(dir, suite))});
    }
  }
  return cases;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A raw HTTP/1.1 request as the suites write it: "METHOD target HTTP/1.1", then "Name:value"
// lines where a line starting with a space or tab continues the previous value (obsolete line
// folding, kept as is for the signer to unfold), a blank line, and the body. The target may
// contain spaces (get-space), so the version is split off at the last space.
http::request parse_request(std::string_view text) {
  http::request req;
  std::size_t pos = 0;
  auto next_line = [&]() -> std::optional<std::string_view> {
    if (pos >= text.size()) return std::nullopt;
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };

  const auto request_line = next_line();
  if (!request_line) throw std::runtime_error("empty request");
  const std::size_t method_end = request_line->find(' ');
  const std::size_t version_start = request_line->rfind(' ');
  if (method_end == std::string_view::npos || version_start <= method_end) {
    throw std::runtime_error("bad request line: " + std::string(*request_line));
  }
  req.method = std::string(request_line->substr(0, method_end));
  const std::string_view target =
      request_line->substr(method_end + 1, version_start - method_end - 1);
  const std::size_t question = target.find('?');
  req.target.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos)
    req.target.query = std::string(target.substr(question + 1));

  while (const auto line = next_line()) {
    if (line->empty()) break;
    if (line->front() == ' ' || line->front() == '\t') {
      if (req.headers.empty()) throw std::runtime_error("continuation before any header");
      req.headers.back().value += "\n" + std::string(*line);
      continue;
    }
    const std::size_t colon = line->find(':');
    if (colon == std::string_view::npos)
      throw std::runtime_error("bad header: " + std::string(*line));
    req.add_header(std::string(line->substr(0, colon)), std::string(line->substr(colon + 1)));
  }
  if (pos < text.size()) req.body = std::string(text.substr(pos));

  req.target.scheme = "https";
  req.target.port = 443;
  req.target.host = req.find_header("Host").value_or("");
  return req;
}

// The value of the first `name:` line in `text` (canonical request or raw request).
std::optional<std::string> line_value(std::string_view text, std::string_view name) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, end - pos);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        http::iequals(line.substr(0, name.size()), name)) {
      std::string_view value = line.substr(name.size() + 1);
      if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
      return std::string(value);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string> header_values(const http::request& req, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& h : req.headers) {
    if (http::iequals(h.name, name)) values.push_back(h.value);
  }
  return values;
}

TEST(SigV4Vectors, DiscoversEveryCaseFolderOfBothSuites) {
  const fs::path root = vectors_root();
  ASSERT_TRUE(fs::is_directory(root))
      << root << " is missing: set the CMake cache variable CWP_SIGV4_VECTORS_DIR";
  for (const std::string_view suite : {aws4_suite, c_auth_suite}) {
    const std::size_t folders = leaf_folders(root / suite).size();
    const std::size_t cases = discover(suite).size();
    EXPECT_GT(folders, 0U) << (root / suite) << " holds no case folders";
    EXPECT_GE(cases, folders) << suite << ": a case folder was not recognised as a case";
  }
}

class SigV4Aws4Testsuite : public testing::TestWithParam<vector_case> {};

// The token of a case is the x-amz-security-token line of its .creq (signed); a token only in
// the .sreq was added after signing (post-sts-header-after). The .sreq of
// get-vanilla-with-session-token carries a wrong signature, so .sreq is read for nothing else.
TEST_P(SigV4Aws4Testsuite, MatchesCanonicalRequestStringToSignAndAuthorization) {
  const fs::path& dir = GetParam().dir;
  const std::string base = dir.filename().string();
  const auto expected = [&](std::string_view ext) {
    return read_file(dir / (base + std::string(ext)));
  };
  const std::string expected_creq = expected(".creq");
  const std::string signed_request = expected(".sreq");

  credentials creds;
  creds.access_key_id = std::string(fixed_access_key_id);
  creds.secret_access_key = std::string(fixed_secret_key);
  options opts;
  if (const auto token = line_value(expected_creq, "x-amz-security-token")) {
    creds.session_token = *token;
  } else if (const auto late_token = line_value(signed_request, "X-Amz-Security-Token")) {
    creds.session_token = *late_token;
    opts.omit_session_token = true;
  }

  http::request req = parse_request(expected(".req"));
  const signature_parts parts = sign(req, creds, fixed_scope, fixed_time, opts);

  EXPECT_EQ(parts.canonical_request, expected_creq);
  EXPECT_EQ(parts.string_to_sign, expected(".sts"));
  EXPECT_EQ(req.find_header("Authorization"), expected(".authz"));
  EXPECT_EQ(header_values(req, "X-Amz-Date"), std::vector<std::string>{"20150830T123600Z"});
  if (!creds.session_token.empty()) {
    EXPECT_EQ(header_values(req, "X-Amz-Security-Token"),
              std::vector<std::string>{creds.session_token});
  }
}

class SigV4AwsCAuthSuite : public testing::TestWithParam<vector_case> {};

TEST_P(SigV4AwsCAuthSuite, MatchesCanonicalRequestStringToSignAndSignature) {
  const fs::path& dir = GetParam().dir;
  const nlohmann::json context = nlohmann::json::parse(read_file(dir / "context.json"));

  credentials creds;
  creds.access_key_id = context.at("credentials").at("access_key_id").get<std::string>();
  creds.secret_access_key = context.at("credentials").at("secret_access_key").get<std::string>();
  creds.session_token = context.at("credentials").value("token", "");
  const scope s{context.at("region").get<std::string>(), context.at("service").get<std::string>()};
  const auto t = core::parse_iso8601(context.at("timestamp").get<std::string>());
  ASSERT_TRUE(t.has_value()) << "bad timestamp in context.json";
  options opts;
  opts.normalize_path = context.at("normalize").get<bool>();
  opts.sign_body = context.at("sign_body").get<bool>();
  opts.omit_session_token = context.value("omit_session_token", false);

  http::request req = parse_request(read_file(dir / "request.txt"));
  const signature_parts parts = sign(req, creds, s, *t, opts);

  const std::string expected_signature = read_file(dir / "header-signature.txt");
  EXPECT_EQ(parts.canonical_request, read_file(dir / "header-canonical-request.txt"));
  EXPECT_EQ(parts.string_to_sign, read_file(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(parts.signature, expected_signature);
  const auto authorization = req.find_header("Authorization");
  ASSERT_TRUE(authorization.has_value());
  EXPECT_TRUE(authorization->ends_with(", Signature=" + expected_signature)) << *authorization;
}

std::string case_name(const testing::TestParamInfo<vector_case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Vectors, SigV4Aws4Testsuite, testing::ValuesIn(discover(aws4_suite)),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Vectors, SigV4AwsCAuthSuite, testing::ValuesIn(discover(c_auth_suite)),
                         case_name);

}  // namespace
}  // namespace cwp::aws::sigv4
