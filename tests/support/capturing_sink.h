#pragma once
// A log sink that keeps every line so tests assert on what an operator would read.

#include <mutex>
#include <string>
#include <vector>

#include "logging/logger.h"

namespace cwp::testing {

class capturing_sink final : public logging::sink {
 public:
  void write(const logging::line& l) override;

  std::vector<logging::line> lines() const;
  // Every line rendered as JSON, joined with newlines: what stdout+stderr would hold.
  std::string text() const;
  bool contains(std::string_view needle) const { return text().find(needle) != std::string::npos; }
  std::size_t count(logging::level severity) const;

 private:
  mutable std::mutex mutex_;
  std::vector<logging::line> lines_;
};

}  // namespace cwp::testing
