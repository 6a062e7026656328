#pragma once
// A CloudWatch Logs client on a scripted transport and a fake clock, signing with fixed test keys
// for 127.0.0.1: what the cloudwatch unit tests share. Fixtures inherit it and script
// `transport`, move `clock` and call through `logs`.

#include <memory>

#include "aws/clock_skew.h"
#include "aws/credentials/environment_provider.h"
#include "aws/retry.h"
#include "aws/service_client.h"
#include "cloudwatch/logs_client.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace cwp::testing {

class scripted_logs {
 public:
  explicit scripted_logs(aws::retry_settings retry = {})
      : logs(aws::service_client(
            aws::client_context{&transport,
                                &credentials_,
                                &clock,
                                &skew_,
                                retry,
                                std::make_shared<aws::retry_quota>(),
                                [] { return 0.0; },
                                {},
                                nullptr},
            aws::endpoint{*http::url::parse("http://127.0.0.1:9"), "us-east-1", "logs", "test"})) {}

  fake_clock clock;
  scripted_transport transport;

 private:
  aws::environment_provider credentials_{
      core::map_environment({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}})};
  aws::clock_skew skew_{clock};

 public:
  cloudwatch::logs_client logs;
};

}  // namespace cwp::testing
