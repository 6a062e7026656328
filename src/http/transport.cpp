#include "http/transport.h"

#include "http/redaction.h"

namespace cwp::http {

core::result<response> transport::send(const request& req, const send_options& options) {
  auto answer = round_trip(req, options);
  const secret_set secrets = secret_set::of(req);
  if (answer) {
    secrets.scrub(*answer);
  } else {
    answer.error().message = secrets.scrub(answer.error().message);
  }
  return answer;
}

}  // namespace cwp::http
