# Builds the jail's root and starts the runner in it. Run by /bin/sh as root of a fresh user namespace,
# inside fresh mount, PID, network, IPC and UTS namespaces (see judge.py):
#   jail.sh ROOT PREFIX PYTHON RUNNER JAIL_UID WORK_BYTES
# ROOT: an empty directory to build in; PREFIX: the Python installation (bound read-only with the system
# libraries, nothing else of the host); JAIL_UID: the uid (and gid) the runner drops to.
set -eu
R=$1 PREFIX=$2 PY=$3 RUNNER=$4 JUID=$5 SIZE=$6
mount -t tmpfs -o "size=$SIZE,mode=0755,nosuid,nodev" jail "$R"

# A host path at the same place in the jail, read-only; a symlink (e.g. /lib -> usr/lib) stays one.
ro_bind() {
  src=$1
  [ -e "$src" ] || [ -L "$src" ] || return 0
  if [ -L "$src" ]; then
    mkdir -p "$R$(dirname "$src")"
    [ -e "$R$src" ] || [ -L "$R$src" ] || ln -s "$(readlink "$src")" "$R$src"
    return 0
  fi
  if [ -d "$src" ]; then mkdir -p "$R$src"
  else mkdir -p "$R$(dirname "$src")"; [ -e "$R$src" ] || : > "$R$src"; fi
  mount --bind "$src" "$R$src"
  mount -o remount,bind,ro,nosuid "$R$src"
}
ro_bind "$PREFIX"
for p in /usr/lib /usr/lib64 /usr/lib32 /lib /lib64 /lib32 /usr/bin/setpriv; do ro_bind "$p"; done
mkdir -p "$R/dev"
for d in null zero urandom random; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mkdir -m 0700 "$R/work" "$R/tmp"
chown "$JUID:$JUID" "$R/work" "$R/tmp"
cp "$RUNNER" "$R/runner.py"
mkdir "$R/.old" "$R/proc"
# umount needs a /proc; the old root (the host) goes away lazily, then that /proc too.
mount -t proc proc "$R/proc"
cd "$R"
pivot_root . .old
/.old/usr/bin/umount -l /.old /proc
cd /work
if [ "$JUID" = 0 ]; then GROUPS_OPT=--keep-groups; else GROUPS_OPT=--clear-groups; fi
exec /usr/bin/setpriv --reuid="$JUID" --regid="$JUID" $GROUPS_OPT --no-new-privs --inh-caps=-all \
  --bounding-set=-all --pdeathsig=KILL -- "$PY" -I -S -B /runner.py
