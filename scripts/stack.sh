#!/usr/bin/env bash
# Local dev stack for Tasklog: Apache Kafka (KRaft, jars from Maven Central) + Postgres.
#
#   scripts/stack.sh up               start what is missing, reuse what already answers
#   scripts/stack.sh down [--purge]   stop what this script started (keeps data unless --purge)
#   scripts/stack.sh status           one line per service
#   scripts/stack.sh up|down [--purge]|status --brokers 3
#                                     the same for a three-broker KRaft cluster beside the single
#                                     broker (scripts/kafka-cluster.sh); Postgres is left alone
#
# Writes the resolved settings to .data/stack.env (KAFKA_BROKERS=..., DATABASE_URL=...), and the
# cluster's to .data/cluster.env (KAFKA_BROKERS=...).
#
# Environment knobs:
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_VERSION (from scripts/kafka/pom.xml),
#   KAFKA_HEAP_OPTS ("-Xms256m -Xmx768m"), TASKLOG_CACHE_DIR (~/.cache/tasklog), JAVA_HOME,
#   DATABASE_URL (used when it answers), TASKLOG_PG_PORT (54329, private Postgres), PG_BIN.
set -euo pipefail
shopt -s extglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
KDIR="$DATA/kafka"
PGDIR="$DATA/postgres"
PGDATA_DIR="$PGDIR/data"
STACK_ENV="$DATA/stack.env"
POM="$ROOT/scripts/kafka/pom.xml"
NODE="${NODE:-node}"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
POM_KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$POM" 2>/dev/null | head -n1 || true)"
KAFKA_VERSION="${KAFKA_VERSION:-${POM_KAFKA_VERSION:-4.4.0}}"
CACHE_DIR="${TASKLOG_CACHE_DIR:-$HOME/.cache/tasklog}"
LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
LIBS_MARKER="$CACHE_DIR/kafka-$KAFKA_VERSION/libs.complete"
KAFKA_PIDFILE="$KDIR/broker.pid"
KAFKA_LOG="$KDIR/broker.log"
KAFKA_PROPS="$KDIR/server.properties"

PG_PORT="${TASKLOG_PG_PORT:-54329}"
DEFAULT_PG_URL="postgres://postgres@127.0.0.1:5432/tasklog"
PRIVATE_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/tasklog"

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] %s\n' "$*" >&2; exit 1; }
# Hide a password in a URL before printing it.
redact() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }
rel() { printf '%s' "${1#"$ROOT"/}"; }

port_open() { # host port
  if command -v timeout >/dev/null 2>&1; then
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
  else
    bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
  fi
}

require_node() {
  command -v "$NODE" >/dev/null 2>&1 || die "node not found: install Node.js 20+"
  [[ -d "$ROOT/node_modules/kafkajs" && -d "$ROOT/node_modules/pg" ]] \
    || die "node_modules missing (kafkajs, pg): run npm install"
}

wait_kafka() { "$NODE" "$ROOT/scripts/wait-kafka.js" "$KAFKA_HOST:$KAFKA_PORT" "$@"; }
pg_check() { "$NODE" "$ROOT/scripts/wait-postgres.js" "$@"; }

lock() {
  mkdir -p "$DATA"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA/.stack.lock"
    flock -w 180 9 || die "another scripts/stack.sh is still running (lock $(rel "$DATA/.stack.lock"))"
  fi
}

# ---------------------------------------------------------------- kafka

# Prints the pid of the broker this script started, if it is still running.
kafka_pid() {
  [[ -f "$KAFKA_PIDFILE" ]] || return 1
  local pid args
  pid="$(cat "$KAFKA_PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  args="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  [[ "$args" == *kafka.Kafka* && "$args" == *"$KAFKA_PROPS"* ]] || return 1
  printf '%s' "$pid"
}

kafka_desc() { # pid
  local v="$KAFKA_VERSION"
  [[ -f "$KDIR/broker.version" ]] && v="$(cat "$KDIR/broker.version")"
  printf 'pid %s, Apache Kafka %s, KRaft' "$1" "$v"
}

find_java() {
  local java=""
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    java="$(command -v java)"
  fi
  local fix="install openjdk-17-jre-headless (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"
  [[ -n "$java" ]] || die "Java 17+ not found: $fix"
  local ver major
  ver="$("$java" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  if [[ "$ver" == 1.* ]]; then major="${ver#1.}"; else major="$ver"; fi
  major="${major%%[!0-9]*}"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Java 17+ required, found ${ver:-unknown} at $java: $fix"
  JAVA="$java"
}

ensure_kafka_jars() {
  [[ -f "$LIBS_MARKER" ]] && return 0
  command -v mvn >/dev/null 2>&1 \
    || die "Maven not found (needed once to fetch the Kafka $KAFKA_VERSION jars): install maven (apt-get install -y maven)"
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (once)"
  mkdir -p "$LIBS" "$KDIR"
  if ! mvn -B -q -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DoutputDirectory="$LIBS" >"$KDIR/mvn.log" 2>&1; then
    tail -n 20 "$KDIR/mvn.log" >&2 || true
    die "mvn could not fetch the Kafka $KAFKA_VERSION jars (full output: $(rel "$KDIR/mvn.log"))"
  fi
  # The kafka_2.13 artifact ships no SLF4J binding; add slf4j-simple (matching slf4j-api)
  # so broker.log says why a broker died. Optional: without it the broker just logs nothing.
  local api ver binding=""
  api="$(compgen -G "$LIBS/slf4j-api-*.jar" | head -n1 || true)"
  binding="$(compgen -G "$LIBS/@(slf4j-simple|slf4j-reload4j|log4j-slf4j-impl|log4j-slf4j2-impl|logback-classic)-*.jar" || true)"
  if [[ -n "$api" && -z "$binding" ]]; then
    ver="${api##*/slf4j-api-}"; ver="${ver%.jar}"
    mvn -B -q -f "$POM" dependency:copy -Dartifact="org.slf4j:slf4j-simple:$ver" \
      -DoutputDirectory="$LIBS" >>"$KDIR/mvn.log" 2>&1 \
      || say "warning: could not fetch slf4j-simple $ver; broker.log will stay almost empty"
  fi
  printf 'kafka %s, copied %s\n' "$KAFKA_VERSION" "$(date -u +%FT%TZ)" >"$LIBS_MARKER"
}

write_kafka_props() {
  cat >"$KAFKA_PROPS" <<EOF
# Generated by scripts/stack.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KDIR/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=3
auto.create.topics.enable=false
EOF
}

kafka_up() {
  local pid out rc
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    if pid="$(kafka_pid)"; then
      out="$(wait_kafka --timeout 60000 --pid "$pid" 2>&1)" \
        || die "kafka (pid $pid) holds $KAFKA_HOST:$KAFKA_PORT but does not answer: $out (log: $(rel "$KAFKA_LOG"))"
      say "kafka already running on $KAFKA_HOST:$KAFKA_PORT ($(kafka_desc "$pid"))"
    else
      out="$(wait_kafka --timeout 5000 2>&1)" \
        || die "$KAFKA_HOST:$KAFKA_PORT is taken by something that is not a working Kafka broker ($out): stop it or set KAFKA_PORT"
      say "kafka: a broker already answers on $KAFKA_HOST:$KAFKA_PORT, reusing it (not started by stack.sh)"
    fi
    return 0
  fi

  if pid="$(kafka_pid)"; then
    say "kafka (pid $pid) is starting, waiting for it"
  else
    if port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
      die "controller port $KAFKA_HOST:$KAFKA_CONTROLLER_PORT is already in use: free it or set KAFKA_CONTROLLER_PORT"
    fi
    find_java
    ensure_kafka_jars
    mkdir -p "$KDIR/data"
    write_kafka_props
    local cid
    if [[ -s "$KDIR/cluster.id" ]]; then
      cid="$(cat "$KDIR/cluster.id")"
    else
      cid="$("$NODE" -e 'process.stdout.write(require("crypto").randomBytes(16).toString("base64url"))')"
      printf '%s\n' "$cid" >"$KDIR/cluster.id"
    fi
    cid="$(tr -d '[:space:]' <<<"$cid")"
    if [[ ! -f "$KDIR/data/meta.properties" ]]; then
      say "formatting kafka storage in $(rel "$KDIR/data") (cluster id $cid)"
      "$JAVA" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_PROPS" --ignore-formatted \
        >"$KDIR/format.log" 2>&1 \
        || { tail -n 30 "$KDIR/format.log" >&2; die "kafka storage format failed (log: $(rel "$KDIR/format.log"))"; }
    fi
    [[ -f "$KAFKA_LOG" ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
    printf '%s\n' "$KAFKA_VERSION" >"$KDIR/broker.version"
    local heap setsid=()
    heap="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
    command -v setsid >/dev/null 2>&1 && setsid=(setsid) # own session: a Ctrl-C in the terminal must not reach the broker
    # shellcheck disable=SC2086
    (
      cd "$KDIR"
      exec 9>&- # do not hand the stack lock to the broker
      exec "${setsid[@]}" nohup "$JAVA" $heap \
        -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
        -Dorg.slf4j.simpleLogger.logFile=System.out \
        -Dorg.slf4j.simpleLogger.showDateTime=true \
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS" \
        -Dorg.slf4j.simpleLogger.showThreadName=false \
        -Dorg.slf4j.simpleLogger.showShortLogName=true \
        -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn \
        -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.utils.AppInfoParser=warn \
        -cp "$LIBS/*" kafka.Kafka "$KAFKA_PROPS" </dev/null >>"$KAFKA_LOG" 2>&1
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$KAFKA_PIDFILE"
    say "starting kafka $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT (pid $pid, log $(rel "$KAFKA_LOG"))"
  fi

  rc=0
  out="$(wait_kafka --timeout 60000 --pid "$pid" 2>&1)" || rc=$?
  if [[ $rc -ne 0 ]]; then
    printf '[stack] ---- last 30 lines of %s ----\n' "$(rel "$KAFKA_LOG")" >&2
    tail -n 30 "$KAFKA_LOG" >&2 || true
    if [[ $rc -eq 2 ]]; then
      rm -f "$KAFKA_PIDFILE"
      die "kafka exited during startup (see above)"
    fi
    die "kafka did not answer within 60 s ($out); it is still running as pid $pid (scripts/stack.sh down stops it)"
  fi
  say "kafka ready on $KAFKA_HOST:$KAFKA_PORT (Apache Kafka $(cat "$KDIR/broker.version"), KRaft)"
}

kafka_down() {
  local pid i
  if pid="$(kafka_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do # controlled shutdown usually takes a few seconds
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "kafka (pid $pid) ignored SIGTERM for 60 s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    rm -f "$KAFKA_PIDFILE"
    say "kafka stopped (pid $pid), data kept in $(rel "$KDIR/data")"
  else
    rm -f "$KAFKA_PIDFILE"
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      say "kafka on $KAFKA_HOST:$KAFKA_PORT was not started by stack.sh, left running"
    else
      say "kafka not running"
    fi
  fi
}

kafka_status() {
  local pid
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    if pid="$(kafka_pid)"; then
      if wait_kafka --timeout 0 >/dev/null 2>&1; then
        say "kafka     up    $KAFKA_HOST:$KAFKA_PORT ($(kafka_desc "$pid"), started by stack.sh)"
      else
        say "kafka     starting  $KAFKA_HOST:$KAFKA_PORT ($(kafka_desc "$pid"), not answering yet)"
      fi
    elif wait_kafka --timeout 0 >/dev/null 2>&1; then
      say "kafka     up    $KAFKA_HOST:$KAFKA_PORT (not started by stack.sh)"
    else
      say "kafka     down  $KAFKA_HOST:$KAFKA_PORT is taken by something that is not Kafka"
    fi
  elif pid="$(kafka_pid)"; then
    say "kafka     starting  $KAFKA_HOST:$KAFKA_PORT (pid $pid, log $(rel "$KAFKA_LOG"))"
  else
    say "kafka     down  $KAFKA_HOST:$KAFKA_PORT"
  fi
}

# ---------------------------------------------------------------- postgres

# Directory with initdb + pg_ctl: PG_BIN, else the version matching an existing data dir,
# else the newest /usr/lib/postgresql/*/bin, else whatever is on PATH.
pg_bin() {
  local d
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || return 1
    printf '%s' "$PG_BIN"; return 0
  fi
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
    d="/usr/lib/postgresql/$(cat "$PGDATA_DIR/PG_VERSION")/bin"
    if [[ -x "$d/pg_ctl" ]]; then printf '%s' "$d"; return 0; fi
  fi
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then printf '%s' "$d"; return 0; fi
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  return 1
}

# Postgres refuses to run as root: run its tools as the postgres user in that case.
as_pg_user() {
  # 9>&-: the postmaster must not inherit (and keep holding) the stack lock.
  if [[ $EUID -ne 0 ]]; then
    "$@" 9>&-
  elif command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@" 9>&-)
  else
    (cd / && su postgres -s /bin/bash -c "$(printf '%q ' "$@")" 9>&-)
  fi
}

# Prints the postmaster pid of the private server, if it runs.
private_pg_pid() {
  [[ -f "$PGDATA_DIR/postmaster.pid" ]] || return 1
  local pid
  pid="$(head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(ps -p "$pid" -o comm= 2>/dev/null || true)" == *postgres* ]] || return 1
  printf '%s' "$pid"
}

private_pg_up() {
  local pid bin out sock
  if pid="$(private_pg_pid)"; then
    out="$(pg_check "$PRIVATE_PG_URL" --create --timeout 30000 2>&1)" \
      || die "private postgres (pid $pid) runs but does not answer on 127.0.0.1:$PG_PORT: $out (log: $(rel "$PGDIR/postgres.log"))"
    say "postgres (private) already running on 127.0.0.1:$PG_PORT (pid $pid)"
    DB_URL="$PRIVATE_PG_URL"
    return 0
  fi
  if port_open 127.0.0.1 "$PG_PORT"; then
    if pg_check "$PRIVATE_PG_URL" --create >/dev/null 2>&1; then
      say "postgres: a server already answers on 127.0.0.1:$PG_PORT, reusing it (not started by stack.sh)"
      DB_URL="$PRIVATE_PG_URL"
      return 0
    fi
    die "port 127.0.0.1:$PG_PORT is taken by something that is not a usable Postgres: free it or set TASKLOG_PG_PORT"
  fi

  bin="$(pg_bin)" \
    || die "no Postgres server binaries (initdb, pg_ctl) found: install them (apt-get install -y postgresql) or set DATABASE_URL to a running server"
  sock="$PGDIR/run"
  (( ${#sock} > 90 )) && sock="/tmp" # unix socket paths are limited to ~107 bytes
  mkdir -p "$PGDIR/run"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 \
      || die "running as root and there is no 'postgres' user to run the private Postgres: create one (useradd -r -m postgres) or set DATABASE_URL"
    chown -R postgres: "$PGDIR"
    as_pg_user test -w "$PGDIR" \
      || die "the postgres user cannot reach $PGDIR (a parent directory is not traversable): set DATABASE_URL instead"
  fi
  if [[ ! -f "$PGDATA_DIR/PG_VERSION" ]]; then
    say "initialising private postgres in $(rel "$PGDATA_DIR") ($bin)"
    as_pg_user "$bin/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C \
      >"$PGDIR/initdb.log" 2>&1 \
      || { tail -n 30 "$PGDIR/initdb.log" >&2; die "initdb failed (log: $(rel "$PGDIR/initdb.log"))"; }
    printf "\ninclude_if_exists = 'stack.conf'\n" >>"$PGDATA_DIR/postgresql.conf"
  fi
  # Regenerated on every start so TASKLOG_PG_PORT / the repo location can change.
  cat >"$PGDATA_DIR/stack.conf" <<EOF
# Generated by scripts/stack.sh
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
EOF
  [[ $EUID -eq 0 ]] && chown postgres: "$PGDATA_DIR/stack.conf"
  say "starting private postgres on 127.0.0.1:$PG_PORT (log $(rel "$PGDIR/postgres.log"))"
  if ! as_pg_user "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDIR/postgres.log" -w -t 60 start >/dev/null 2>&1; then
    printf '[stack] ---- last 30 lines of %s ----\n' "$(rel "$PGDIR/postgres.log")" >&2
    tail -n 30 "$PGDIR/postgres.log" >&2 || true
    die "private postgres did not start (see above)"
  fi
  out="$(pg_check "$PRIVATE_PG_URL" --create --timeout 30000 2>&1)" \
    || die "private postgres started but does not answer: $out (log: $(rel "$PGDIR/postgres.log"))"
  DB_URL="$PRIVATE_PG_URL"
}

postgres_up() {
  local out
  DB_URL=""
  if [[ -n "${DATABASE_URL:-}" ]]; then
    if out="$(pg_check "$DATABASE_URL" --create 2>&1)"; then
      DB_URL="$DATABASE_URL"
      say "postgres: using DATABASE_URL $(redact "$DATABASE_URL")"
      return 0
    fi
    say "warning: DATABASE_URL $(redact "$DATABASE_URL") does not answer (${out//$'\n'/ }); falling back to a private postgres on 127.0.0.1:$PG_PORT"
    private_pg_up
  elif pg_check "$DEFAULT_PG_URL" --create >/dev/null 2>&1; then
    DB_URL="$DEFAULT_PG_URL"
    say "postgres: using the server on 127.0.0.1:5432 (database tasklog)"
    return 0
  else
    private_pg_up
  fi
  say "postgres ready: $(redact "$DB_URL")"
}

private_pg_down() {
  local pid bin i
  pid="$(private_pg_pid)" || return 1
  if bin="$(pg_bin)"; then
    as_pg_user "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  else
    kill -INT "$pid" 2>/dev/null || true # fast shutdown
  fi
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && die "private postgres (pid $pid) did not stop"
  say "postgres (private) stopped (pid $pid), data kept in $(rel "$PGDATA_DIR")"
}

recorded_db_url() {
  [[ -f "$STACK_ENV" ]] && sed -n 's/^DATABASE_URL=//p' "$STACK_ENV" | head -n1
  return 0
}

postgres_down() {
  local url
  url="$(recorded_db_url)"
  local stopped=false
  private_pg_down && stopped=true
  if [[ -n "$url" && "$url" != "$PRIVATE_PG_URL" ]]; then
    say "postgres at $(redact "$url") is not managed by stack.sh, left running"
  elif ! $stopped; then
    say "postgres (private) not running"
  fi
}

postgres_status() {
  local url pid where
  url="$(recorded_db_url)"
  [[ -n "$url" ]] || url="${DATABASE_URL:-$DEFAULT_PG_URL}"
  pid="$(private_pg_pid || true)"
  where="not started by stack.sh"
  [[ "$url" == "$PRIVATE_PG_URL" && -n "$pid" ]] && where="private, pid $pid"
  if pg_check "$url" >/dev/null 2>&1; then
    say "postgres  up    $(redact "$url") ($where)"
  else
    say "postgres  down  $(redact "$url")"
  fi
  if [[ -n "$pid" && "$url" != "$PRIVATE_PG_URL" ]]; then
    say "postgres  up    $PRIVATE_PG_URL (private, pid $pid, not the one in .data/stack.env)"
  fi
}

# ---------------------------------------------------------------- main

write_stack_env() {
  local tmp
  tmp="$(mktemp "$DATA/.stack.env.XXXXXX")"
  printf 'KAFKA_BROKERS=%s\nDATABASE_URL=%s\n' "$KAFKA_HOST:$KAFKA_PORT" "$DB_URL" >"$tmp"
  mv -f "$tmp" "$STACK_ENV"
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
brokers=1
purge=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --brokers) brokers="${2:-}"; shift; [[ $# -gt 0 ]] && shift ;;
    --brokers=*) brokers="${1#--brokers=}"; shift ;;
    --purge) [[ "$cmd" == down ]] || die "--purge goes with down"; purge=true; shift ;;
    *) die "usage: scripts/stack.sh up | down [--purge] | status  [--brokers 1|3]" ;;
  esac
done
[[ "$brokers" == 1 || "$brokers" == 3 ]] || die "--brokers takes 1 (the single dev broker) or 3 (a cluster), not '$brokers'"

if [[ "$brokers" == 3 ]]; then
  # shellcheck source=scripts/kafka-cluster.sh
  source "$ROOT/scripts/kafka-cluster.sh"
  case "$cmd" in
    up) require_node; lock; cluster_up ;;
    down)
      lock
      cluster_down
      if $purge; then rm -rf "$CDIR"; say "purged $(rel "$CDIR")"; fi
      ;;
    status) cluster_status ;;
    *) die "usage: scripts/stack.sh up | down [--purge] | status  [--brokers 1|3]" ;;
  esac
  exit 0
fi

case "$cmd" in
  up)
    require_node
    lock
    kafka_up
    postgres_up
    write_stack_env
    ;;
  down)
    lock
    kafka_down
    postgres_down
    if $purge; then
      rm -rf "$KDIR" "$PGDIR" "$STACK_ENV"
      say "purged $(rel "$KDIR"), $(rel "$PGDIR") and $(rel "$STACK_ENV")"
    fi
    ;;
  status)
    require_node
    kafka_status
    postgres_status
    ;;
  *)
    die "usage: scripts/stack.sh up | down [--purge] | status  [--brokers 1|3]"
    ;;
esac
