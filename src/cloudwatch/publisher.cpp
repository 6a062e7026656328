#include "cloudwatch/publisher.h"

namespace cwp::cloudwatch {

core::result<void> publisher::ensure_group() {
  if (group_ready_) return {};
  auto created = client_->create_log_group(options_.log_group);
  if (!created) return tl::unexpected(created.error());
  if (*created) {
    log_->info("Created log group", {logging::kv("log_group", options_.log_group)});
    if (options_.retention_days) {
      auto r = client_->put_retention_policy(options_.log_group, *options_.retention_days);
      if (!r) return tl::unexpected(r.error());
    }
  }
  group_ready_ = true;
  return {};
}

core::result<void> publisher::ensure_stream(const std::string& stream) {
  if (streams_ready_.contains(stream)) return {};
  if (auto g = ensure_group(); !g) return g;
  auto created = client_->create_log_stream(options_.log_group, stream);
  if (!created) {
    if (created.error().remote_code != "ResourceNotFoundException") {
      return tl::unexpected(created.error());
    }
    // The group vanished since we cached it: create it again, then the stream.
    group_ready_ = false;
    if (auto g = ensure_group(); !g) return g;
    created = client_->create_log_stream(options_.log_group, stream);
    if (!created) return tl::unexpected(created.error());
  }
  if (*created) {
    log_->info("Created log stream",
               {logging::kv("log_group", options_.log_group), logging::kv("log_stream", stream)});
  }
  streams_ready_.insert(stream);
  return {};
}

core::result<put_result> publisher::publish(const std::string& stream,
                                            std::span<const log_event> events, bool emf) {
  if (auto ready = ensure_stream(stream); !ready) return tl::unexpected(ready.error());
  auto result = client_->put_log_events(options_.log_group, stream, events, emf);
  if (!result && result.error().remote_code == "ResourceNotFoundException") {
    group_ready_ = false;
    streams_ready_.erase(stream);
    if (auto ready = ensure_stream(stream); !ready) return tl::unexpected(ready.error());
    result = client_->put_log_events(options_.log_group, stream, events, emf);
  }
  return result;
}

}  // namespace cwp::cloudwatch
