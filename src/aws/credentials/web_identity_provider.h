#pragma once
// Credentials for a role assumed with a web identity token (EKS IRSA, any OIDC federation):
// STS AssumeRoleWithWebIdentity, sent unsigned to the regional STS endpoint. The token file is
// read again on every get() because the kubelet rotates it.

#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "core/clock.h"
#include "core/env.h"

namespace cwp::aws {

struct web_identity_settings {
  std::string token_file;
  std::string role_arn;  // empty = misconfigured: get() fails naming `role_arn_setting`
  std::optional<std::string> role_session_name;  // default: default_role_session_name(now)
  std::string provider_name;                     // credentials::provider, e.g. "web_identity"
  std::string role_arn_setting;  // what sets the role, for messages: "AWS_ROLE_ARN", ...
};

class web_identity_provider final : public credentials_provider {
 public:
  // Token files are a few KiB (STS accepts up to 20000 characters).
  static constexpr std::size_t max_token_file_bytes = std::size_t{64} * 1024;

  // `clock` must outlive the provider.
  web_identity_provider(web_identity_settings settings, sts_target sts, const core::clock& clock)
      : settings_(std::move(settings)), sts_(std::move(sts)), clock_(&clock) {}

  // AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME]; nullopt when
  // AWS_WEB_IDENTITY_TOKEN_FILE is unset (the source is not configured). A token file without
  // a role is configured but fails on get(), as in botocore.
  static std::optional<web_identity_settings> from_environment(const core::environment& env);

  // Fails with errc::credentials for a missing role or an unreadable/empty token file; STS
  // failures keep their code (network, timeout, aws) with the role named in the message.
  core::result<credentials> get() override;

 private:
  web_identity_settings settings_;
  sts_target sts_;
  const core::clock* clock_;
};

// Web identity as configured by AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN /
// AWS_ROLE_SESSION_NAME, read on every get() like the other environment sources.
class environment_web_identity_provider final : public credentials_provider {
 public:
  environment_web_identity_provider(core::environment env, sts_target sts, const core::clock& clock)
      : env_(std::move(env)), sts_(std::move(sts)), clock_(&clock) {}

  // True when AWS_WEB_IDENTITY_TOKEN_FILE is set (the chain then stops here).
  bool configured() const { return env_.non_empty("AWS_WEB_IDENTITY_TOKEN_FILE").has_value(); }
  core::result<credentials> get() override;

 private:
  core::environment env_;
  sts_target sts_;
  const core::clock* clock_;
};

}  // namespace cwp::aws
