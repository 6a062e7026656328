#pragma once
// Makes every write that would grow a file past `bytes` fail with EFBIG, as a full disk makes it
// fail with ENOSPC, for the lifetime of the object (RLIMIT_FSIZE, with SIGXFSZ ignored). Unlike
// directory permissions it also binds root, so disk-full paths are testable anywhere.

#include <sys/resource.h>

#include <csignal>

namespace cwp::testing {

class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }

 private:
  rlimit saved_{};
  void (*previous_)(int){};
};

}  // namespace cwp::testing
