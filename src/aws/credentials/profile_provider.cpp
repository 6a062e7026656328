#include "aws/credentials/profile_provider.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "aws/credentials/assume_role_provider.h"
#include "aws/credentials/container_provider.h"
#include "aws/credentials/environment_provider.h"
#include "aws/credentials/imds_provider.h"
#include "aws/credentials/process_provider.h"
#include "aws/credentials/web_identity_provider.h"

namespace cwp::aws {
namespace {

using provider_ptr = std::unique_ptr<credentials_provider>;

// Keys whose presence means the profile describes credentials (others, such as region, do not).
constexpr std::array<std::string_view, 10> credential_keys{
    "aws_access_key_id", "aws_secret_access_key",   "role_arn",           "source_profile",
    "credential_source", "web_identity_token_file", "credential_process", "sso_session",
    "sso_start_url",     "sso_account_id"};

// Valid STS DurationSeconds bounds (role maximums may be lower; STS then says so).
constexpr int min_duration_seconds = 900;
constexpr int max_duration_seconds = 43200;

// Static keys, already read.
class fixed_provider final : public credentials_provider {
 public:
  explicit fixed_provider(credentials c) : c_(std::move(c)) {}
  core::result<credentials> get() override { return c_; }

 private:
  credentials c_;
};

core::error config_error(const std::string& message) {
  return core::error{core::errc::credentials, message};
}

bool has_static_keys(const profile& p) {
  return p.has("aws_access_key_id") || p.has("aws_secret_access_key");
}

// Static keys from one file's section of the profile.
core::result<provider_ptr> static_keys(const profile& p, const ini_section& section,
                                       const std::string& file) {
  const auto value = [&section](std::string_view key) -> std::optional<std::string> {
    const auto it = section.find(key);
    if (it == section.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  auto key = value("aws_access_key_id");
  auto secret = value("aws_secret_access_key");
  if (!key || !secret) {
    return tl::unexpected(config_error("profile " + p.name + " in " + file + " sets " +
                                       (key ? "aws_access_key_id but not aws_secret_access_key"
                                            : "aws_secret_access_key but not aws_access_key_id")));
  }
  credentials c;
  c.access_key_id = *key;
  c.secret_access_key = *secret;
  c.session_token = value("aws_session_token").value_or("");
  c.provider = "profile:" + p.name;
  return provider_ptr(std::make_unique<fixed_provider>(std::move(c)));
}

bool has_any(const ini_section& section, std::initializer_list<std::string_view> keys) {
  return std::any_of(keys.begin(), keys.end(), [&section](std::string_view k) {
    const auto it = section.find(k);
    return it != section.end() && !it->second.empty();
  });
}

std::string join_path(const std::vector<std::string>& names, const std::string& last) {
  std::string out;
  for (const auto& n : names) out += n + " -> ";
  return out + last;
}

}  // namespace

std::optional<std::string> profile_provider::not_configured_reason() const {
  auto files = load_shared_config(deps_.env);
  if (!files) return std::nullopt;
  const profile_selection selected = selected_profile(deps_.env);
  const profile* p = files->find(selected.name);
  if (p == nullptr) {
    if (selected.named_explicitly()) return std::nullopt;
    return "profile " + selected.name + ": " +
           (files->credentials_found || files->config_found ? "not in " : "") +
           files->describe_files();
  }
  const bool configured = std::any_of(credential_keys.begin(), credential_keys.end(),
                                      [p](std::string_view k) { return p->has(k); });
  if (!configured) return "profile " + selected.name + " has no credentials settings";
  return std::nullopt;
}

core::result<credentials> profile_provider::get() {
  auto files = load_shared_config(deps_.env);
  if (!files) return tl::unexpected(config_error("shared config: " + files.error().message));
  const profile_selection selected = selected_profile(deps_.env);
  if (files->find(selected.name) == nullptr) {
    return tl::unexpected(config_error(
        "profile " + selected.name +
        (selected.named_explicitly() ? " (from " + selected.source + ")" : std::string()) +
        " not found: " + files->describe_files()));
  }
  std::vector<std::string> visited;
  auto provider = resolve(*files, selected.name, visited, /*as_source=*/false);
  if (!provider) return tl::unexpected(provider.error());
  return (*provider)->get();
}

core::result<provider_ptr> profile_provider::resolve(const shared_config& files,
                                                     const std::string& name,
                                                     std::vector<std::string>& visited,
                                                     bool as_source) const {
  const profile* p = files.find(name);
  if (p == nullptr) {
    const std::string referrer = visited.empty() ? "" : " of profile " + visited.back();
    return tl::unexpected(config_error("source_profile " + name + referrer +
                                       " not found: " + files.describe_files()));
  }
  const bool web_identity = p->has("web_identity_token_file");
  // A source profile with static keys supplies those keys even if it also has a role_arn
  // (botocore), which is how "source_profile = itself" works.
  if (p->has("role_arn") && !web_identity && !(as_source && has_static_keys(*p))) {
    return resolve_role(files, *p, visited);
  }
  if (web_identity) {
    web_identity_settings s{*p->get("web_identity_token_file"), p->get("role_arn").value_or(""),
                            p->get("role_session_name"), "profile:" + p->name + ":web_identity",
                            "role_arn in profile " + p->name};
    return provider_ptr(
        std::make_unique<web_identity_provider>(std::move(s), deps_.sts, *deps_.clock));
  }
  if (has_any(p->from_credentials, {"aws_access_key_id", "aws_secret_access_key"})) {
    return static_keys(*p, p->from_credentials, files.credentials_path);
  }
  if (auto command = p->get("credential_process")) {
    return provider_ptr(
        std::make_unique<process_provider>(*command, p->name, deps_.env, *deps_.children));
  }
  if (has_any(p->from_config, {"aws_access_key_id", "aws_secret_access_key"})) {
    return static_keys(*p, p->from_config, files.config_path);
  }
  if (p->has("sso_session") || p->has("sso_start_url") || p->has("sso_account_id")) {
    return tl::unexpected(config_error(
        "profile " + p->name +
        " uses IAM Identity Center (sso_*), which this program does not support; use a role, "
        "static keys or credential_process"));
  }
  return tl::unexpected(
      config_error((as_source ? "source profile " : "profile ") + p->name + " has no credentials"));
}

core::result<provider_ptr> profile_provider::resolve_role(const shared_config& files,
                                                          const profile& p,
                                                          std::vector<std::string>& visited) const {
  const auto source_profile = p.get("source_profile");
  const auto credential_source = p.get("credential_source");
  if (source_profile && credential_source) {
    return tl::unexpected(
        config_error("profile " + p.name + " sets both source_profile and credential_source"));
  }
  if (!source_profile && !credential_source) {
    return tl::unexpected(config_error("profile " + p.name +
                                       " sets role_arn but neither source_profile nor "
                                       "credential_source"));
  }

  assume_role_settings settings;
  settings.role_arn = *p.get("role_arn");
  settings.role_session_name = p.get("role_session_name");
  settings.external_id = p.get("external_id");
  settings.provider_name = "profile:" + p.name + ":assume_role";
  if (auto duration = p.get("duration_seconds")) {
    int seconds = 0;
    const auto* end = duration->data() + duration->size();
    const auto parsed = std::from_chars(duration->data(), end, seconds);
    if (parsed.ec != std::errc{} || parsed.ptr != end || seconds < min_duration_seconds ||
        seconds > max_duration_seconds) {
      return tl::unexpected(config_error("profile " + p.name + ": duration_seconds '" + *duration +
                                         "' is not a number of seconds in 900..43200"));
    }
    settings.duration_seconds = seconds;
  }

  provider_ptr source;
  if (source_profile) {
    visited.push_back(p.name);
    if (std::find(visited.begin(), visited.end(), *source_profile) != visited.end()) {
      const profile* target = files.find(*source_profile);
      // Only a profile naming itself and holding static keys may repeat (botocore's rule).
      if (*source_profile != p.name || target == nullptr || !has_static_keys(*target)) {
        return tl::unexpected(
            config_error("source_profile cycle: " + join_path(visited, *source_profile)));
      }
    }
    auto resolved = resolve(files, *source_profile, visited, /*as_source=*/true);
    if (!resolved) return resolved;
    source = std::move(*resolved);
  } else if (*credential_source == "Environment") {
    source = std::make_unique<environment_provider>(deps_.env);
  } else if (*credential_source == "Ec2InstanceMetadata") {
    source = std::make_unique<imds_provider>(*deps_.transport, *deps_.clock, deps_.env);
  } else if (*credential_source == "EcsContainer") {
    source = std::make_unique<container_provider>(deps_.env, *deps_.transport, *deps_.clock);
  } else {
    return tl::unexpected(config_error("profile " + p.name + ": credential_source '" +
                                       *credential_source +
                                       "' is not one of Environment, Ec2InstanceMetadata, "
                                       "EcsContainer"));
  }
  return provider_ptr(std::make_unique<assume_role_provider>(std::move(settings), std::move(source),
                                                             deps_.sts, *deps_.clock));
}

}  // namespace cwp::aws
