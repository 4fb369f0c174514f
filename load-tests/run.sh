#!/usr/bin/env bash
# The whole benchmark in one command: builds what is missing, starts the WeChat sandbox and the packaged gateway
# as two processes of their own on loopback ports with a fresh database, runs every Gatling simulation with a hard
# time bound, checks after each run that every payment the sandbox made is recorded SUCCESS exactly once, and
# regenerates the top section of load-tests/RESULTS.md. Everything it starts is stopped when it ends.
#
#   load-tests/run.sh            the full run (about 15-20 minutes; meant for a quiet machine)
#   load-tests/run.sh --quick    a smoke run: every scenario ~10 s with a few dozen users
#   --build                      package the gateway jar first even when target/ has one (after changing src/main)
#
# Needs: a JDK 17+, python3, curl, the mysql/mariadb client; MariaDB (or MySQL) and Redis on 127.0.0.1:3306 / :6379
# (used when they answer; otherwise mariadbd and redis-server, when installed, are started on free ports in a
# scratch folder). Settings (environment): BENCH_DB (wxgate_bench; dropped and created anew), BENCH_GATEWAY_PORT
# (18000), BENCH_MANAGEMENT_PORT (18090), BENCH_SANDBOX_PORT (19900), BENCH_REDIS_DB (11), GATEWAY_JAVA_OPTS (-Xmx512m, as the pod's 768 MiB
# limit x 70 %), GATLING_JAVA_OPTS, BENCH_MAX_SECONDS (1800; runs that would start later are skipped), BENCH_ONLY
# (some of: purchase overload fixed slowlogin idle; the cold start always runs), BENCH_PAY_API (v2, or v3: WeChat Pay
# APIv3 with keys made by openssl for the run; the fixed run, which re-sends a v2 notify, is skipped), BENCH_REPORT
# (load-tests/RESULTS.md: the file whose generated section the run replaces).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
MODE=full
BUILD=no
for arg in "$@"; do
  case "$arg" in
    --quick) MODE=quick ;;
    --build) BUILD=yes ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

DB=${BENCH_DB:-wxgate_bench}
case "$DB" in wxgate_bench*) ;; *) echo "BENCH_DB must start with wxgate_bench (it is dropped): $DB" >&2; exit 2 ;; esac
ONLY=${BENCH_ONLY:-}
GW_PORT=${BENCH_GATEWAY_PORT:-18000}
SB_PORT=${BENCH_SANDBOX_PORT:-19900}
MG_PORT=${BENCH_MANAGEMENT_PORT:-18090}
REDIS_DB=${BENCH_REDIS_DB:-11}
GW=http://127.0.0.1:$GW_PORT
SB=http://127.0.0.1:$SB_PORT
MG=http://127.0.0.1:$MG_PORT   # the gateway's management port: probes and metrics
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xmx512m -XX:+ExitOnOutOfMemoryError}
if [ "$MODE" = quick ]; then
  GATLING_JAVA_OPTS=${GATLING_JAVA_OPTS:--Xmx768m}
  MAX_SECONDS=${BENCH_MAX_SECONDS:-900}
else
  GATLING_JAVA_OPTS=${GATLING_JAVA_OPTS:--Xms1g -Xmx2g}
  MAX_SECONDS=${BENCH_MAX_SECONDS:-1800}
fi
# the sandbox's WeChat identities (fictional; sandbox.yml's defaults)
APPID=wx5ca7b1e1d1b0a001
APP_SECRET=sandbox-secret-change-me
MCH_ID=1900000109
PAY_KEY=sandboxtestkey0123456789abcdefgh
PAY_API=${BENCH_PAY_API:-v2}
case "$PAY_API" in v2|v3) ;; *) echo "BENCH_PAY_API must be v2 or v3: $PAY_API" >&2; exit 2 ;; esac
REPORT=${BENCH_REPORT:-$HERE/RESULTS.md}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$HERE/target/bench/$STAMP
mkdir -p "$OUT"
START_EPOCH=$(date +%s)
CLK_TCK=$(getconf CLK_TCK)
log() { echo "[bench $(date -u +%H:%M:%S)] $*" | tee -a "$OUT/run.log" >&2; }

for tool in java python3 curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool on the PATH" >&2; exit 2; }
done
MYSQL_CLIENT=$(command -v mariadb || command -v mysql || true)
[ -n "$MYSQL_CLIENT" ] || { echo "needs the mariadb (or mysql) client on the PATH" >&2; exit 2; }
# 10,000 idle connections need as many descriptors in the gateway and in Gatling
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---- processes: every one started here is remembered and stopped on exit ----
PIDS=()
SCRATCH=""
# a process and its descendants, children first found by parent id (no name matching)
tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree "$child"; done
  echo "$1"
}
cleanup() {
  local pid all=()
  for pid in "${PIDS[@]}"; do all+=($(tree "$pid")); done
  for pid in "${all[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${all[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ -n "$SCRATCH" ]; then rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# waits (at most $2 seconds) until URL $1 answers 200
await_ok() {
  local url=$1 limit=$2 i
  for i in $(seq 1 $((limit * 10))); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url")" = 200 ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

# ---- build ----
mvnw() { "$ROOT/mvnw" -B -q "$@"; }
JAR=$ROOT/target/wxgate-0.1.0-SNAPSHOT.jar
if [ "$BUILD" = yes ] || [ ! -f "$JAR" ]; then
  log "building the gateway jar"
  (cd "$ROOT" && { mvnw -o -DskipTests package || mvnw -DskipTests package; })
fi
log "compiling the simulations"
(cd "$HERE" && { mvnw -o test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test \
  || mvnw test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test; }) >/dev/null
CP="$HERE/target/test-classes:$(cat "$HERE/target/classpath.txt")"

# ---- MariaDB and Redis: the machine's when they answer, else our own in a scratch folder ----
DB_PORT=3306
REDIS_PORT=6379
if ! answers 3306 || ! answers 6379; then
  command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null && command -v redis-server >/dev/null || {
    echo "MariaDB/Redis do not answer on 127.0.0.1:3306/6379 and mariadbd/redis-server are not installed" >&2; exit 2; }
  SCRATCH=$(mktemp -d /tmp/wxgate-bench.XXXXXX)
  if ! answers 3306; then
    DB_PORT=$(free_port)
    log "starting MariaDB on 127.0.0.1:$DB_PORT ($SCRATCH)"
    mariadb-install-db --no-defaults --user=root --datadir="$SCRATCH/mariadb" --auth-root-authentication-method=normal \
      --skip-test-db >"$OUT/mariadb-install.log" 2>&1
    mariadbd --no-defaults --user=root --datadir="$SCRATCH/mariadb" --port="$DB_PORT" --bind-address=127.0.0.1 \
      --socket="$SCRATCH/mariadb.sock" --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --max-connections=500 >"$OUT/mariadb.log" 2>&1 &
    PIDS+=($!)
  fi
  if ! answers 6379; then
    REDIS_PORT=$(free_port)
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir "$SCRATCH" >"$OUT/redis.log" 2>&1 &
    PIDS+=($!)
  fi
  for _ in $(seq 1 300); do answers "$DB_PORT" && answers "$REDIS_PORT" && break; sleep 0.1; done
fi
sql() { "$MYSQL_CLIENT" -h127.0.0.1 -P"$DB_PORT" -uroot -N -B "$@"; }
for _ in $(seq 1 100); do sql -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done
log "fresh database $DB"
sql -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

for port in "$GW_PORT" "$SB_PORT"; do
  if answers "$port"; then echo "127.0.0.1:$port is taken; set BENCH_GATEWAY_PORT / BENCH_SANDBOX_PORT" >&2; exit 2; fi
done

# ---- APIv3: the merchant's key pair, its APIv3 key and WeChat Pay's key pair, made for this run only ----
SANDBOX_PAY_ARGS=()
GATEWAY_PAY_ENV=(WXGATE_PAY_API_VERSION=v2 WXGATE_PAY_API_KEY=$PAY_KEY WXGATE_PAY_NOTIFY_URL="$GW/api/v1/pay/notify")
if [ "$PAY_API" = v3 ]; then
  command -v openssl >/dev/null || { echo "BENCH_PAY_API=v3 needs openssl" >&2; exit 2; }
  KEYS=$OUT/keys
  mkdir -m 700 "$KEYS"
  for who in merchant wechatpay; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEYS/$who.key.pem" 2>/dev/null
    openssl pkey -in "$KEYS/$who.key.pem" -pubout -out "$KEYS/$who.pub.pem"
  done
  openssl rand -hex 16 | tr -d '\n' >"$KEYS/api_v3_key"
  SERIAL=$(openssl rand -hex 20 | tr 'a-f' 'A-F' | sed 's/^0/1/')
  KEY_ID=PUB_KEY_ID_01$(openssl rand -hex 14 | tr -dc '0-9' | head -c 26)
  SANDBOX_PAY_ARGS=(--sandbox.merchants[0].mch-id=$MCH_ID --sandbox.merchants[0].api-key=$PAY_KEY
    --sandbox.merchants[0].appid=$APPID --sandbox.merchants[0].api-v3-key="$(cat "$KEYS/api_v3_key")"
    --sandbox.merchants[0].merchant-public-key="$(cat "$KEYS/merchant.pub.pem")"
    --sandbox.merchants[0].merchant-serial-no="$SERIAL"
    --sandbox.wechatpay.private-key="$(cat "$KEYS/wechatpay.key.pem")" --sandbox.wechatpay.public-key-id="$KEY_ID")
  GATEWAY_PAY_ENV=(WXGATE_PAY_API_VERSION=v3 WXGATE_PAY_NOTIFY_URL="$GW/api/v1/pay/notify/v3"
    WXGATE_PAY_MERCHANT_SERIAL_NO="$SERIAL" WXGATE_PAY_PRIVATE_KEY_FILE="$KEYS/merchant.key.pem"
    WXGATE_PAY_API_V3_KEY_FILE="$KEYS/api_v3_key" WXGATE_PAY_PUBLIC_KEY_ID="$KEY_ID"
    WXGATE_PAY_PUBLIC_KEY_FILE="$KEYS/wechatpay.pub.pem")
  log "WeChat Pay APIv3, keys for this run in $KEYS"
fi

# ---- the sandbox: its own process; notify retries 100x faster so a refused notify comes back within the run ----
log "starting the WeChat sandbox on $SB"
WXGATE_SANDBOX_PORT=$SB_PORT java -Xmx1g -Dloader.main=io.wxgate.sandbox.SandboxApplication -jar "$JAR" \
  --sandbox.notify.time-scale=0.01 "${SANDBOX_PAY_ARGS[@]}" >"$OUT/sandbox.log" 2>&1 &
SB_PID=$!
PIDS+=("$SB_PID")
await_ok "$SB/actuator/health" 120 || { echo "the sandbox did not start; see $OUT/sandbox.log" >&2; exit 1; }

# ---- /proc readings of the gateway process ----
gateway_alive() { kill -0 "$GW_PID" 2>/dev/null && echo 1 || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$GW_PID/stat" 2>/dev/null || echo 0; }
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$GW_PID/status" 2>/dev/null || echo 0; }
heap_used_kb() { jcmd "$GW_PID" GC.heap_info 2>/dev/null | sed -nE 's/.*heap +total [0-9]+K, used ([0-9]+)K.*/\1/p' | head -1; }
established() { ss -Htn state established "( sport = :$GW_PORT )" 2>/dev/null | wc -l; }

gatling() { # NAME CLASS BOUND_SECONDS [-Dprop=value ...]
  local name=$1 class=$2 bound=$3
  shift 3
  mkdir -p "$OUT/$name"
  local rc=0
  # the JVM options gatling-maven-plugin gives Gatling
  timeout --kill-after=15 "$bound" java -server -XX:+HeapDumpOnOutOfMemoryError -XX:MaxInlineLevel=20 -XX:MaxTrivialSize=12 \
    --add-opens=java.base/java.lang=ALL-UNNAMED $GATLING_JAVA_OPTS -cp "$CP" \
    -Dgateway="$GW" -Dmanagement="$MG" -Dsandbox="$SB" -Dappid="$APPID" -Dtimeline="$OUT/$name/timeline.csv" "$@" \
    io.gatling.app.Gatling -s "io.wxgate.load.$class" -rf "$OUT/$name/gatling" -rd "$name" \
    >"$OUT/$name/gatling.out" 2>&1 || rc=$?
  echo "$rc"
}

# writes NAME/run.json (what ran; the gateway's CPU ticks, RSS and threads before and after), then checks exactly-once
record() { # NAME ROLE LABEL CLASS RC CPU0 RSS0 T0 T1 NOTIFY0 EXTRA_JSON
  python3 "$HERE/bench.py" record "$OUT/$1/run.json" "${11}" name="$1" role="$2" label="$3" simulation="$4" \
    exit_code="$5" cpu_ticks_before="$6" cpu_ticks_after="$(cpu_ticks)" clk_tck="$CLK_TCK" rss_kb_before="$7" \
    rss_kb_after="$(status_kb VmRSS)" rss_kb_peak="$(status_kb VmHWM)" threads_after="$(status_kb Threads)" \
    started_ms="$8" ended_ms="$9" notifies_before="${10}" notifies_after="$(sql "$DB" -e 'SELECT COUNT(*) FROM pay_notify')" \
    gateway_alive="$(gateway_alive)"
  python3 "$HERE/bench.py" check --sandbox "$SB" --mysql "$MYSQL_CLIENT" --port "$DB_PORT" --db "$DB" \
    --wait "$CHECK_WAIT" --out "$OUT/$1/exactly-once.json" 2>>"$OUT/run.log" | tee -a "$OUT/run.log" >&2 || true
}

wanted() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

# one run: NAME ROLE LABEL CLASS HOLD_SECONDS JSON_EXTRA [-Dprop=value ...]; skipped past the time budget
run() {
  local name=$1 role=$2 label=$3 class=$4 seconds=$5 extra=$6
  shift 6
  local elapsed=$(( $(date +%s) - START_EPOCH )) group=$role
  case "$role" in base|c1|c2) group=purchase ;; esac
  wanted "$group" || return 0
  if [ "$(gateway_alive)" = 0 ] || [ $((elapsed + seconds + 60)) -gt "$MAX_SECONDS" ]; then
    log "SKIPPED $name: the gateway is gone (see gateway.log) or the run would end past BENCH_MAX_SECONDS=$MAX_SECONDS"
    mkdir -p "$OUT/$name"
    echo "{\"name\":\"$name\",\"role\":\"$role\",\"label\":\"$label\",\"skipped\":true}" >"$OUT/$name/run.json"
    return
  fi
  log "run $name: $label"
  # no fault left over from a run that broke off before its after()
  curl -s -o /dev/null --max-time 5 -X DELETE "$SB/sandbox/faults" || true
  local cpu0 rss0 t0 t1 n0 rc
  n0=$(sql "$DB" -e 'SELECT COUNT(*) FROM pay_notify')
  cpu0=$(cpu_ticks); rss0=$(status_kb VmRSS); t0=$(date +%s%3N)
  rc=$(gatling "$name" "$class" $((seconds + 90)) "$@")
  t1=$(date +%s%3N)
  record "$name" "$role" "$label" "$class" "$rc" "$cpu0" "$rss0" "$t0" "$t1" "$n0" "$extra"
}

if [ "$MODE" = quick ]; then
  CHECK_WAIT=30
  COLD_USERS=10; COLD_SECONDS=10
  BASE_USERS=20; C1_USERS=40; C2_USERS=80; P_RAMP=2; BASE_RAMP=2; P_HOLD=8
  OVER_SECONDS=10; OVER_CAP=40
  FIX_USERS=8; FIX_SECONDS=4
  SLOW_USERS=100; SLOW_RAMP=2; SLOW_HOLD=8
  IDLE_CONNS=300; IDLE_RAMP=4; IDLE_HOLD=8; IDLE_LOGIN_RATE=5
else
  CHECK_WAIT=90
  COLD_USERS=50; COLD_SECONDS=10
  BASE_USERS=200; C1_USERS=2000; C2_USERS=5000; P_RAMP=10; BASE_RAMP=40; P_HOLD=50
  OVER_SECONDS=30; OVER_CAP=100000
  FIX_USERS=64; FIX_SECONDS=20
  SLOW_USERS=2000; SLOW_RAMP=5; SLOW_HOLD=30
  IDLE_CONNS=10000; IDLE_RAMP=30; IDLE_HOLD=30; IDLE_LOGIN_RATE=20
fi
echo "{\"mode\":\"$MODE\",\"started\":\"$STAMP\",\"gateway_java_opts\":\"$GATEWAY_JAVA_OPTS\",\"nproc\":$(nproc),\"java\":\"$(java -version 2>&1 | head -1 | tr -d '"')\",\"git\":\"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')\",\"load_before\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"tcp_tw_reuse\":\"$(cat /proc/sys/net/ipv4/tcp_tw_reuse 2>/dev/null)\",\"somaxconn\":\"$(cat /proc/sys/net/core/somaxconn 2>/dev/null)\",\"nofile\":\"$(ulimit -n)\",\"only\":\"$ONLY\",\"pay_api\":\"$PAY_API\"}" >"$OUT/bench.json"

# ---- cold start: Gatling first (it waits on readiness), then the gateway ----
mkdir -p "$OUT/coldstart"
log "starting the gateway on $GW (prod profile, $GATEWAY_JAVA_OPTS) and the cold-start run behind it"
COLD_RC_FILE=$OUT/coldstart/rc
( gatling coldstart ColdStartSimulation $((COLD_SECONDS + 300)) -Dusers="$COLD_USERS" -Dseconds="$COLD_SECONDS" >"$COLD_RC_FILE" ) &
COLD_PID=$!
PIDS+=("$COLD_PID")
(
  cd "$ROOT"
  export SPRING_PROFILES_ACTIVE=prod WXGATE_PORT=$GW_PORT \
    WXGATE_DB_R2DBC_URL="r2dbc:mysql://127.0.0.1:$DB_PORT/$DB?useServerPrepareStatement=false" \
    WXGATE_DB_JDBC_URL="jdbc:mariadb://127.0.0.1:$DB_PORT/$DB" WXGATE_DB_USER=root WXGATE_DB_PASSWORD= \
    WXGATE_REDIS_HOST=127.0.0.1 WXGATE_REDIS_PORT=$REDIS_PORT \
    WXGATE_MINIAPP_APPID=$APPID WXGATE_MINIAPP_SECRET=$APP_SECRET \
    WXGATE_PAY_MCH_ID=$MCH_ID
  export "${GATEWAY_PAY_ENV[@]}"
  exec java $GATEWAY_JAVA_OPTS -jar "$JAR" --wechat.miniapp.base-url="$SB" --wechat.pay.base-url="$SB" \
    --spring.data.redis.database="$REDIS_DB" --management.server.port="$MG_PORT"
) >"$OUT/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
GW_STARTED_MS=$(date +%s%3N)
await_ok "$MG/actuator/health/readiness" 180 || { echo "the gateway did not get ready; see $OUT/gateway.log" >&2; exit 1; }
READY_MS=$(date +%s%3N)
log "gateway ready after $((READY_MS - GW_STARTED_MS)) ms (pid $GW_PID)"
CPU_READY=$(cpu_ticks); RSS_READY=$(status_kb VmRSS)
wait "$COLD_PID" || true
record coldstart coldstart "purchase right after readiness, $COLD_USERS users" ColdStartSimulation \
  "$(cat "$COLD_RC_FILE" 2>/dev/null || echo 1)" "$CPU_READY" "$RSS_READY" "$READY_MS" "$(date +%s%3N)" 0 \
  "{\"ready_ms\":$READY_MS,\"gateway_started_ms\":$GW_STARTED_MS,\"users\":$COLD_USERS,\"seconds\":$COLD_SECONDS,\"ramp_s\":0,\"hold_s\":$COLD_SECONDS}"

# ---- the purchase, closed model: a baseline, then 2,000 and 5,000 users with WeChat at 0 / 200 / 1,000 ms ----
purchase() { # NAME ROLE USERS WECHAT_MS [RAMP_SECONDS]
  local ramp=${5:-$P_RAMP}
  run "$1" "$2" "purchase, $3 users, WeChat $4 ms" PurchaseClosedSimulation $((ramp + P_HOLD)) \
    "{\"users\":$3,\"wechat_ms\":$4,\"ramp_s\":$ramp,\"hold_s\":$P_HOLD}" \
    -Dusers="$3" -DwechatMs="$4" -DrampSeconds="$ramp" -Dseconds="$P_HOLD"
}
# the baseline's longer ramp is the JVMs' warm-up (the gateway's JIT is still busy a minute after start): its
# throughput, counted after the ramp, is compared with the later runs', which all find a warm gateway
purchase purchase-base-0ms base "$BASE_USERS" 0 "$BASE_RAMP"
for users_role in "$C1_USERS:c1" "$C2_USERS:c2"; do
  for ms in 0 200 1000; do
    purchase "purchase-${users_role%%:*}-${ms}ms" "${users_role##*:}" "${users_role%%:*}" "$ms"
  done
done

# ---- overload: about 10x the best purchase rate measured above, open model ----
PEAK=$(python3 "$HERE/bench.py" peak "$OUT")
RATE=$(python3 -c "import math; print(max(1, min($OVER_CAP, math.ceil(10 * $PEAK))))")
run overload overload "purchase at $RATE new users/s (10x the peak of $PEAK purchases/s)" OverloadSimulation "$OVER_SECONDS" \
  "{\"rate\":$RATE,\"peak\":$PEAK,\"seconds\":$OVER_SECONDS,\"hold_s\":$OVER_SECONDS,\"ramp_s\":0}" \
  -Drate="$RATE" -Dseconds="$OVER_SECONDS" -DwaitOutRefusals=false

# ---- ping / getinfo / duplicate notify at the same fixed concurrency, in one run ----
NOTIFY_BODY=$OUT/fixed/notify.xml
mkdir -p "$OUT/fixed"
sql "$DB" --raw -e "SELECT raw_body FROM pay_notify WHERE verdict = 'APPLIED' ORDER BY id LIMIT 1" >"$NOTIFY_BODY"
if ! wanted fixed || [ "$PAY_API" = v3 ]; then
  rm -rf "$OUT/fixed"
elif [ -s "$NOTIFY_BODY" ]; then
  truncate -s -1 "$NOTIFY_BODY" # the client's trailing newline
  run fixed fixed "ping, /getinfo/, duplicate notify: $FIX_USERS users each, ${FIX_SECONDS} s each" FixedConcurrencySimulation \
    $((FIX_SECONDS * 3 + 10)) "{\"users\":$FIX_USERS,\"seconds_each\":$FIX_SECONDS}" \
    -Dusers="$FIX_USERS" -Dseconds="$FIX_SECONDS" -DnotifyBodyFile="$NOTIFY_BODY"
else
  log "SKIPPED fixed: no applied notify in $DB to re-send"
  echo '{"name":"fixed","role":"fixed","label":"ping, /getinfo/, duplicate notify","skipped":true}' >"$OUT/fixed/run.json"
fi

# ---- slow login: WeChat answers jscode2session after 1 s ----
run slowlogin slowlogin "login, $SLOW_USERS users, WeChat 1,000 ms" SlowLoginSimulation $((SLOW_RAMP + SLOW_HOLD)) \
  "{\"users\":$SLOW_USERS,\"wechat_ms\":1000,\"ramp_s\":$SLOW_RAMP,\"hold_s\":$SLOW_HOLD}" \
  -Dusers="$SLOW_USERS" -DwechatMs=1000 -DrampSeconds="$SLOW_RAMP" -Dseconds="$SLOW_HOLD"

# ---- idle connections held while logins are answered; the heap read while they are all open ----
# samples every second: once all the connections are open (or, counted from the first of them, the ramp and half the
# hold have passed), the heap in use, then again after a full GC; bounded in count
heap_watch() {
  local baseline best=0 n now first=0 used live
  baseline=$(established)
  for _ in $(seq 1 $((IDLE_RAMP + IDLE_HOLD + 120))); do
    n=$(established)
    now=$(date +%s)
    [ "$n" -gt "$best" ] && best=$n
    [ "$first" = 0 ] && [ "$n" -gt $((baseline + 10)) ] && first=$now
    if [ "$n" -ge "$IDLE_CONNS" ] || { [ "$first" != 0 ] && [ $((now - first)) -ge $((IDLE_RAMP + IDLE_HOLD / 2)) ]; }; then
      used=$(heap_used_kb)
      jcmd "$GW_PID" GC.run >/dev/null 2>&1 || true
      live=$(heap_used_kb)
      echo "{\"connections_at_reading\":$n,\"connections_max\":$best,\"heap_used_kb\":${used:-0},\"heap_after_gc_kb\":${live:-0}}"
      return
    fi
    sleep 1
  done
  echo "{\"connections_max\":$best}"
}
if wanted idle; then
heap_watch >"$OUT/idle-heap.json" &
HEAP_PID=$!
PIDS+=("$HEAP_PID")
run idle idle "$IDLE_CONNS idle connections held while $IDLE_LOGIN_RATE users/s log in" IdleConnectionsSimulation \
  $((IDLE_RAMP + IDLE_HOLD)) "{\"connections\":$IDLE_CONNS,\"login_rate\":$IDLE_LOGIN_RATE,\"ramp_s\":$IDLE_RAMP,\"hold_s\":$IDLE_HOLD}" \
  -Dconnections="$IDLE_CONNS" -DloginRate="$IDLE_LOGIN_RATE" -DrampSeconds="$IDLE_RAMP" -DholdSeconds="$IDLE_HOLD" \
  -Dgatling.http.pooledConnectionIdleTimeout=$(( (IDLE_RAMP + IDLE_HOLD + 60) * 1000 ))
wait "$HEAP_PID" 2>/dev/null || true
[ -f "$OUT/idle/run.json" ] && python3 - "$OUT/idle/run.json" "$OUT/idle-heap.json" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))
try:
    run["heap"] = json.load(open(sys.argv[2]))
except ValueError:
    run["heap"] = {}
json.dump(run, open(sys.argv[1], "w"), indent=1)
EOF
fi

# ---- the report ----
log "writing $REPORT"
python3 "$HERE/bench.py" report "$OUT" "$REPORT"
ln -sfn "$OUT" "$HERE/target/bench/latest"
log "done in $(( $(date +%s) - START_EPOCH )) s; raw data and Gatling's HTML reports in $OUT"
