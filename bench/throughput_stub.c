/* The throughput benchmark's CloudWatch Logs stand-in (bench/cwp_bench/throughput.py): answers
 * every HTTP/1.1 request at once with 200 and a canned body, on kept-alive connections, one
 * thread per connection, over plain TCP or TLS. It reads each request's header, takes its
 * Content-Length and discards that many body bytes without parsing them, so that it costs far
 * less CPU than the client it measures (its own CPU is reported next to the client's).
 *
 *   throughput_stub PORTFILE [CERT KEY]
 *
 * Listens on 127.0.0.1 on a free port and writes the port to PORTFILE once it accepts. With CERT
 * and KEY (PEM) it speaks TLS. With STUB_DELAY_MS set, each answer waits that long (a slow
 * endpoint: `send` must stop reading instead of buffering). Counts requests, body bytes and log
 * events (`{"timestamp"` in a body: JSON escaping keeps it out of messages); on SIGTERM it prints
 * "requests=N body_bytes=N events=N" on stdout and exits. GetCallerIdentity gets an STS XML
 * answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static SSL_CTX *tls;
static unsigned delay_us;
static atomic_ullong requests, body_bytes, events;

static const char event_start[] = "{\"timestamp\"";
enum { event_start_len = sizeof event_start - 1 };

static const char json_answer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
    "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\nContent-Length: 2\r\n\r\n{}";
static const char sts_body[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn>"
    "<UserId>AIDABENCHBENCHBENCH</UserId><Account>123456789012</Account>"
    "</GetCallerIdentityResult></GetCallerIdentityResponse>";

struct conn {
  int fd;
  SSL *ssl;
};

static long conn_read(struct conn *c, char *buf, size_t n) {
  if (c->ssl) {
    int r = SSL_read(c->ssl, buf, (int)n);
    return r > 0 ? r : -1;
  }
  return read(c->fd, buf, n);
}

static int conn_write(struct conn *c, const char *buf, size_t n) {
  while (n > 0) {
    long w = c->ssl ? SSL_write(c->ssl, buf, (int)n) : write(c->fd, buf, n);
    if (w <= 0) return -1;
    buf += w;
    n -= (size_t)w;
  }
  return 0;
}

enum { buf_size = 256 * 1024 };

/* Counts event_start in a body read in pieces: `carry` holds the end of the previous piece that
 * could begin a match (at most event_start_len - 1 bytes, in `*kept`). */
static unsigned long long count_events(char *carry, size_t *kept, const char *piece, size_t n) {
  unsigned long long found = 0;
  /* A match across the boundary: the carried bytes and the start of this piece. */
  char joint[2 * event_start_len];
  size_t head = n < event_start_len - 1 ? n : event_start_len - 1;
  memcpy(joint, carry, *kept);
  memcpy(joint + *kept, piece, head);
  for (const char *p = joint; (p = memmem(p, *kept + head - (size_t)(p - joint), event_start,
                                          event_start_len)) != NULL;
       ++p) {
    if ((size_t)(p - joint) < *kept) ++found; /* starts in the carry: not seen in the piece */
  }
  for (const char *p = piece; (p = memmem(p, n - (size_t)(p - piece), event_start,
                                          event_start_len)) != NULL;
       ++p) {
    ++found;
  }
  /* Keep the tail (of carry + piece) that could begin a match in the next piece. */
  size_t total = *kept + n, keep = total < event_start_len - 1 ? total : event_start_len - 1;
  char tail[event_start_len];
  for (size_t i = 0; i < keep; ++i) {
    size_t from = total - keep + i;
    tail[i] = from < *kept ? carry[from] : piece[from - *kept];
  }
  memcpy(carry, tail, keep);
  *kept = keep;
  return found;
}

static void *serve(void *arg) {
  struct conn c = *(struct conn *)arg;
  free(arg);
  char *buf = malloc(buf_size);
  size_t have = 0;
  if (c.ssl && SSL_accept(c.ssl) != 1) goto out;
  for (;;) {
    char *end;
    while ((end = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
      if (have == buf_size) goto out;
      long n = conn_read(&c, buf + have, buf_size - have);
      if (n <= 0) goto out;
      have += (size_t)n;
    }
    size_t header = (size_t)(end - buf) + 4;
    unsigned long long length = 0;
    for (char *p = buf; p < end; p = strstr(p, "\r\n") + 2) {
      if (strncasecmp(p, "content-length:", 15) == 0) length = strtoull(p + 15, NULL, 10);
    }
    int sts = memmem(buf, header, "GetCallerIdentity", 17) != NULL;
    /* Discard the body: what is buffered, then straight reads. */
    size_t buffered = have - header;
    size_t used = buffered < length ? buffered : (size_t)length;
    unsigned long long left = length - used;
    char carry[event_start_len];
    size_t kept = 0;
    unsigned long long found = count_events(carry, &kept, buf + header, used);
    memmove(buf, buf + header + used, have - header - used);
    have -= header + used;
    while (left > 0) {
      long n = conn_read(&c, buf, left < buf_size ? (size_t)left : buf_size);
      if (n <= 0) goto out;
      found += count_events(carry, &kept, buf, (size_t)n);
      left -= (unsigned long long)n;
    }
    if (delay_us) usleep(delay_us);
    atomic_fetch_add(&requests, 1);
    atomic_fetch_add(&body_bytes, length);
    atomic_fetch_add(&events, found);
    if (sts) {
      char head[256];
      int n = snprintf(head, sizeof head,
                       "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n\r\n",
                       sizeof sts_body - 1);
      if (conn_write(&c, head, (size_t)n) || conn_write(&c, sts_body, sizeof sts_body - 1)) break;
    } else if (conn_write(&c, json_answer, sizeof json_answer - 1)) {
      break;
    }
  }
out:
  if (c.ssl) SSL_free(c.ssl);
  close(c.fd);
  free(buf);
  return NULL;
}

static void on_term(int sig) {
  (void)sig;
  char line[128];
  int n = snprintf(line, sizeof line, "requests=%llu body_bytes=%llu events=%llu\n",
                   (unsigned long long)atomic_load(&requests),
                   (unsigned long long)atomic_load(&body_bytes),
                   (unsigned long long)atomic_load(&events));
  if (write(1, line, (size_t)n) < 0) _exit(1);
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 4) {
    fprintf(stderr, "usage: %s PORTFILE [CERT KEY]\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  if (getenv("STUB_DELAY_MS")) delay_us = 1000U * (unsigned)atoi(getenv("STUB_DELAY_MS"));
  signal(SIGTERM, on_term);
  if (argc == 4) {
    tls = SSL_CTX_new(TLS_server_method());
    if (!tls || SSL_CTX_use_certificate_chain_file(tls, argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls, argv[3], SSL_FILETYPE_PEM) != 1) {
      ERR_print_errors_fp(stderr);
      return 1;
    }
  }
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 64) ||
      getsockname(s, (struct sockaddr *)&a, &len)) {
    perror("listen");
    return 1;
  }
  FILE *f = fopen(argv[1], "w");
  if (!f) return 1;
  fprintf(f, "%d\n", ntohs(a.sin_port));
  fclose(f);
  for (;;) {
    int fd = accept(s, NULL, NULL);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    c->fd = fd;
    c->ssl = NULL;
    if (tls) {
      c->ssl = SSL_new(tls);
      SSL_set_fd(c->ssl, fd);
    }
    pthread_t t;
    pthread_create(&t, NULL, serve, c);
    pthread_detach(t);
  }
}
