#include "cloudwatch/logs_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cloudwatch/event_json.h"

namespace cwp::cloudwatch {
namespace {

using json = nlohmann::ordered_json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Reads rejectedLogEventsInfo index `key` when present.
std::optional<std::size_t> index_of(const nlohmann::json& info, const char* key) {
  const auto it = info.find(key);
  if (it == info.end() || !it->is_number_integer()) return std::nullopt;
  const auto v = it->get<long long>();
  if (v < 0) return std::nullopt;
  return static_cast<std::size_t>(v);
}

// Lists the "name" field of every object in body[list]: one page of a Describe* answer.
core::result<name_page> parse_names(std::string_view body, const char* operation, const char* list,
                                    const char* name) {
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return core::fail(core::errc::parse,
                      std::string(operation) + ": the response is not a JSON object");
  }
  name_page page;
  if (const auto items = j.find(list); items != j.end() && items->is_array()) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      if (const auto n = item.find(name); n != item.end() && n->is_string()) {
        page.names.push_back(n->get<std::string>());
      }
    }
  }
  if (const auto token = j.find("nextToken"); token != j.end() && token->is_string()) {
    page.next_token = token->get<std::string>();
  }
  return page;
}

// Describe* pages are sorted by name, so the exact name (the shortest with that prefix) is on
// the first page; the bound only stops a service that keeps handing out tokens.
constexpr int max_describe_pages = 20;

// Pages through a Describe* answer (`fetch` a page by its token, `parse` its names) until
// `name` is listed, the pages end, or max_describe_pages were read.
template <class Fetch, class Parse>
core::result<bool> listed_in_pages(std::string_view name, Fetch fetch, Parse parse) {
  std::string token;
  for (int page = 0; page < max_describe_pages; ++page) {
    auto r = fetch(token);
    if (!r) return tl::unexpected(r.error());
    auto names = parse(r->body);
    if (!names) return tl::unexpected(names.error());
    if (std::find(names->names.begin(), names->names.end(), name) != names->names.end()) {
      return true;
    }
    if (names->next_token.empty()) break;
    token = std::move(names->next_token);
  }
  return false;
}
// The largest page DescribeLogGroups and DescribeLogStreams allow.
constexpr int describe_page_limit = 50;

}  // namespace

std::string describe_log_groups_body(std::string_view prefix, std::string_view next_token) {
  json j{{"logGroupNamePrefix", prefix}, {"limit", describe_page_limit}};
  if (!next_token.empty()) j["nextToken"] = next_token;
  return dump(j);
}

std::string describe_log_streams_body(std::string_view group, std::string_view prefix,
                                      std::string_view next_token) {
  json j{{"logGroupName", group}, {"logStreamNamePrefix", prefix}, {"limit", describe_page_limit}};
  if (!next_token.empty()) j["nextToken"] = next_token;
  return dump(j);
}

core::result<name_page> parse_describe_log_groups(std::string_view body) {
  return parse_names(body, "DescribeLogGroups", "logGroups", "logGroupName");
}

core::result<name_page> parse_describe_log_streams(std::string_view body) {
  return parse_names(body, "DescribeLogStreams", "logStreams", "logStreamName");
}

std::string create_log_group_body(std::string_view group, const log_group_options& options) {
  json j{{"logGroupName", group}};
  if (options.log_class) j["logGroupClass"] = to_string(*options.log_class);
  if (!options.kms_key_id.empty()) j["kmsKeyId"] = options.kms_key_id;
  if (!options.tags.empty()) j["tags"] = options.tags;
  return dump(j);
}

core::result<std::optional<log_group_info>> parse_log_group_info(std::string_view body,
                                                                 std::string_view group) {
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return core::fail(core::errc::parse, "DescribeLogGroups: the response is not a JSON object");
  }
  const auto items = j.find("logGroups");
  if (items == j.end() || !items->is_array()) return std::nullopt;
  for (const auto& item : *items) {
    if (!item.is_object() || item.value("logGroupName", std::string()) != group) continue;
    log_group_info info{"STANDARD", {}};
    if (const auto c = item.find("logGroupClass"); c != item.end() && c->is_string()) {
      info.log_class = c->get<std::string>();
    }
    if (const auto k = item.find("kmsKeyId"); k != item.end() && k->is_string()) {
      info.kms_key_id = k->get<std::string>();
    }
    return info;
  }
  return std::nullopt;
}

std::string create_log_stream_body(std::string_view group, std::string_view stream) {
  return dump(json{{"logGroupName", group}, {"logStreamName", stream}});
}

std::string put_retention_policy_body(std::string_view group, int days) {
  return dump(json{{"logGroupName", group}, {"retentionInDays", days}});
}

std::string put_log_events_body(std::string_view group, std::string_view stream,
                                std::span<const log_event> events) {
  return put_log_events_json(group, stream, events);
}

core::result<put_result> parse_put_log_events(std::string_view body, std::size_t sent) {
  put_result r;
  r.accepted = sent;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return r;
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return core::fail(core::errc::parse, "PutLogEvents: the response is not a JSON object");
  }
  const auto info = j.find("rejectedLogEventsInfo");
  if (info == j.end() || !info->is_object()) return r;
  // tooOldLogEventEndIndex / expiredLogEventEndIndex name the LAST rejected index (inclusive):
  // that is how AWS's own Amplify clients and moto read them. tooNewLogEventStartIndex is the
  // first rejected index. The ranges overlap only in pathological answers: clamp.
  std::size_t old_end = 0;  // events [0, old_end) rejected as too old or expired
  if (auto i = index_of(*info, "expiredLogEventEndIndex")) {
    r.expired = std::min(*i + 1, sent);
    old_end = r.expired;
  }
  if (auto i = index_of(*info, "tooOldLogEventEndIndex")) {
    const std::size_t end = std::min(*i + 1, sent);
    r.too_old = end > old_end ? end - old_end : 0;
    old_end = std::max(old_end, end);
  }
  if (auto i = index_of(*info, "tooNewLogEventStartIndex")) {
    const std::size_t start = std::max(std::min(*i, sent), old_end);
    r.too_new = sent - start;
  }
  r.accepted = sent - r.rejected();
  return r;
}

core::result<http::response> logs_client::call(std::string_view operation, std::string body,
                                               bool emf) const {
  http::request req;
  req.method = "POST";
  req.add_header("Content-Type", "application/x-amz-json-1.1");
  req.add_header("X-Amz-Target", "Logs_20140328." + std::string(operation));
  if (emf) req.add_header("x-amzn-logs-format", "json/emf");
  req.body = std::move(body);
  return client_.call(operation, std::move(req));
}

core::result<bool> logs_client::create_log_group(std::string_view group,
                                                 const log_group_options& options) const {
  auto r = call("CreateLogGroup", create_log_group_body(group, options));
  if (r) return true;
  if (r.error().remote_code == "ResourceAlreadyExistsException") return false;
  return tl::unexpected(r.error());
}

core::result<bool> logs_client::create_log_stream(std::string_view group,
                                                  std::string_view stream) const {
  auto r = call("CreateLogStream", create_log_stream_body(group, stream));
  if (r) return true;
  if (r.error().remote_code == "ResourceAlreadyExistsException") return false;
  return tl::unexpected(r.error());
}

core::result<void> logs_client::put_retention_policy(std::string_view group, int days) const {
  auto r = call("PutRetentionPolicy", put_retention_policy_body(group, days));
  if (!r) return tl::unexpected(r.error());
  return {};
}

core::result<bool> logs_client::log_group_exists(std::string_view group) const {
  auto info = describe_log_group(group);
  if (!info) return tl::unexpected(info.error());
  return info->has_value();
}

core::result<std::optional<log_group_info>> logs_client::describe_log_group(
    std::string_view group) const {
  std::optional<log_group_info> found;
  auto listed = listed_in_pages(
      group,
      [&](const std::string& token) {
        auto r = call("DescribeLogGroups", describe_log_groups_body(group, token));
        if (r) {
          auto info = parse_log_group_info(r->body, group);
          if (info && *info) found = *info;
        }
        return r;
      },
      parse_describe_log_groups);
  if (!listed) return tl::unexpected(listed.error());
  if (!*listed) return std::optional<log_group_info>{};
  if (!found) found = log_group_info{"STANDARD", {}};
  return found;
}

core::result<bool> logs_client::log_stream_exists(std::string_view group,
                                                  std::string_view stream) const {
  auto found = listed_in_pages(
      stream,
      [&](const std::string& token) {
        return call("DescribeLogStreams", describe_log_streams_body(group, stream, token));
      },
      parse_describe_log_streams);
  if (!found && found.error().remote_code == "ResourceNotFoundException") return false;
  return found;
}

core::result<put_result> logs_client::put_log_events(std::string_view group,
                                                     std::string_view stream,
                                                     std::span<const log_event> events,
                                                     bool emf) const {
  auto r = call("PutLogEvents", put_log_events_body(group, stream, events), emf);
  if (!r) {
    // A legacy answer meaning "this exact batch is already stored": success, not a resend.
    if (r.error().remote_code == "DataAlreadyAcceptedException") {
      return put_result{events.size(), 0, 0, 0};
    }
    return tl::unexpected(r.error());
  }
  return parse_put_log_events(r->body, events.size());
}

}  // namespace cwp::cloudwatch
