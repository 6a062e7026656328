#pragma once
// Replacing a small file atomically, safely in a directory that others may write to. A reader
// sees the old content or the new one, never half a file, and no symbolic link planted at the
// path or at a temporary name is ever followed (the daemon may run as root).

#include <string>
#include <string_view>

#include "core/error.h"

namespace cwp::core {

struct atomic_write_options {
  // Permission bits of the new file, before the umask.
  unsigned file_mode{0644};
  // When the file's directory does not exist, create it (that last level only) with mode 0700.
  bool create_directory{false};
  // True: the new file and the rename are fsync()ed, so they survive a power loss. False: for
  // state that must only ever be whole, never half-written, and is rewritten often (the health
  // file, after every attempt): no fsync, which is most of the write's cost.
  bool durable{true};
};

// Replaces `path` with `content`: a temporary file with a random name is created exclusively
// (O_CREAT | O_EXCL | O_NOFOLLOW, so a link or file already at that name makes it pick another
// name) in the same directory, written, fsync()ed (when durable), then renamed over `path` (rename
// replaces a link at `path` instead of following it) and the directory fsync()ed (when durable).
// Every step works relative to the directory opened once at the start, so the directory's path
// being swapped midway cannot redirect the write. The directory's own path is followed as
// configured. On failure (errc::io naming the path and why) the temporary is removed and `path` is
// unchanged.
result<void> write_file_atomically(const std::string& path, std::string_view content,
                                   const atomic_write_options& options = {});

}  // namespace cwp::core
