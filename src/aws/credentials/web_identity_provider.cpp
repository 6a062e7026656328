#include "aws/credentials/web_identity_provider.h"

#include "core/text_file.h"

namespace cwp::aws {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

}  // namespace

std::optional<web_identity_settings> web_identity_provider::from_environment(
    const core::environment& env) {
  auto token_file = env.non_empty("AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!token_file) return std::nullopt;
  return web_identity_settings{*token_file, env.non_empty("AWS_ROLE_ARN").value_or(""),
                               env.non_empty("AWS_ROLE_SESSION_NAME"), "web_identity",
                               "AWS_ROLE_ARN"};
}

core::result<credentials> web_identity_provider::get() {
  if (settings_.role_arn.empty()) {
    return core::fail(core::errc::credentials, "web identity: a token file is configured (" +
                                                   settings_.token_file + ") but no role: set " +
                                                   settings_.role_arn_setting);
  }
  auto text = core::read_text_file(settings_.token_file, max_token_file_bytes);
  if (!text) {
    return core::fail(core::errc::credentials, "web identity token: " + text.error().message);
  }
  if (!*text) {
    return core::fail(core::errc::credentials,
                      "web identity token file " + settings_.token_file + " does not exist");
  }
  const std::string_view token = trim(**text);
  if (token.empty()) {
    return core::fail(core::errc::credentials,
                      "web identity token file " + settings_.token_file + " is empty");
  }

  web_identity_request request;
  request.role_arn = settings_.role_arn;
  request.role_session_name =
      settings_.role_session_name.value_or(default_role_session_name(clock_->now()));
  request.web_identity_token = std::string(token);
  auto c = sts_.client(nullptr).assume_role_with_web_identity(request);
  if (!c) {
    core::error e = c.error();
    e.message = "web identity (role " + settings_.role_arn + "): " + e.message;
    return tl::unexpected(std::move(e));
  }
  c->provider = settings_.provider_name;
  return c;
}

core::result<credentials> environment_web_identity_provider::get() {
  auto settings = web_identity_provider::from_environment(env_);
  if (!settings) {
    return core::fail(core::errc::credentials, "AWS_WEB_IDENTITY_TOKEN_FILE not set");
  }
  return web_identity_provider(std::move(*settings), sts_, *clock_).get();
}

}  // namespace cwp::aws
