#pragma once
// Credentials of the EC2 instance profile, from instance metadata (IMDSv2 only, see
// imds_client.h): the role name from /latest/meta-data/iam/security-credentials/, then that
// role's credentials document.

#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/credentials/imds_client.h"
#include "core/env.h"

namespace cwp::aws {

class imds_provider final : public credentials_provider {
 public:
  // `transport` and `clock` must outlive the provider. Settings are read from `env` on first use,
  // so a bad value is reported by get() rather than by the constructor.
  imds_provider(http::transport& transport, const core::clock& clock, core::environment env)
      : transport_(&transport), clock_(&clock), env_(std::move(env)) {}

  // "AWS_EC2_METADATA_DISABLED=true" when turned off, else nullopt.
  std::optional<std::string> disabled_reason() const;

  // Fails as imds_client::get does, or with errc::credentials when no role is attached or the
  // document's Code is not "Success", or errc::parse for a malformed document.
  core::result<credentials> get() override;

 private:
  http::transport* transport_;
  const core::clock* clock_;
  core::environment env_;
  std::unique_ptr<imds_client> client_;  // created by the first get()
};

}  // namespace cwp::aws
