#include "monitoring/shell_quote.h"

#include <algorithm>

namespace cwp::monitoring {

std::string shell_quote(std::string_view word) {
  // No shell gives these a meaning anywhere in a word (`=` only before the command name, `:`
  // and `@` nowhere), so such a word needs no quotes.
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_-+=.,/:@%").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(word);
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

}  // namespace cwp::monitoring
