#pragma once
// A command test's publishing graph on the scripted platform: static credentials, the local AWS
// settings, log group /g, and every call answered `200 {}` unless the test scripts otherwise.

#include <gtest/gtest.h>

#include <cstddef>

#include "support/scripted_platform.h"

namespace cwp::commands::fixture {

class publishing_test : public ::testing::Test, protected testing::scripted_platform {
 protected:
  publishing_test()
      : scripted_platform({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}}),
        published(publishing_of(*this, log)) {
    transport.otherwise([](const http::request&) -> core::result<http::response> {
      return http::response{200, {}, "{}"};
    });
  }

  // The PutLogEvents calls made so far (read when no delivery thread runs).
  std::size_t puts() const {
    std::size_t n = 0;
    for (const auto& r : transport.requests()) {
      if (r.find_header("X-Amz-Target") == "Logs_20140328.PutLogEvents") ++n;
    }
    return n;
  }

  logging::logger log{sink, clock, "cloudwatch-publisher"};
  daemon::publishing& published;

 private:
  static daemon::publishing& publishing_of(scripted_platform& world, const logging::logger& log) {
    world.assemble_aws(local_aws());
    return world.assemble_publishing(
        {.target = {.log_group = "/g"}, .limits = {}, .journal_dir = {}}, log);
  }
};

}  // namespace cwp::commands::fixture
