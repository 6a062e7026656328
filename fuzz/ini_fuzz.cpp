// libFuzzer target: any bytes as a shared config or credentials file. Parsing must not crash,
// every key it keeps must be non-empty, lower-case and free of delimiters and line breaks, and
// building profiles from the result (either file role) must not crash either.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/credentials/ini.h"
#include "aws/credentials/shared_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cwp::aws::ini_document doc = cwp::aws::parse_ini(text);
  for (const auto& [section, values] : doc) {
    if (section.empty() || section.find('\n') != std::string::npos) std::abort();
    for (const auto& [key, value] : values) {
      if (key.empty() || key.find_first_of("\n=") != std::string::npos) std::abort();
      if (value.find('\n') != std::string::npos) std::abort();
      for (const char c : key) {
        if (std::isupper(static_cast<unsigned char>(c)) != 0) std::abort();
      }
    }
  }
  const auto as_config = cwp::aws::merge_shared_files(doc, {});
  const auto as_credentials = cwp::aws::merge_shared_files({}, doc);
  if (as_credentials.profiles.size() != doc.size()) std::abort();
  if (as_config.profiles.size() > doc.size()) std::abort();
  return 0;
}
