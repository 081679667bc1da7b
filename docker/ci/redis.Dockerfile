# CI's stand-in for redis:7: Debian's redis-server, run as the `redis` user in /data
# like the official image. No RUN step that fetches anything.
ARG DEBIAN_IMAGE=nalish-ci/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
