#include "aws/credentials/chain_provider.h"

namespace cwp::aws {

core::result<credentials> chain_provider::get() {
  std::string tried;
  const auto note = [&tried](const std::string& name, const std::string& reason) {
    tried += (tried.empty() ? "" : ", ") + name + " (" + reason + ")";
  };
  for (auto& l : links_) {
    if (l.not_configured) {
      if (auto reason = l.not_configured()) {
        note(l.name, *reason);
        continue;
      }
    }
    auto c = l.provider->get();
    if (c || !l.failure_is_absence) return c;
    note(l.name, c.error().message);
  }
  return core::fail(core::errc::credentials, "no AWS credentials found: tried " + tried);
}

void chain_provider::invalidate() {
  for (auto& l : links_) l.provider->invalidate();
}

}  // namespace cwp::aws
