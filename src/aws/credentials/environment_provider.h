#pragma once
// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (legacy alias
// AWS_SECURITY_TOKEN), read on every get() so a SIGHUP-reloaded environment is seen.

#include "aws/credentials.h"
#include "core/env.h"

namespace cwp::aws {

class environment_provider final : public credentials_provider {
 public:
  explicit environment_provider(core::environment env) : env_(std::move(env)) {}

  // Fails with errc::credentials when either key is missing, naming the variable: only one of
  // the pair set is a misconfiguration worth reporting, as botocore does.
  core::result<credentials> get() override;

  // True when at least one of the key variables is set (the chain then stops here).
  bool configured() const;

 private:
  core::environment env_;
};

}  // namespace cwp::aws
