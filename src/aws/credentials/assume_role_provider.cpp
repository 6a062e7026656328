#include "aws/credentials/assume_role_provider.h"

namespace cwp::aws {

core::result<credentials> assume_role_provider::get() {
  assume_role_request request;
  request.role_arn = settings_.role_arn;
  request.role_session_name =
      settings_.role_session_name.value_or(default_role_session_name(clock_->now()));
  request.external_id = settings_.external_id;
  request.duration_seconds = settings_.duration_seconds;
  auto c = sts_.client(source_.get()).assume_role(request);
  if (!c) {
    core::error e = c.error();
    e.message = "assume role " + settings_.role_arn + ": " + e.message;
    return tl::unexpected(std::move(e));
  }
  c->provider = settings_.provider_name;
  return c;
}

}  // namespace cwp::aws
