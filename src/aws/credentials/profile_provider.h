#pragma once
// Credentials from the selected profile of the shared config and credentials files: static
// keys, a role assumed from a source_profile or credential_source, a web identity token file,
// or a credential_process. The files are read again on every get(), so edits are seen at the
// next refresh.

#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/credentials/shared_config.h"
#include "aws/sts_client.h"
#include "core/child_registry.h"
#include "core/clock.h"
#include "core/env.h"
#include "http/transport.h"

namespace cwp::aws {

struct profile_dependencies {
  core::environment env;                // AWS_PROFILE, file locations, HOME; process environment
  core::clock* clock{nullptr};          // session names, retry pacing (must outlive the provider)
  http::transport* transport{nullptr};  // credential_source instance metadata / container
  sts_target sts;                       // AssumeRole and AssumeRoleWithWebIdentity
  core::child_registry* children{nullptr};  // credential_process children (must outlive it)
};

class profile_provider final : public credentials_provider {
 public:
  explicit profile_provider(profile_dependencies deps) : deps_(std::move(deps)) {}

  // Why the chain should skip the shared files ("profile default: no /root/.aws/credentials,
  // no /root/.aws/config", "profile default has no credentials settings"), or nullopt when the
  // selected profile configures credentials, or is named by AWS_PROFILE and missing, or a file
  // cannot be read (get() then reports it).
  std::optional<std::string> not_configured_reason() const;

  // Fails with errc::credentials naming the profile and the setting at fault: a missing
  // profile, half-set keys, role_arn without (or with both) source_profile and
  // credential_source, a source_profile cycle, SSO settings (not supported); errors of the
  // underlying STS calls, endpoints and processes are passed on.
  core::result<credentials> get() override;

 private:
  core::result<std::unique_ptr<credentials_provider>> resolve(const shared_config& files,
                                                              const std::string& name,
                                                              std::vector<std::string>& visited,
                                                              bool as_source) const;
  core::result<std::unique_ptr<credentials_provider>> resolve_role(
      const shared_config& files, const profile& p, std::vector<std::string>& visited) const;

  profile_dependencies deps_;
};

}  // namespace cwp::aws
