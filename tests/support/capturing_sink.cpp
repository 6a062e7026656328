#include "support/capturing_sink.h"

namespace cwp::testing {

void capturing_sink::write(const logging::line& l) {
  const std::lock_guard lock(mutex_);
  lines_.push_back(l);
}

std::vector<logging::line> capturing_sink::lines() const {
  const std::lock_guard lock(mutex_);
  return lines_;
}

std::string capturing_sink::text() const {
  std::string out;
  for (const auto& l : lines()) out += logging::render(l) + "\n";
  return out;
}

std::size_t capturing_sink::count(logging::level severity) const {
  std::size_t n = 0;
  for (const auto& l : lines()) n += l.severity == severity ? 1U : 0U;
  return n;
}

}  // namespace cwp::testing
