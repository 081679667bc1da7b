# CI's stand-in for postgres:16: Debian's PostgreSQL (15 in bookworm) with an entrypoint
# that honours the official image's POSTGRES_USER, POSTGRES_DB and
# POSTGRES_PASSWORD(_FILE) on an empty data directory. No RUN step: nothing is fetched.
ARG DEBIAN_IMAGE=nalish-ci/debian:bookworm
FROM ${DEBIAN_IMAGE}
# Debian's package made a cluster "main" at install; the official image has none, and
# its pg_wrapper would point psql and pg_isready at it. Removing files fetches nothing.
RUN rm -rf /etc/postgresql/*/main /var/lib/postgresql/*/main
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data PGHOST=/var/run/postgresql PGPORT=5432
EXPOSE 5432
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
