/* The job of the scheduling benchmark (bench/cwp_bench/jobs.py): the first thing it does is
 * read the wall clock, then it appends that time ("seconds.nanoseconds") to the file argv[1].
 * Built static, so the time measured from the tick to its exec includes the scheduler's own
 * work and the `sh -c` every cron runs, not a dynamic loader or a second program.
 *
 *   stamp FILE */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  char line[64];
  int n = snprintf(line, sizeof line, "%lld.%09ld\n", (long long)t.tv_sec, t.tv_nsec);
  int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, line, (size_t)n) != n) return 1;
  return close(fd) == 0 ? 0 : 1;
}
