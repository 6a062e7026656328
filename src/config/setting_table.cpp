// The settings table: every setting's flag, environment variable, default and --help text (the
// documentation's settings table is checked against it by tests/integration/test_readme.py).

#include <algorithm>

#include "config/settings.h"

namespace cwp::config {
namespace {

const std::vector<setting_info> table = {
    {setting::log_group, "--log-group", "CWP_LOG_GROUP", "/monorepo-fem/heartbeat",
     "CloudWatch Logs group to publish to (created if missing, unless CWP_CREATE_LOG_GROUP=false)"},
    {setting::log_stream, "--log-stream", "CWP_LOG_STREAM", "heartbeat-{date}",
     "Log stream name template: {date} (UTC YYYY-MM-DD of the event), {hostname}, "
     "{instance_id}"},
    {setting::region, "--region", "AWS_REGION", "ap-southeast-2",
     "AWS region (also read from AWS_DEFAULT_REGION)"},
    {setting::schedule, "--schedule", "CWP_SCHEDULE", "*/1 * * * *",
     "When `run` publishes: 5-field cron (UTC), @hourly, @daily, or @every <duration>; off: no "
     "heartbeats, only the crontab's jobs"},
    {setting::splay, "--splay", "CWP_SPLAY", "0",
     "Random delay added to each scheduled heartbeat, e.g. 0-30s (spreads a fleet's calls)"},
    {setting::log_level, "--log-level", "CWP_LOG_LEVEL", "info",
     "Our own log lines: debug, info, warn or error"},
    {setting::hostname, "--hostname", "CWP_HOSTNAME", "$HOSTNAME or the system host name",
     "Host name reported in heartbeats and used by {hostname}"},
    {setting::instance_id, "--instance-id", "CWP_INSTANCE_ID", "EC2 instance metadata",
     "Value of {instance_id} in stream templates; when unset it is asked from EC2 instance "
     "metadata (IMDSv2), and only if a template uses {instance_id}"},
    {setting::spool_dir, "--spool-dir", "CWP_SPOOL_DIR", "none: memory only",
     "Directory of the crash-safe spool: undelivered events survive restarts and crashes"},
    {setting::spool_max_events, "--spool-max-events", "CWP_SPOOL_MAX_EVENTS", "100000",
     "Most undelivered events kept; beyond it the oldest are dropped (and counted)"},
    {setting::spool_max_bytes, "--spool-max-bytes", "CWP_SPOOL_MAX_BYTES", "32MiB",
     "Most bytes of undelivered events kept (message + 26 bytes each), e.g. 64MiB"},
    {setting::max_event_bytes, "--max-event-bytes", "CWP_MAX_EVENT_BYTES", "1MiB",
     "Largest event `send` makes, message + 26 bytes (CloudWatch's limit); longer lines are "
     "split. 256KiB for a partition still on the old limit"},
    {setting::emf_namespace, "--emf-namespace", "CWP_EMF_NAMESPACE", "",
     "CloudWatch metric namespace: when set, heartbeats are written in Embedded Metric Format "
     "with a Heartbeat metric (for an alarm on missing heartbeats)"},
    {setting::emf_dimensions, "--emf-dimensions", "CWP_EMF_DIMENSIONS", "LogGroup,Host",
     "Dimensions of the Heartbeat metric: LogGroup, Host, or Name=value, comma-separated "
     "(at most 30)"},
    {setting::retention_days, "--retention-days", "CWP_RETENTION_DAYS", "",
     "Retention in days set on the log group when we create it (1, 3, 5, 7, 14, 30, ... 3653)"},
    {setting::log_group_class, "--log-group-class", "CWP_LOG_GROUP_CLASS", "STANDARD",
     "Log class of the log group when we create it: STANDARD or INFREQUENT_ACCESS (cheaper, "
     "but no metrics from EMF: not with CWP_EMF_NAMESPACE)"},
    {setting::kms_key_id, "--kms-key-id", "CWP_KMS_KEY_ID", "",
     "ARN of the KMS key that encrypts the log group when we create it"},
    {setting::log_group_tags, "--log-group-tags", "CWP_LOG_GROUP_TAGS", "",
     "Tags of the log group when we create it: key=value,key=value (at most 50)"},
    {setting::create_log_group, "--create-log-group", "CWP_CREATE_LOG_GROUP", "true",
     "false: never create the log group (it must exist; no logs:CreateLogGroup needed)"},
    {setting::health_file, "--health-file", "CWP_HEALTH_FILE",
     "/run/cloudwatch-publisher/health.json, or under $XDG_RUNTIME_DIR for non-root users",
     "State file `run` writes after each delivery attempt and `health` reads"},
    {setting::send_stream, "--stream", "CWP_SEND_STREAM", "send-{date}",
     "Log stream name template for `send` (same placeholders as --log-stream)"},
    {setting::crontab, "--crontab", "CWP_CRONTAB", "",
     "Crontab file of jobs (docs/jobs.md); `alarm` and `dashboard` watch its jobs"},
    {setting::job_stream, "--job-stream", "CWP_JOB_STREAM", "job-{job}-{date}",
     "Log stream template of a job's output and results: {job} (the job's name) and the "
     "placeholders of --log-stream"},
    {setting::job_max_output, "--job-max-output", "CWP_JOB_MAX_OUTPUT", "16MiB",
     "Output published per run of a job (more is counted, not published), e.g. 64MiB"},
    {setting::stop_grace, "--stop-grace", "CWP_STOP_GRACE", "10s",
     "On SIGTERM, how long running jobs get to end after their SIGTERM before SIGKILL"},
    {setting::send_concurrency, "--send-concurrency", "CWP_SEND_CONCURRENCY", "4",
     "PutLogEvents calls `send` keeps in flight at once, 1 to 16 (1: one batch at a time, in "
     "order)"},
};

}  // namespace

const std::vector<setting_info>& known_settings() { return table; }

const setting_info& info(setting id) {
  return *std::find_if(table.begin(), table.end(), [&](const auto& s) { return s.id == id; });
}

}  // namespace cwp::config
