#include "support/scripted_platform.h"

namespace cwp::testing {

scripted_platform::scripted_platform(variables vars, core::sys_time start)
    : clock(start),
      platform_{.env = {},
                .clock = &clock,
                .sink = &sink,
                .transport = &transport,
                .credentials = nullptr,
                .uniform01 = [] { return 0.0; },
                .abandon = {},
                .children = &children} {
  set_environment(std::move(vars));
}

scripted_platform::~scripted_platform() = default;

void scripted_platform::set_environment(variables vars) {
  env_ = core::map_environment(std::move(vars));
  credentials_ = std::make_unique<aws::environment_provider>(env_);
  platform_.env = env_;
  platform_.credentials = credentials_.get();
}

aws::endpoint scripted_platform::local_endpoint(std::string_view service) {
  return aws::endpoint{*http::url::parse("http://127.0.0.1:9"), "us-east-1", std::string(service),
                       "test"};
}

daemon::aws_settings scripted_platform::local_aws(aws::retry_settings retry) {
  return {.logs_endpoint = local_endpoint("logs"),
          .sts_endpoint = local_endpoint("sts"),
          .retry = retry};
}

daemon::aws_clients& scripted_platform::assemble_aws(const daemon::aws_settings& s,
                                                     const logging::logger* retry_log) {
  publishing_.reset();
  aws_ = std::make_unique<daemon::aws_clients>(s, platform_, retry_log);
  return *aws_;
}

daemon::publishing& scripted_platform::assemble_publishing(const daemon::publishing_settings& s,
                                                           const logging::logger& log) {
  publishing_ = std::make_unique<daemon::publishing>(s, *aws_, platform_, log);
  return *publishing_;
}

}  // namespace cwp::testing
