#pragma once
// One scripted world for the tests of daemon/, commands/ and cloudwatch/: a fake clock, a
// scripted transport, a capturing sink, a map environment and the credentials it names
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), handed to the code under test as a
// daemon::platform, the way cli hands in the real world. assemble_aws() and assemble_publishing()
// build the object graph with the commands' assembly (daemon/assembly.h), so no test builds a
// client context by hand. Fixtures inherit it or hold one.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials/environment_provider.h"
#include "aws/endpoints.h"
#include "core/child_registry.h"
#include "core/env.h"
#include "daemon/assembly.h"
#include "daemon/platform.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace cwp::testing {

using variables = std::map<std::string, std::string, std::less<>>;

class scripted_platform {
 public:
  explicit scripted_platform(variables vars = {}, core::sys_time start = fake_clock::default_start);
  scripted_platform(const scripted_platform&) = delete;
  scripted_platform& operator=(const scripted_platform&) = delete;
  scripted_platform(scripted_platform&&) = delete;
  scripted_platform& operator=(scripted_platform&&) = delete;
  ~scripted_platform();

  // Replaces the process environment the code under test sees, and so its credentials.
  void set_environment(variables vars);
  const core::environment& env() const { return env_; }
  daemon::platform& platform() { return platform_; }

  // http://127.0.0.1:9 as the endpoint of `service` in us-east-1 (nothing listens there: the
  // scripted transport answers).
  static aws::endpoint local_endpoint(std::string_view service);
  // Both services at local_endpoint.
  static daemon::aws_settings local_aws(aws::retry_settings retry = {});

  // A command's object graph on this platform, built by the assembly and owned here (a second
  // call replaces the first). assemble_publishing() builds on the clients of assemble_aws().
  daemon::aws_clients& assemble_aws(const daemon::aws_settings& s,
                                    const logging::logger* retry_log = nullptr);
  daemon::publishing& assemble_publishing(const daemon::publishing_settings& s,
                                          const logging::logger& log);
  daemon::aws_clients& clients() { return *aws_; }

  fake_clock clock;
  scripted_transport transport;
  capturing_sink sink;
  core::child_registry children;

 private:
  core::environment env_;
  std::unique_ptr<aws::environment_provider> credentials_;
  daemon::platform platform_;
  std::unique_ptr<daemon::publishing> publishing_;  // refers to aws_: destroyed first
  std::unique_ptr<daemon::aws_clients> aws_;
};

}  // namespace cwp::testing
