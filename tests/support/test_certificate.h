#pragma once
// Self-signed certificates made at test time with the OpenSSL API, and a temporary PEM file to
// hand to beast_transport as its CA bundle. No certificate is checked into the tree.

#include <filesystem>
#include <string>
#include <vector>

namespace cwp::testing {

struct test_certificate {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed CA certificate (P-256 key, valid from an hour ago for a day) whose
// subjectAltName lists `alt_names` in OpenSSL syntax: "IP:127.0.0.1", "DNS:localhost".
test_certificate make_self_signed_certificate(const std::vector<std::string>& alt_names);

// A file holding `contents`, removed when this object is destroyed.
class temp_file {
 public:
  explicit temp_file(const std::string& contents);
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cwp::testing
