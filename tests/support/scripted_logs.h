#pragma once
// A CloudWatch Logs client on the scripted platform (fake clock, scripted transport), signing
// with fixed test keys for 127.0.0.1: what the cloudwatch unit tests share. Fixtures inherit it
// and script `transport`, move `clock` and call through `logs`.

#include "aws/retry.h"
#include "cloudwatch/logs_client.h"
#include "support/scripted_platform.h"
#include "support/scripted_transport.h"

namespace cwp::testing {

// What a first PutLogEvents into a new log group meets: the put refused (no such stream), then
// CreateLogStream refused (no such group). Publishing goes on with CreateLogGroup.
inline void respond_missing_stream_and_group(scripted_transport& transport) {
  const std::vector<http::header> not_found{{"x-amzn-ErrorType", "ResourceNotFoundException"}};
  transport.respond(400, "{}", not_found).respond(400, "{}", not_found);
}

class scripted_logs : public scripted_platform {
 public:
  explicit scripted_logs(aws::retry_settings retry = {})
      : scripted_platform({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}}),
        logs(assemble_aws(local_aws(retry)).logs) {}

  const cloudwatch::logs_client& logs;
};

}  // namespace cwp::testing
