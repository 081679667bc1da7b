#!/usr/bin/env bash
# CI: start docker/compose.yaml for real and use it as a citizen and an operator would.
#
# No image can be pulled from a registry here, so the images the compose file names by
# variables get stand-ins built from Debian's packages: a `debootstrap --variant=minbase
# bookworm` root (from the Debian mirror this machine's apt uses) imported with
# `docker import`, then PostgreSQL, Redis and Python images on top of it (docker/ci/),
# with no step that fetches anything. Nalish goes into its image from a wheelhouse built
# here with `pip wheel` (docker/wheels/), so the build needs no package registry either.
#
# Then: bring the stack up, wait until every service is healthy, file a complaint by
# USSD through the published port, see the worker send its SMS (the outbox row `sent`),
# attach a recording by URL and see the worker fetch it into the shared media volume,
# recreate the web and worker containers, and find the ticket, the SMS and the file
# still there. Everything is torn down at the end (volumes included), and a dockerd
# this script started is stopped.
#
# Needs root (dockerd, debootstrap), docker.io, docker-compose (or `docker compose`),
# debootstrap, curl and python3. Cache of the Debian root: $NALISH_CI_CACHE.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${NALISH_CI_CACHE:-/var/cache/nalish-ci}
PROJECT=nalish-ci
PHONE=+8801712345678
started=$SECONDS
step() { echo "[ci-stack $((SECONDS - started))s] $*"; }

# --- the Docker daemon ---------------------------------------------------------------
dockerd_pid=""
stop_dockerd() {
  if [ -n "$dockerd_pid" ]; then
    step "stopping the dockerd this script started (pid $dockerd_pid)"
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
}
if ! docker info >/dev/null 2>&1; then
  step "starting dockerd"
  dockerd >/tmp/nalish-ci-dockerd.log 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { cat /tmp/nalish-ci-dockerd.log >&2; exit 1; }
fi

if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
compose+=(-p "$PROJECT" -f docker/compose.yaml -f docker/ci/compose.ci.yaml)

cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    "${compose[@]}" ps || true
    "${compose[@]}" logs --tail=80 || true
  fi
  "${compose[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true
  stop_dockerd
  exit "$status"
}
trap cleanup EXIT

# --- stand-in base images from Debian --------------------------------------------------
mirror() {  # the Debian mirror apt uses here (deb822 or one-line sources)
  grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
    | grep -v security | grep -oE 'https?://[^ ]+/debian' | head -n1
}
if ! docker image inspect nalish-ci/debian:bookworm >/dev/null 2>&1; then
  mkdir -p "$CACHE"
  if [ ! -s "$CACHE/bookworm.tar" ]; then
    step "debootstrap bookworm from $(mirror)"
    rm -rf "$CACHE/rootfs"
    debootstrap --variant=minbase \
      --include=python3,python3-pip,python3-venv,postgresql,redis-server,ca-certificates \
      bookworm "$CACHE/rootfs" "$(mirror)" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 40 "$CACHE/debootstrap.log" >&2; exit 1; }
    rm -rf "$CACHE/rootfs"/var/cache/apt/archives/*.deb
    tar -C "$CACHE/rootfs" -cf "$CACHE/bookworm.tar" .
    rm -rf "$CACHE/rootfs"
  fi
  step "docker import nalish-ci/debian:bookworm"
  docker import "$CACHE/bookworm.tar" nalish-ci/debian:bookworm >/dev/null
fi
for standin in postgres redis python; do
  step "building the stand-in nalish-ci/$standin"
  DOCKER_BUILDKIT=0 docker build -q -t "nalish-ci/$standin" -f "docker/ci/$standin.Dockerfile" docker/ci >/dev/null
done

# --- Nalish's wheels, built on the host ------------------------------------------------
step "pip wheel into docker/wheels (constraints.txt)"
rm -rf docker/wheels
# Debian's Python is 3.11.2, older than this host's: redis wants async-timeout below
# 3.11.3, a marker the host's resolution skips, so its wheel is added by name.
python3 -m pip wheel --quiet --wheel-dir docker/wheels --constraint constraints.txt \
  . 'async-timeout>=4.0.3' >/tmp/nalish-ci-wheel.log 2>&1 \
  || { cat /tmp/nalish-ci-wheel.log >&2; exit 1; }
rm -rf build

# --- up ----------------------------------------------------------------------------------
docker/make-secrets.sh >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export POSTGRES_IMAGE=nalish-ci/postgres REDIS_IMAGE=nalish-ci/redis
export NALISH_BASE_IMAGE=nalish-ci/python NALISH_IMAGE=nalish-ci/nalish NALISH_PUBLISH=$PORT
BASE=http://127.0.0.1:$PORT
TOKEN=$(cat docker/secrets/at_webhook_token)

step "docker compose up (web on $BASE)"
"${compose[@]}" build --quiet web
"${compose[@]}" up -d

health() { docker inspect -f '{{.State.Health.Status}}' "$("${compose[@]}" ps -q "$1")"; }
wait_healthy() {
  for _ in $(seq 1 90); do
    local all=yes
    for service in postgres redis web worker; do
      [ "$(health "$service" 2>/dev/null)" = healthy ] || all=no
    done
    [ $all = yes ] && return 0
    sleep 2
  done
  echo "services not healthy within 180 s" >&2
  return 1
}
wait_healthy
step "every service healthy"

nalish() { "${compose[@]}" exec -T web nalish "$@"; }

# --- a complaint by USSD, as Africa's Talking would post it -----------------------------
ussd() {
  curl -sS --fail -d sessionId=ATUid_ci -d serviceCode='*333#' -d "phoneNumber=$PHONE" \
    -d networkCode=47001 --data-urlencode "text=$1" "$BASE/channels/africastalking/ussd?token=$TOKEN"
}
# English; New complaint; Water (4th: the sensitive categories come first); Rangpur typed;
# its first upazila; the description; I agree; Send.
answer=""
for text in "" 2 2*1 2*1*4 2*1*4*Rangpur 2*1*4*Rangpur*1 \
  "2*1*4*Rangpur*1*Tubewell broken at the school" \
  "2*1*4*Rangpur*1*Tubewell broken at the school*1" \
  "2*1*4*Rangpur*1*Tubewell broken at the school*1*1"; do
  answer=$(ussd "$text")
done
echo "$answer"
REF=$(grep -oE '[0-9A-Z]{4}-[0-9A-Z]{4}' <<<"$answer" | head -n1)
[ -n "$REF" ] || { echo "no reference on the last screen" >&2; exit 1; }
step "filed $REF by USSD"

sms_status() {
  nalish outbox list --json --to "$PHONE" | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r["ticket_ref"] == sys.argv[1]]
print(rows[0]["status"] if rows else "none")' "$REF"
}
for _ in $(seq 1 60); do [ "$(sms_status)" = sent ] && break; sleep 1; done
[ "$(sms_status)" = sent ] || { echo "the worker did not send the SMS for $REF" >&2; exit 1; }
step "the worker sent the acknowledgement SMS"

# --- an attachment fetched by the worker into the shared media volume -------------------
API_TOKEN=$(nalish tokens create --name ci-stack --role admin --json \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
curl -sS --fail -H "Authorization: Bearer $API_TOKEN" -H 'Content-Type: application/json' \
  -d '{"url": "http://web:8000/docs/static/favicon.png", "kind": "image"}' \
  "$BASE/api/v1/tickets/$REF/attachments" >/dev/null
attachment() {
  curl -sS --fail -H "Authorization: Bearer $API_TOKEN" "$BASE/api/v1/tickets/$REF/attachments" \
    | python3 -c 'import json, sys; a = json.load(sys.stdin)[0]; print(a["status"], a["sha256"])'
}
for _ in $(seq 1 60); do [ "$(attachment | cut -d' ' -f1)" = fetched ] && break; sleep 1; done
read -r fetched SHA <<<"$(attachment)"
[ "$fetched" = fetched ] || { echo "the worker did not fetch the attachment" >&2; exit 1; }
step "the worker fetched the attachment ($SHA)"

# --- recreate web and worker: what matters is on volumes and in PostgreSQL --------------
"${compose[@]}" up -d --force-recreate --no-deps web worker
wait_healthy
step "web and worker recreated and healthy"
nalish tickets show "$REF" --json | python3 -c '
import json, sys
ticket = json.load(sys.stdin)
assert ticket["district"] == "Rangpur" and ticket["category"] == "water", ticket'
[ "$(sms_status)" = sent ] || { echo "the SMS row is gone" >&2; exit 1; }
"${compose[@]}" exec -T web sh -c "ls /var/lib/nalish/media/${SHA:0:2}/$SHA*" >/dev/null \
  || { echo "the fetched attachment is gone from the media volume" >&2; exit 1; }
[ "$(attachment | cut -d' ' -f1)" = fetched ]
step "ticket $REF, its SMS and its attachment survived; compose stack OK"
