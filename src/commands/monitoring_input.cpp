#include "commands/monitoring_input.h"

#include "commands/crontab_file.h"
#include "schedule/duration.h"

namespace cwp::commands {

core::result<monitoring::deployment> read_deployment(const config::settings& s,
                                                     const logging::logger& log) {
  // Without EMF no metric exists, so an alarm would sit in ALARM from the start: a silently
  // wrong answer. Better to say what is missing.
  if (!s.emf) {
    return core::fail(core::errc::invalid_argument,
                      "the alarms and the dashboard watch the metrics of EMF heartbeats and job "
                      "results, and EMF is off: set CWP_EMF_NAMESPACE (--emf-namespace), e.g. "
                      "CloudWatchPublisher, here and on the publisher, with the same "
                      "CWP_EMF_DIMENSIONS");
  }
  monitoring::deployment d{s.region, s.log_group, *s.emf, s.schedule, s.splay.max(), {}};
  if (s.crontab.empty()) return d;
  auto crontab = load_crontab(s.crontab);
  if (!crontab) return tl::unexpected(crontab.error());
  for (const auto& warning : crontab->warnings) log.warn(warning);
  for (const auto& job : crontab->jobs) d.jobs.push_back({job.name, job.schedule, job.timeout});
  return d;
}

core::result<std::chrono::seconds> parse_grace(std::string_view text) {
  auto grace = schedule::parse_duration(text);
  if (!grace) return core::fail(core::errc::invalid_argument, "--grace: " + grace.error().message);
  const auto whole = std::chrono::ceil<std::chrono::seconds>(*grace);
  if (whole > monitoring::max_grace) {
    return core::fail(core::errc::invalid_argument,
                      "--grace: '" + std::string(text) + "' is longer than 24h");
  }
  return whole;
}

}  // namespace cwp::commands
