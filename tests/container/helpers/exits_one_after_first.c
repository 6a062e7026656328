/* A credential_process for tests/container/test_reaper.py. The image has no shell, so this is a
 * static program mounted into the container.
 *
 * Every run prints a valid Version 1 credentials document (the keys in HELPER_KEY_ID and
 * HELPER_SECRET). The first run (the marker file argv[1] does not exist yet; it creates it)
 * exits 0, so the daemon starts; every later run exits 1, which the daemon must refuse although
 * the document is valid. It prints nothing on stderr: the daemon passes the helper's stderr
 * through, and the test reads that stream as JSON log lines. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MARKER_FILE\n", argv[0]);
    return 2;
  }
  const char *key = getenv("HELPER_KEY_ID");
  const char *secret = getenv("HELPER_SECRET");
  if (key == NULL || secret == NULL) {
    fprintf(stderr, "HELPER_KEY_ID and HELPER_SECRET must be set\n");
    return 2;
  }
  const int first = access(argv[1], F_OK) != 0;
  if (first) {
    const int fd = open(argv[1], O_CREAT | O_WRONLY, 0600);
    if (fd < 0) {
      perror("cannot create the marker file");
      return 2;
    }
    close(fd);
  }
  printf("{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}\n", key, secret);
  return first ? 0 : 1;
}
