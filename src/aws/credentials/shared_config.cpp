#include "aws/credentials/shared_config.h"

#include "core/text_file.h"

namespace cwp::aws {
namespace {

std::optional<std::string> lookup(const ini_section& section, std::string_view key) {
  const auto it = section.find(key);
  if (it == section.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "profile name" -> "name" (quotes around the name removed, as botocore's shlex split does);
// "default" -> "default"; anything else -> nullopt.
std::optional<std::string> config_profile_name(std::string_view section) {
  if (section == "default") return std::string(section);
  constexpr std::string_view prefix = "profile";
  if (!section.starts_with(prefix) || section.size() == prefix.size()) return std::nullopt;
  if (section[prefix.size()] != ' ' && section[prefix.size()] != '\t') return std::nullopt;
  std::string_view name = trim(section.substr(prefix.size()));
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') &&
      name.back() == name.front()) {
    name = name.substr(1, name.size() - 2);
  }
  if (name.empty()) return std::nullopt;
  return std::string(name);
}

struct file_read {
  std::string path;
  bool found{false};
  ini_document doc;
};

core::result<file_read> read_shared_file(const core::environment& env, std::string_view variable,
                                         const std::string& fallback) {
  file_read out;
  const std::string configured = env.non_empty(variable).value_or(fallback);
  auto path = core::expand_home(configured, env);
  if (!path) return out;
  out.path = *path;
  auto text = core::read_text_file(out.path, max_shared_file_bytes);
  if (!text) {
    return core::fail(core::errc::io, std::string(variable) + ": " + text.error().message);
  }
  if (*text) {
    out.found = true;
    out.doc = parse_ini(**text);
  }
  return out;
}

}  // namespace

std::optional<std::string> profile::get(std::string_view key) const {
  if (auto v = lookup(from_credentials, key)) return v;
  return lookup(from_config, key);
}

std::optional<std::string> profile::get_from_credentials_file(std::string_view key) const {
  return lookup(from_credentials, key);
}

std::optional<std::string> profile::get_from_config_file(std::string_view key) const {
  return lookup(from_config, key);
}

const profile* shared_config::find(std::string_view name) const {
  const auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

std::string shared_config::describe_files() const {
  const auto describe = [](const std::string& path, bool found, std::string_view what) {
    if (path.empty()) return "no " + std::string(what) + " file (HOME not set)";
    return (found ? "" : "no ") + path;
  };
  return describe(credentials_path, credentials_found, "credentials") + ", " +
         describe(config_path, config_found, "config");
}

shared_config merge_shared_files(const ini_document& config, const ini_document& credentials) {
  shared_config out;
  for (const auto& [section, values] : config) {
    const auto name = config_profile_name(section);
    if (!name) continue;
    profile& p = out.profiles[*name];
    p.name = *name;
    for (const auto& [key, value] : values) p.from_config[key] = value;
  }
  for (const auto& [section, values] : credentials) {
    profile& p = out.profiles[section];
    p.name = section;
    p.from_credentials = values;
  }
  return out;
}

core::result<shared_config> load_shared_config(const core::environment& env) {
  auto config = read_shared_file(env, "AWS_CONFIG_FILE", "~/.aws/config");
  if (!config) return tl::unexpected(config.error());
  auto credentials = read_shared_file(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
  if (!credentials) return tl::unexpected(credentials.error());
  shared_config out = merge_shared_files(config->doc, credentials->doc);
  out.config_path = config->path;
  out.config_found = config->found;
  out.credentials_path = credentials->path;
  out.credentials_found = credentials->found;
  return out;
}

profile_selection selected_profile(const core::environment& env) {
  if (auto p = env.non_empty("AWS_PROFILE")) return {*p, "AWS_PROFILE"};
  if (auto p = env.non_empty("AWS_DEFAULT_PROFILE")) return {*p, "AWS_DEFAULT_PROFILE"};
  return {"default", "default"};
}

core::result<std::optional<std::string>> profile_region(const core::environment& env) {
  auto files = load_shared_config(env);
  if (!files) return tl::unexpected(files.error());
  const profile* p = files->find(selected_profile(env).name);
  if (p == nullptr) return std::optional<std::string>{};
  return p->get("region");
}

}  // namespace cwp::aws
