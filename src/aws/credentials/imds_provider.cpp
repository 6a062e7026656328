#include "aws/credentials/imds_provider.h"

#include <nlohmann/json.hpp>

#include "aws/credentials/json_credentials.h"

namespace cwp::aws {
namespace {

constexpr std::string_view roles_path = "/latest/meta-data/iam/security-credentials/";

}  // namespace

std::optional<std::string> imds_provider::disabled_reason() const {
  auto settings = imds_settings::from_environment(env_);
  if (settings && settings->disabled) return std::string("AWS_EC2_METADATA_DISABLED=true");
  return std::nullopt;
}

core::result<credentials> imds_provider::get() {
  if (!client_) {
    auto settings = imds_settings::from_environment(env_);
    if (!settings) return core::fail(core::errc::credentials, settings.error().message);
    if (settings->disabled) {
      return core::fail(core::errc::credentials,
                        "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)");
    }
    client_ = std::make_unique<imds_client>(*transport_, *clock_, std::move(*settings));
  }
  auto roles = client_->get(roles_path);
  if (!roles) {
    core::error e = roles.error();
    if (e.http_status == 404) {
      e.code = core::errc::credentials;
      e.message = "no IAM role is attached to this EC2 instance (" + e.message + ")";
    }
    return tl::unexpected(std::move(e));
  }
  const std::string role = roles->substr(0, roles->find_first_of("\r\n"));
  if (role.empty()) {
    return core::fail(core::errc::credentials, "no IAM role is attached to this EC2 instance");
  }
  auto body = client_->get(std::string(roles_path) + role);
  if (!body) return tl::unexpected(body.error());

  const std::string where = "EC2 instance metadata credentials of role " + role;
  const auto doc = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  const auto code = doc.is_object() ? doc.find("Code") : doc.end();
  if (code == doc.end() || !code->is_string()) {
    return core::fail(core::errc::parse, where + ": the document has no Code");
  }
  if (code->get<std::string>() != "Success") {
    return core::fail(
        core::errc::credentials,
        where + ": Code is " + code->get<std::string>().substr(0, 64) + ", not Success");
  }
  auto c = parse_json_credentials(*body, imds_json, where);
  if (!c) return c;
  c->provider = "imds";
  return c;
}

}  // namespace cwp::aws
