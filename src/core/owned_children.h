#pragma once
// Child processes that their spawner waits for itself (credential_process). The PID-1 reaper
// leaves these alone so the spawner gets their exit status.

#include <sys/types.h>

namespace cwp::core {

void own_child(pid_t pid);
void disown_child(pid_t pid);
bool is_owned_child(pid_t pid);

}  // namespace cwp::core
