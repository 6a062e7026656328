/* bench/rusage.c - run a command, report its wall time, CPU time and peak RSS (bench/run builds it).
 *
 *   rusage OUTFILE COMMAND [ARGS...]
 *
 * Writes one line to OUTFILE:  <exit code> <wall ns> <user us> <sys us> <maxrss KiB>
 * CPU and peak RSS come from wait4() on the command, so they cover the command and every descendant
 * it waited for (like /usr/bin/time -v, but with microsecond CPU figures). Why not measure from
 * Python directly: a process forked from a 50 MiB Python interpreter inherits that interpreter's RSS
 * high-water mark across exec, so ru_maxrss would report the interpreter, not the command. Forked
 * from this small program, the command starts from a small high-water mark.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s OUTFILE COMMAND [ARGS...]\n", argv[0]);
    return 125;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 125;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("execvp");
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("wait4");
    return 125;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  long long wall_ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  long long user_us = (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
  long long sys_us = (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
  FILE *out = fopen(argv[1], "w");
  if (!out) {
    perror(argv[1]);
    return 125;
  }
  fprintf(out, "%d %lld %lld %lld %ld\n", code, wall_ns, user_us, sys_us, ru.ru_maxrss);
  fclose(out);
  return code;
}
