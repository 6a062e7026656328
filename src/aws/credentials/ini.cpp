#include "aws/credentials/ini.h"

#include <algorithm>
#include <cctype>

namespace cwp::aws {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct key_value {
  std::string key;
  std::string value;
};

// "key = value" or "key: value"; the first delimiter of either kind splits.
bool split_assignment(std::string_view line, key_value& out) {
  const auto delimiter = line.find_first_of("=:");
  if (delimiter == std::string_view::npos) return false;
  const std::string_view key = trim(line.substr(0, delimiter));
  if (key.empty()) return false;
  out.key = lower(key);
  out.value = std::string(trim(line.substr(delimiter + 1)));
  return true;
}

}  // namespace

ini_document parse_ini(std::string_view text) {
  ini_document doc;
  ini_section* section = nullptr;
  // The current option: later lines indented deeper than it continue it (configparser's rule).
  bool in_option = false;
  std::size_t option_indent = 0;
  std::string parent_key;  // the current option when its value is empty: nested entries attach

  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark

  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);

    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;

    const std::size_t indent = raw.find_first_not_of(" \t");
    if (in_option && indent > option_indent) {
      key_value nested;
      if (!parent_key.empty() && split_assignment(line, nested)) {
        (*section)[parent_key + "." + nested.key] = std::move(nested.value);
      }
      continue;
    }

    if (line.front() == '[') {
      const auto close = line.find(']');
      in_option = false;
      parent_key.clear();
      if (close == std::string_view::npos) {
        section = nullptr;
        continue;
      }
      const std::string_view name = trim(line.substr(1, close - 1));
      section = name.empty() ? nullptr : &doc[std::string(name)];
      continue;
    }

    key_value kv;
    if (section == nullptr || !split_assignment(line, kv)) {
      in_option = false;
      parent_key.clear();
      continue;
    }
    in_option = true;
    option_indent = indent;
    parent_key = kv.value.empty() ? kv.key : std::string{};
    (*section)[kv.key] = std::move(kv.value);
  }
  return doc;
}

}  // namespace cwp::aws
