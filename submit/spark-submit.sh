#!/usr/bin/env bash
# Runs a spark-posttrain command on a cluster (YARN, Kubernetes, standalone) through spark-submit.
# See usage() below, or run it with --help. Needs $SPARK_HOME/bin/spark-submit (or spark-submit on
# PATH) and the cluster jar: mvn -Pcluster -DskipTests package.
set -euo pipefail
HOME_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<'EOF'
usage: submit/spark-submit.sh --master URL [options] <command> [command options]

Submits ai.posttrain.cli.Main from the cluster jar with spark-submit. <command> and everything
after it go to the application unchanged: pipeline [--run DIR] | stage NAME [--run DIR] | eval ...

options:
  --master URL           yarn | k8s://https://HOST:PORT | spark://HOST:PORT | local[N]   (required)
  --deploy-mode MODE     client (the driver runs here) or cluster (default: client)
  --executors N          executors (default 2); also posttrain.train.workers = N x executor cores
  --executor-cores N     cores per executor (default 1)
  --executor-memory SIZE JVM heap per executor, e.g. 4g (default 4g)
  --executor-offheap SIZE ND4J off-heap arrays per executor, added to the container (default 4g)
  --driver-memory SIZE   driver heap (default 4g)
  --conf FILE            the HOCON configuration; shipped with the job (--files) and passed as --conf
  --jar JAR              the cluster jar (default: target/spark-posttrain-*-cluster.jar)
  --name NAME            the Spark application name (default: spark-posttrain-<command>)
  --spark-conf K=V       a Spark setting passed to spark-submit as --conf K=V (repeatable)
  --dry-run              print the spark-submit command instead of running it
  -h, --help             this text
EOF
}

die() { echo "spark-submit.sh: $*" >&2; echo "run 'submit/spark-submit.sh --help' for the options" >&2; exit 2; }

# "4g", "512m" -> megabytes.
megabytes() {
  local v=${1,,}
  [[ $v =~ ^([0-9]+)([mg])$ ]] || die "size '$1' for $2: expected a number with m or g, e.g. 4g"
  if [ "${BASH_REMATCH[2]}" = g ]; then echo $((BASH_REMATCH[1] * 1024)); else echo "${BASH_REMATCH[1]}"; fi
}

positive() { [[ $1 =~ ^[1-9][0-9]*$ ]] || die "$2 must be a positive whole number, got '$1'"; }

need_value() { [ $# -ge 2 ] && [ -n "$2" ] && [[ $2 != --* ]] || die "$1 needs a value"; }

master="" deploy_mode=client executors=2 cores=1 executor_memory=4g offheap=4g driver_memory=4g
conf_file="" jar="" name="" dry_run=false spark_confs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --master) need_value "$@"; master=$2; shift 2 ;;
    --deploy-mode) need_value "$@"; deploy_mode=$2; shift 2 ;;
    --executors) need_value "$@"; executors=$2; shift 2 ;;
    --executor-cores) need_value "$@"; cores=$2; shift 2 ;;
    --executor-memory) need_value "$@"; executor_memory=$2; shift 2 ;;
    --executor-offheap) need_value "$@"; offheap=$2; shift 2 ;;
    --driver-memory) need_value "$@"; driver_memory=$2; shift 2 ;;
    --conf) need_value "$@"; conf_file=$2; shift 2 ;;
    --jar) need_value "$@"; jar=$2; shift 2 ;;
    --name) need_value "$@"; name=$2; shift 2 ;;
    --spark-conf) need_value "$@"; [[ $2 == *=* ]] || die "--spark-conf expects KEY=VALUE, got '$2'"
                  spark_confs+=(--conf "$2"); shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    --*) die "unknown option '$1'" ;;
    *) break ;;
  esac
done

[ $# -gt 0 ] || { usage >&2; die "missing the command (pipeline, stage NAME, eval, ...)"; }
command=$1
[ -n "$master" ] || die "--master is required (yarn, k8s://https://HOST:PORT, spark://HOST:PORT or local[N])"
case "$master" in yarn|k8s://*|spark://*|local|local\[*\]) ;; *) die "unsupported --master '$master'" ;; esac
case "$deploy_mode" in client|cluster) ;; *) die "--deploy-mode must be client or cluster, got '$deploy_mode'" ;; esac
positive "$executors" --executors
positive "$cores" --executor-cores
executor_mb=$(megabytes "$executor_memory" --executor-memory)
offheap_mb=$(megabytes "$offheap" --executor-offheap)
driver_mb=$(megabytes "$driver_memory" --driver-memory)
# Code-reward jails: reward.sandbox.max-concurrent x (memory-mb + work-dir-mb + 16 in-memory files of max-file-mb)
# at the defaults (2 x 800m).
sandbox_mb=${POSTTRAIN_SANDBOX_MB:-1600}

if [ -z "$jar" ]; then
  jar=$(ls "$HOME_DIR"/target/spark-posttrain-*-cluster.jar 2>/dev/null | head -n 1 || true)
  [ -n "$jar" ] || die "no cluster jar in target/: build it with 'mvn -Pcluster -DskipTests package' or pass --jar"
fi
case "$jar" in *://*) ;; *) [ -f "$jar" ] || die "--jar: file not found: $jar" ;; esac

spark_submit=${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit
if ! $dry_run && ! command -v "$spark_submit" >/dev/null; then
  die "cannot find $spark_submit: set SPARK_HOME to a Spark 3.5 installation"
fi

# JVM flags every driver and executor needs (Java 17 module opens, DL4J's clock, the throughput
# collector: under G1, stop-the-world pauses were 15 % of the RL stage's wall time), plus ND4J's
# off-heap caps: arrays live outside the heap and are freed by GC, so the caps make JavaCPP (live native
# bytes) and posttrain's OffHeapGuard (resident size) collect before the container's limit kills the executor.
jvm_flags=$(grep -v '^#' "$HOME_DIR/submit/java-opens.txt" | paste -sd ' ')
executor_opts="$jvm_flags -Dorg.bytedeco.javacpp.maxbytes=${offheap_mb}m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dposttrain.physical-memory-cap=$((executor_mb + offheap_mb + 1024))m"
driver_opts="$jvm_flags -Dorg.bytedeco.javacpp.maxbytes=${offheap_mb}m -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -Dposttrain.physical-memory-cap=$((driver_mb + offheap_mb + 1024))m"

args=(--master "$master" --deploy-mode "$deploy_mode" --class ai.posttrain.cli.Main
      --name "${name:-spark-posttrain-$command}"
      --driver-memory "$driver_memory" --executor-memory "$executor_memory" --executor-cores "$cores"
      --driver-java-options "$driver_opts"
      --conf "spark.executor.extraJavaOptions=$executor_opts"
      --conf "spark.executor.memoryOverhead=$((offheap_mb + 512 + sandbox_mb))m"
      --conf spark.executorEnv.OMP_NUM_THREADS=1)
case "$master" in
  spark://*) args+=(--total-executor-cores $((executors * cores))) ;;
  local*) ;;
  *) args+=(--num-executors "$executors") ;;
esac
# One BLAS thread per task thread in the driver too, where the cluster manager starts it.
case "$master" in
  yarn) args+=(--conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1) ;;
  k8s://*) args+=(--conf spark.kubernetes.driverEnv.OMP_NUM_THREADS=1) ;;
esac

# Training parallelism follows the executors, unless the command sets it itself.
app_args=("$@")
[[ " $* " == *" posttrain.train.workers="* ]] || app_args+=(--set "posttrain.train.workers=$((executors * cores))")
if [ -n "$conf_file" ]; then
  [ -f "$conf_file" ] || die "--conf: file not found: $conf_file"
  args+=(--files "$conf_file")
  # In cluster mode the driver runs elsewhere and finds the shipped file in its working directory.
  if [ "$deploy_mode" = cluster ]; then app_args+=(--conf "$(basename "$conf_file")"); else app_args+=(--conf "$conf_file"); fi
fi
args+=("${spark_confs[@]}" "$jar" "${app_args[@]}")

if $dry_run; then
  printf '%q ' "$spark_submit" "${args[@]}"; echo
  exit 0
fi
export OMP_NUM_THREADS=1
exec "$spark_submit" "${args[@]}"
