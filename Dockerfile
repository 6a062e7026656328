# cloudwatch-publisher image.
#
#   docker build -t cloudwatch-publisher .                     the image (FROM scratch, about 7 MB)
#   docker build --target debug -t cloudwatch-publisher:debug .  the same binary on Debian with
#                                                                bash and the AWS CLI, for debugging
#
# Works with BuildKit and with the classic builder (Docker 20.10 without buildx): no
# `RUN --mount`, no heredocs. The classic builder builds every stage up to the target, so a
# plain build also builds `debug` once; its layers are cached afterwards.
# Machines that cannot pull debian:bookworm can make it locally: scripts/build-base-image.

# ------------------------------------------------------------------------------------ build
FROM debian:bookworm AS build

# The release preset builds without tests, so no GoogleTest here.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates cmake g++ libboost-dev libcli11-dev libexpected-dev libpugixml-dev \
      libssl-dev ninja-build nlohmann-json3-dev \
 && rm -rf /var/lib/apt/lists/*

# CWP_JOBS caps the compile parallelism (empty: Ninja's default, cores + 2).
ARG CWP_JOBS=
# .dockerignore admits only what the release build reads (CMakeLists.txt, CMakePresets.json,
# cmake/, src/), so edits to tests or docs do not rebuild the binary.
COPY . /src/
WORKDIR /src

# Build, then lay out everything the final image holds as its root filesystem (one COPY, one
# layer). /bin/sh and /bin/bash are links to the binary, which, called by a shell's name, says
# what to do instead (the debug target for a shell, `check` for a diagnosis) and exits 127: the
# replaced image's `docker run -it ... --entrypoint /bin/bash` gets an answer, and still no shell. glibc is linked statically: host lookups use the `files` and `dns` code built into
# libc, in the order nsswitch.conf gives; Docker provides /etc/hosts and /etc/resolv.conf at run
# time.
RUN cmake --preset release \
 && cmake --build --preset release ${CWP_JOBS:+-j "$CWP_JOBS"} \
 && ./build-release/cloudwatch-publisher --version \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/local/bin /rootfs/var/lib/cloudwatch-publisher \
 && chown 10001:10001 /rootfs/var/lib/cloudwatch-publisher \
 && install -m 0755 build-release/cloudwatch-publisher /rootfs/usr/local/bin/ \
 && mkdir -p /rootfs/bin \
 && ln -s /usr/local/bin/cloudwatch-publisher /rootfs/bin/sh \
 && ln -s /usr/local/bin/cloudwatch-publisher /rootfs/bin/bash \
 && install -m 0644 /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
      'appuser:x:10001:10001:cloudwatch-publisher:/home/appuser:/sbin/nologin' \
      > /rootfs/etc/passwd \
 && printf '%s\n' 'root:x:0:' 'appuser:x:10001:' > /rootfs/etc/group \
 && printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' > /rootfs/etc/nsswitch.conf \
 && chmod 0644 /rootfs/etc/passwd /rootfs/etc/group /rootfs/etc/nsswitch.conf

# ------------------------------------------------------------------------------------ debug
# For interactive debugging only:
#   docker run -it --rm --entrypoint /bin/bash -e AWS_... cloudwatch-publisher:debug
FROM debian:bookworm AS debug
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      awscli bash ca-certificates less \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 appuser \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/appuser \
      --shell /bin/bash --comment cloudwatch-publisher appuser
COPY --from=build /rootfs/usr/local/bin/cloudwatch-publisher /usr/local/bin/
USER 10001:10001
WORKDIR /home/appuser
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cloudwatch-publisher"]
CMD ["run"]

# ------------------------------------------------------------------------------------ final
# The default target (last stage): the static binary, CA certificates, passwd/group. No shell
# (/bin/sh and /bin/bash are the binary, answering what to do instead).
FROM scratch

# Keep VERSION equal to project(VERSION) in CMakeLists.txt (tests/container checks it).
ARG VERSION=0.1.0
# Placeholders until the project has a public repository and a licence.
ARG SOURCE_URL=https://example.invalid/monorepo-fem/cloudwatch-publisher
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="cloudwatch-publisher" \
      org.opencontainers.image.description="Publishes heartbeats and log lines to AWS CloudWatch Logs on a cron schedule" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /rootfs/ /

# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
# The root filesystem may be read-only (`docker run --read-only`): nothing is written to it
# but the state directory, a volume (Docker mounts a writable anonymous volume there, owned by
# 10001 like the directory in the image, unless you mount your own).
# It also holds the crash-safe spool: heartbeats not delivered yet survive a restart (mount a
# named volume there to keep them when the container is re-created).
VOLUME /var/lib/cloudwatch-publisher
ENV CWP_HEALTH_FILE=/var/lib/cloudwatch-publisher/health.json \
    CWP_SPOOL_DIR=/var/lib/cloudwatch-publisher/spool
# `health` exits 0 while the last heartbeat is recent enough for the schedule (README, Health
# checks). Exec form: there is no shell. With the default 1-minute schedule an unhealthy daemon
# is reported within 2.5 min of its last delivery plus 3 probes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/cloudwatch-publisher", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cloudwatch-publisher"]
CMD ["run"]
