#include "daemon/assembly.h"

namespace cwp::daemon {
namespace {

std::unique_ptr<spool::journal> open_journal(const std::string& dir, const logging::logger& log) {
  if (dir.empty()) return nullptr;
  auto journal = spool::journal::open(dir);
  if (!journal) {
    log.error("Cannot use the spool directory; undelivered events are kept in memory only: " +
                  journal.error().message,
              {logging::kv("spool_dir", dir)});
    return nullptr;
  }
  const auto& loaded = (*journal)->loaded();
  if (loaded.torn_segments > 0) {
    log.warn("The spool held a record torn by a crash; skipped it (it was never acknowledged)",
             {logging::kv("spool_dir", dir),
              logging::kv("ignored_bytes", static_cast<long long>(loaded.ignored_bytes))});
  }
  if (loaded.damaged_records > 0) {
    log.error(
        "The spool held records damaged on disk; skipped them (an event among them is lost, "
        "one they marked delivered is sent again)",
        {logging::kv("spool_dir", dir),
         logging::kv("damaged_records", static_cast<long long>(loaded.damaged_records)),
         logging::kv("damaged_bytes", static_cast<long long>(loaded.damaged_bytes))});
  }
  return std::move(*journal);
}

// One attempt, no retry log; the quota, clocks and transport stay shared.
aws::client_context quiet(aws::client_context context) {
  context.retry.max_attempts = 1;
  context.log = nullptr;
  return context;
}

}  // namespace

aws::client_context make_client_context(const platform& p, aws::clock_skew& skew,
                                        const aws::retry_settings& retry,
                                        const logging::logger* retry_log,
                                        const call_observers& observers) {
  return aws::client_context{
      .transport = observers.transport != nullptr ? observers.transport : p.transport,
      .credentials = p.credentials,
      .clock = p.clock,
      .skew = &skew,
      .retry = retry,
      .quota = std::make_shared<aws::retry_quota>(),
      .uniform01 = p.uniform01,
      .timeouts = http::send_options{},
      .log = retry_log,
      .retries = observers.retries,
  };
}

aws_clients::aws_clients(const aws_settings& s, const platform& p, const logging::logger* retry_log,
                         const call_observers& observers)
    : skew(*p.clock),
      sts(aws::service_client(make_client_context(p, skew, s.retry, retry_log, observers),
                              s.sts_endpoint)),
      // The same context: one retry quota and one signing clock for the process's AWS calls.
      logs(aws::service_client(sts.transport_client().context(), s.logs_endpoint)),
      sts_recheck(aws::service_client(quiet(sts.transport_client().context()), s.sts_endpoint)) {}

publishing::publishing(const publishing_settings& s, const aws_clients& clients, const platform& p,
                       const logging::logger& log)
    : publisher(clients.logs, log, s.target),
      journal(open_journal(s.journal_dir, log)),
      shipper(publisher, log, *p.clock, s.limits, journal.get()) {}

}  // namespace cwp::daemon
