# Builds the jail's root and starts the runner in it. Run by /bin/sh as root of a fresh user namespace,
# inside fresh mount, PID, network, IPC and UTS namespaces (see judge.py):
#   jail.sh ROOT PREFIX PYTHON JAIL_UID WORK_BYTES RUNNER_SOURCE [IMAGE ENTRY...]
# ROOT: an empty directory to build in; PREFIX: the Python installation; JAIL_UID: the uid (and gid) the runner
# drops to. With IMAGE (a copy of the interpreter, its libraries and setpriv on a tmpfs, built by image.py), the
# jail sees that image and nothing else of the host: each ENTRY is one of its top-level names, bound read-only,
# or NAME=TARGET for a top-level symlink. Without it, PREFIX and the system libraries are bound from the host.
# Few external commands: each costs a fork and exec on every verification.
set -eu
R=$1 PREFIX=$2 PY=$3 JUID=$4 SIZE=$5 RUNNER=$6
shift 6
# noexec: nothing the solution writes (to /work, or anywhere in this tmpfs) can be mapped as code or executed.
mount -t tmpfs -o "size=$SIZE,mode=0755,nosuid,nodev,noexec" jail "$R"
cd "$R"
mkdir -p dev work .old proc
for d in null zero urandom; do : > "dev/$d"; done
if [ $# -gt 0 ]; then
  IMAGE=$1
  shift
  for e in "$@"; do
    case $e in
      *=*) ln -s "${e#*=}" "${e%%=*}" ;;
      *) mkdir "$e"; mount -o bind,ro,nosuid "$IMAGE/$e" "$e" ;;
    esac
  done
else
  mkdir -p ".$PREFIX" usr/lib usr/lib64 usr/bin
  : > usr/bin/setpriv
  ro() { mount -o bind,ro,nosuid "$1" ".$1"; }
  ro "$PREFIX"
  [ -L /usr/lib ] || ro /usr/lib
  [ -d /usr/lib64 ] && [ ! -L /usr/lib64 ] && ro /usr/lib64
  # merged /usr (/lib -> usr/lib) stays a symlink; otherwise the directory is bound too
  for l in lib lib64; do
    if [ -L "/$l" ]; then ln -s "usr/$l" "$l"; elif [ -d "/$l" ]; then mkdir "$l"; ro "/$l"; fi
  done
  ro /usr/bin/setpriv
fi
for d in null zero urandom; do mount -o bind "/dev/$d" "dev/$d"; done
[ "$JUID" = 0 ] || chown "$JUID:$JUID" work
chmod 0700 work 2>/dev/null || true
# umount needs a /proc; the old root (the host) goes away lazily, then that /proc too.
mount -t proc proc proc
# Memory no rlimit counts, closed in the jail's own namespaces (the host's settings are untouched): a nested user
# namespace (its own tmpfs mounts, unbounded), SysV shared memory, message queues and semaphores, POSIX message
# queues. Native code that got to run held 2 GiB of shm under a 512 MiB limit. A kernel that refuses one of these
# writes ends the jail here, naming the file.
limit() { echo "$2" > "proc/sys/$1"; }
limit user/max_user_namespaces 0
limit kernel/shmmax 0; limit kernel/shmall 0; limit kernel/shmmni 0
limit kernel/msgmni 0; limit kernel/sem "0 0 0 0"; limit fs/mqueue/queues_max 0
# No in-memory file is executable (Linux 6.3+). Only a jail started by root may set it; elsewhere native code run from
# one stays within every limit above.
if [ -e proc/sys/vm/memfd_noexec ]; then limit vm/memfd_noexec 2 2>/dev/null || :; fi
pivot_root . .old
/.old/usr/bin/umount -l /.old /proc
cd /work
if [ "$JUID" = 0 ]; then GROUPS_OPT=--keep-groups; else GROUPS_OPT=--clear-groups; fi
exec /usr/bin/setpriv --reuid="$JUID" --regid="$JUID" $GROUPS_OPT --no-new-privs --inh-caps=-all \
  --bounding-set=-all --pdeathsig=KILL -- "$PY" -I -S -B -c "$RUNNER"
