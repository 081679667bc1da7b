# CI's stand-in for postgres:16: Debian's PostgreSQL (15 in bookworm) with an entrypoint
# that honours the official image's POSTGRES_USER, POSTGRES_DB and
# POSTGRES_PASSWORD(_FILE) on an empty data directory. No RUN step: nothing is fetched.
ARG DEBIAN_IMAGE=nalish-ci/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
