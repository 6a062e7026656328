#pragma once
// The heartbeat event: a JSON message saying "this host was alive at time T". Each carries a
// unique id (boot id + sequence) because CloudWatch cannot deduplicate: a retry after an
// ambiguous failure may store an event twice, and readers deduplicate on the id.

#include <cstdint>
#include <optional>
#include <string>

#include "cloudwatch/emf.h"
#include "cloudwatch/logs_client.h"
#include "core/clock.h"

namespace cwp::cloudwatch {

struct heartbeat_source {
  std::string host;
  std::string version;
  std::string schedule;  // the schedule text, so a reader knows the expected cadence
  std::string boot_id;   // random per process start
  core::sys_time started;
  std::optional<emf_settings> emf;  // set: heartbeats are EMF documents with a Heartbeat metric
};

struct heartbeat {
  std::uint64_t sequence{0};
  core::sys_time scheduled;  // the event's timestamp: when it was due, not when it was sent
};

// {"event":"heartbeat","status":"alive","service":"cloudwatch-publisher","host":...,
//  "version":...,"sequence":N,"id":"<boot>-<N>","timestamp":"...Z","uptime_s":...,
//  "schedule":...}
// With source.emf, the same document also carries the dimension values, "Heartbeat":1 and the
// "_aws" metadata (see emf.h); such events must be sent with the EMF header.
log_event make_heartbeat_event(const heartbeat_source& source, const heartbeat& beat);

// 16 random hex digits.
std::string new_boot_id();

}  // namespace cwp::cloudwatch
