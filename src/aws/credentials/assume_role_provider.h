#pragma once
// Credentials for a role assumed with other credentials (a profile's role_arn with
// source_profile or credential_source): STS AssumeRole signed with the source provider's
// credentials.

#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "core/clock.h"

namespace cwp::aws {

struct assume_role_settings {
  std::string role_arn;
  std::optional<std::string> role_session_name;  // default: default_role_session_name(now)
  std::optional<std::string> external_id;
  std::optional<int> duration_seconds;
  std::string provider_name;  // credentials::provider, e.g. "profile:prod:assume_role"
};

class assume_role_provider final : public credentials_provider {
 public:
  // Owns `source`; `clock` must outlive the provider.
  assume_role_provider(assume_role_settings settings, std::unique_ptr<credentials_provider> source,
                       sts_target sts, const core::clock& clock)
      : settings_(std::move(settings)),
        source_(std::move(source)),
        sts_(std::move(sts)),
        clock_(&clock) {}

  // A failure keeps the STS or source error code, with the role named in the message.
  core::result<credentials> get() override;
  void invalidate() override { source_->invalidate(); }

 private:
  assume_role_settings settings_;
  std::unique_ptr<credentials_provider> source_;
  sts_target sts_;
  const core::clock* clock_;
};

}  // namespace cwp::aws
