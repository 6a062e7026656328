#pragma once
// The standard credentials chain of the AWS SDKs, assembled: environment, web identity from the
// environment, the shared config profile, the container endpoint, EC2 instance metadata; the
// first configured source wins, behind a refreshing cache.

#include <memory>

#include "aws/credentials.h"
#include "aws/sts_client.h"
#include "core/child_registry.h"
#include "core/clock.h"
#include "core/env.h"
#include "http/transport.h"
#include "logging/logger.h"

namespace cwp::aws {

// Everything the chain reaches for; all pointers must outlive the returned provider.
struct chain_dependencies {
  core::environment env;
  core::clock* clock{nullptr};
  http::transport* transport{nullptr};  // container and instance metadata requests
  // STS for AssumeRoleWithWebIdentity and AssumeRole: the process's client context (transport,
  // clock, skew, retry; its credentials field is ignored) and the regional STS endpoint.
  sts_target sts;
  const logging::logger* log{nullptr};  // optional: which source supplied credentials, refreshes
  core::child_registry* children{nullptr};  // where credential_process children are registered
};

// Instance metadata is asked only when no earlier source is configured, with one 1 s attempt per
// request (unless AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS say otherwise), so a host off
// EC2 learns "no credentials" within about a second. The result may be shared between threads:
// its cache serializes every call into the chain.
std::unique_ptr<credentials_provider> make_default_chain(const chain_dependencies& deps);

}  // namespace cwp::aws
