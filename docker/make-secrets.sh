#!/bin/sh
# Make docker/secrets/ for compose.yaml: random passwords and keys, consistent with
# each other (the database URL carries the PostgreSQL password, and so on). Keeps
# files that exist. The directory is readable by its owner only; the files are
# world-readable so the containers' own users can read their bind mounts.
set -eu
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
random() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
keep_or_make() {  # name, value
  [ -s "$dir/$1" ] || printf '%s\n' "$2" > "$dir/$1"
  chmod 644 "$dir/$1"
}
keep_or_make postgres_password "$(random)"
keep_or_make redis_password "$(random)"
keep_or_make database_url \
  "postgresql+psycopg://nalish:$(cat "$dir/postgres_password")@postgres:5432/nalish"
keep_or_make redis.conf "requirepass $(cat "$dir/redis_password")"
keep_or_make redis_url "redis://:$(cat "$dir/redis_password")@redis:6379/0"
keep_or_make secret_key "$(random)"
keep_or_make at_webhook_token "$(random)"
echo "secrets in $dir"
