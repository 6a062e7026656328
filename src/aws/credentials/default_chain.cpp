#include "aws/credentials/default_chain.h"

#include "aws/credentials/caching_provider.h"
#include "aws/credentials/chain_provider.h"
#include "aws/credentials/container_provider.h"
#include "aws/credentials/environment_provider.h"
#include "aws/credentials/imds_provider.h"
#include "aws/credentials/profile_provider.h"
#include "aws/credentials/web_identity_provider.h"

namespace cwp::aws {
namespace {

using reason = std::optional<std::string>;

}  // namespace

std::unique_ptr<credentials_provider> make_default_chain(const chain_dependencies& deps) {
  std::vector<chain_provider::link> links;

  auto environment = std::make_unique<environment_provider>(deps.env);
  const auto* env_source = environment.get();
  links.push_back({"environment", std::move(environment), [env_source]() -> reason {
                     if (env_source->configured()) return std::nullopt;
                     return "AWS_ACCESS_KEY_ID not set";
                   }});

  auto web_identity =
      std::make_unique<environment_web_identity_provider>(deps.env, deps.sts, *deps.clock);
  const auto* web_identity_source = web_identity.get();
  links.push_back({"web identity", std::move(web_identity), [web_identity_source]() -> reason {
                     if (web_identity_source->configured()) return std::nullopt;
                     return "AWS_WEB_IDENTITY_TOKEN_FILE not set";
                   }});

  auto profile = std::make_unique<profile_provider>(
      profile_dependencies{deps.env, deps.clock, deps.transport, deps.sts, deps.children});
  const auto* profile_source = profile.get();
  links.push_back({"shared config files", std::move(profile),
                   [profile_source] { return profile_source->not_configured_reason(); }});

  auto container = std::make_unique<container_provider>(deps.env, *deps.transport, *deps.clock);
  const auto* container_source = container.get();
  links.push_back({"container", std::move(container), [container_source]() -> reason {
                     if (container_source->configured()) return std::nullopt;
                     return "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set";
                   }});

  auto imds = std::make_unique<imds_provider>(*deps.transport, *deps.clock, deps.env);
  const auto* imds_source = imds.get();
  links.push_back({"EC2 instance metadata", std::move(imds),
                   [imds_source] { return imds_source->disabled_reason(); },
                   /*failure_is_absence=*/true});

  return std::make_unique<caching_provider>(std::make_unique<chain_provider>(std::move(links)),
                                            *deps.clock, deps.log);
}

}  // namespace cwp::aws
