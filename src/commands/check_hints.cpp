#include "commands/check_hints.h"

#include "aws/retry.h"

namespace cwp::commands {

bool is_access_denied(const core::error& e) {
  return e.remote_code == "AccessDenied" || e.remote_code == "AccessDeniedException";
}

bool is_unreachable(const core::error& e) {
  return e.code == core::errc::network || e.code == core::errc::timeout ||
         e.code == core::errc::tls;
}

bool is_rejected_credentials_code(std::string_view code) {
  return code == "SignatureDoesNotMatch" || code == "InvalidSignatureException" ||
         code == "IncompleteSignature" || code == "InvalidClientTokenId" ||
         code == "UnrecognizedClientException" || aws::is_expired_credentials_code(code);
}

std::string unreachable_hint(const core::error& e, const aws::endpoint& ep,
                             std::string_view override_variable) {
  const std::string url = ep.url.origin();
  if (e.code == core::errc::tls) {
    return "the TLS connection to " + url +
           " failed: check AWS_CA_BUNDLE or the system CA certificates, and a proxy that "
           "intercepts TLS (HTTPS_PROXY, NO_PROXY)";
  }
  std::string hint = "could not reach " + url +
                     ": check network access, DNS, firewall and proxy settings (HTTPS_PROXY, "
                     "NO_PROXY)";
  if (ep.source != "default") {
    hint += "; the endpoint comes from " + ep.source + ": check that this URL is right";
  } else {
    hint +=
        "; to use another endpoint set " + std::string(override_variable) + " or AWS_ENDPOINT_URL";
  }
  return hint;
}

std::string rejected_hint(const core::error& e, std::string_view masked_key) {
  const std::string& code = e.remote_code;
  if (code == "SignatureDoesNotMatch" || code == "InvalidSignatureException" ||
      code == "IncompleteSignature") {
    return "AWS rejected the signature: the secret access key does not belong to access key " +
           std::string(masked_key) +
           "; check the key pair (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
           "aws_access_key_id and aws_secret_access_key in the profile)";
  }
  if (code == "InvalidClientTokenId" || code == "UnrecognizedClientException") {
    return "AWS does not know access key " + std::string(masked_key) +
           ": it was deleted or deactivated, belongs to another account or partition, or "
           "temporary credentials are missing their session token (AWS_SESSION_TOKEN); use an "
           "active key or a role";
  }
  if (aws::is_expired_credentials_code(code)) {
    return "the session token has expired: refresh the temporary credentials, or let the "
           "publisher use a role it refreshes itself (IRSA, Pod Identity, ECS task role, "
           "instance profile)";
  }
  if (is_access_denied(e)) {
    return "allow sts:GetCallerIdentity: the publisher validates its credentials with it at "
           "start";
  }
  return "check that the access key is active, that a session token has not expired, and that "
         "the host clock is correct";
}

std::string no_credentials_hint() {
  return "provide credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus "
         "AWS_SESSION_TOKEN for temporary ones), or set AWS_PROFILE to a profile in "
         "~/.aws/credentials or ~/.aws/config, or run with a role (EKS IRSA or Pod Identity, ECS "
         "task role, EC2 instance profile)";
}

std::string mask_access_key(std::string_view access_key_id) {
  constexpr std::size_t shown = 4;
  if (access_key_id.size() <= shown * 2) return "****";
  return "****" + std::string(access_key_id.substr(access_key_id.size() - shown));
}

std::string log_group_arn(std::string_view partition, std::string_view region,
                          std::string_view account, std::string_view group) {
  return "arn:" + std::string(partition) + ":logs:" + std::string(region) + ":" +
         std::string(account) + ":log-group:" + std::string(group) + ":*";
}

}  // namespace cwp::commands
