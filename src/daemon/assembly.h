#pragma once
// The composition root: builds, from a platform and the few settings it needs, the object graph
// the commands run on. Every command (and every test of one) builds it here, and nothing else
// constructs an aws::client_context.
//
// Two stages, because a command must be able to stop after the first: aws_clients (signing
// clock, client context, STS and CloudWatch Logs clients: all `check` needs, and what `run`
// validates the credentials with before it touches the spool), then publishing on top of them
// (publisher, the optional disk journal, shipper).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "aws/clock_skew.h"
#include "aws/endpoints.h"
#include "aws/retry.h"
#include "aws/service_client.h"
#include "aws/sts_client.h"
#include "cloudwatch/logs_client.h"
#include "cloudwatch/publisher.h"
#include "cloudwatch/shipper.h"
#include "cloudwatch/spool_limits.h"
#include "daemon/platform.h"
#include "logging/logger.h"
#include "spool/journal.h"

namespace cwp::daemon {

// Where the AWS clients send, and how they retry.
struct aws_settings {
  aws::endpoint logs_endpoint;
  aws::endpoint sts_endpoint;
  aws::retry_settings retry;
};

// How one command watches its AWS calls; both are optional.
struct call_observers {
  // A decorator of the platform's transport (check: the Date of every answer; send: batches).
  http::transport* transport{nullptr};
  std::atomic<std::uint64_t>* retries{nullptr};  // counts attempts after the first
};

// The client context the AWS clients of one command share: transport, credentials, clocks,
// retry policy and quota, jitter, and `retry_log` (optional: a WARN line per retry). The
// credential chain's own STS calls use it too (before the chain exists p.credentials is null,
// which sts_target ignores).
aws::client_context make_client_context(const platform& p, aws::clock_skew& skew,
                                        const aws::retry_settings& retry,
                                        const logging::logger* retry_log,
                                        const call_observers& observers = {});

// Stage one: the AWS clients of one command, sharing retry quota and signing clock. Refers to
// the platform (and observers), which must outlive it; not copyable or movable.
class aws_clients {
 public:
  aws_clients(const aws_settings& s, const platform& p, const logging::logger* retry_log,
              const call_observers& observers = {});
  aws_clients(const aws_clients&) = delete;
  aws_clients& operator=(const aws_clients&) = delete;
  aws_clients(aws_clients&&) = delete;
  aws_clients& operator=(aws_clients&&) = delete;
  ~aws_clients() = default;

  aws::clock_skew skew;  // learned from the answers; shared by both clients
  aws::sts_client sts;
  cloudwatch::logs_client logs;
  // The same STS for asking again while it does not answer (`run`): one attempt, no retry
  // WARN lines, so an unreachable STS is one WARN (the first check's), not one per check.
  aws::sts_client sts_recheck;
};

// Where publishing delivers, and what it keeps.
struct publishing_settings {
  cloudwatch::publisher_options target;  // log group; retention for a group we create
  cloudwatch::spool_limits limits;
  std::string journal_dir;  // empty: undelivered events are kept in memory only
};

// Stage two: a publisher on the clients' CloudWatch Logs client and a shipper keeping what is
// not delivered yet, on disk when journal_dir is set. A journal directory that cannot be used is
// not fatal: one ERROR line, and events are kept in memory. A record torn by a crash is one WARN
// line, records damaged on disk one ERROR line. Refers to `clients`, `p` and `log`, which must
// outlive it.
class publishing {
 public:
  publishing(const publishing_settings& s, const aws_clients& clients, const platform& p,
             const logging::logger& log);
  publishing(const publishing&) = delete;
  publishing& operator=(const publishing&) = delete;
  publishing(publishing&&) = delete;
  publishing& operator=(publishing&&) = delete;
  ~publishing() = default;

  cloudwatch::publisher publisher;
  std::unique_ptr<spool::journal> journal;  // null: no journal_dir, or it cannot be used
  cloudwatch::shipper shipper;
};

}  // namespace cwp::daemon
