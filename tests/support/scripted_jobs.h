#pragma once
// A job service on the scripted platform: its jobs run as real processes (registered in
// `children`), their events go through `shipper` to the scripted CloudWatch Logs client, its log
// lines to `sink`. What the tests of the job service and of the crontab reload share.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cloudwatch/publisher.h"
#include "cloudwatch/shipper.h"
#include "daemon/job_service.h"
#include "support/scripted_logs.h"

namespace cwp::testing {

class scripted_jobs : public scripted_logs {
 public:
  // `jobs` on streams "job-{job}" of host "host", with `environment` as the daemon's own;
  // `output_ready` is called whenever a run has written events.
  std::unique_ptr<daemon::job_service> job_service_of(std::vector<jobs::job_spec> jobs,
                                                      std::vector<std::string> environment = {},
                                                      std::function<void()> output_ready = {}) {
    return std::make_unique<daemon::job_service>(
        daemon::job_service::parts{.jobs = std::move(jobs),
                                   .default_stream = "job-{job}",
                                   .default_max_output = 1 << 20,
                                   .stream_values = {"host", ""},
                                   .environment = std::move(environment),
                                   .boot_id = "boot",
                                   .source = {"host", std::nullopt},
                                   .shipper = &shipper,
                                   .children = &children,
                                   .clock = &clock,
                                   .log = &log,
                                   .output_ready = std::move(output_ready),
                                   .congested = {}});
  }

  logging::logger log{sink, clock, "cloudwatch-publisher"};
  cloudwatch::publisher publisher{logs, log, {"/g", std::nullopt}};
  cloudwatch::shipper shipper{publisher, log, clock};
};

}  // namespace cwp::testing
