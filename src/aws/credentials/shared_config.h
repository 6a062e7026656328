#pragma once
// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials): where they
// are, which profile is selected, and that profile's settings with the SDKs' precedence rules.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/ini.h"
#include "core/env.h"
#include "core/error.h"

namespace cwp::aws {

// Bigger files are refused: these hold a few profiles, not megabytes.
inline constexpr std::size_t max_shared_file_bytes = std::size_t{1024} * 1024;

// One profile as found in both files. For the same key, the credentials file wins (botocore
// merges the credentials file over the config file).
struct profile {
  std::string name;
  ini_section from_credentials;  // "[name]" in the credentials file
  ini_section from_config;       // "[profile name]" ("[default]" for default) in the config file

  // The value of `key` (credentials file first); nullopt when absent or empty.
  std::optional<std::string> get(std::string_view key) const;
  std::optional<std::string> get_from_credentials_file(std::string_view key) const;
  std::optional<std::string> get_from_config_file(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }
};

struct shared_config {
  std::string config_path;  // after ~ expansion; empty when it needed HOME and HOME is unset
  std::string credentials_path;
  bool config_found{false};
  bool credentials_found{false};
  std::map<std::string, profile, std::less<>> profiles;

  const profile* find(std::string_view name) const;
  // "no ~/.aws/credentials, no ~/.aws/config" style text for "not configured" messages.
  std::string describe_files() const;
};

// Builds the profiles of two parsed files. Config sections count only as "[default]" or
// "[profile name]" ("[name]" without the prefix is ignored for other profiles, as in botocore);
// credentials sections are "[name]" only.
shared_config merge_shared_files(const ini_document& config, const ini_document& credentials);

// Reads AWS_CONFIG_FILE (default ~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (default
// ~/.aws/credentials), HOME taken from `env`. Missing files are not an error; an unreadable one
// is (errc::io naming it).
core::result<shared_config> load_shared_config(const core::environment& env);

// The selected profile: AWS_PROFILE, else the legacy AWS_DEFAULT_PROFILE, else "default".
struct profile_selection {
  std::string name;
  std::string source;  // "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "default"
  bool named_explicitly() const { return source != "default"; }
};
profile_selection selected_profile(const core::environment& env);

// `region` of the selected profile, for region resolution (after AWS_REGION and
// AWS_DEFAULT_REGION, before instance metadata). nullopt when the profile or the key is absent.
core::result<std::optional<std::string>> profile_region(const core::environment& env);

}  // namespace cwp::aws
