"""Builds the jails' filesystem image: the interpreter, its standard library, the shared libraries they (and
jail.sh's umount) load and setpriv, copied into DEST at their host paths (symlinked path components recreated as symlinks).

    python -I -S image.py DEST    (DEST: an empty directory on a tmpfs, e.g. /dev/shm)

Why: files the jails read from the host's disk share the host's page cache, and a solution can evict a page
(posix_fadvise) in one jail and time reading it in the next: a covert channel between calls that should never
meet (a round trip's two calls answered each other through it). tmpfs pages have no disk behind them, so with
no swap they cannot be evicted and every read costs the same; and a jail that sees nothing of the host but this
image has no other shared file to signal through. Prints {"files": n, "bytes": n} on success.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig

# Parts of the standard library no solution needs (GUIs, terminals, databases, TLS, the test suite, packaging
# tools, third-party packages: the jail runs with -S, so site-packages was never importable), and the modules the
# runner's tripwires refuse (ctypes, multiprocessing): left out, they are absent even to a solution that disarms
# the tripwires. Their libraries (OpenSSL, Tk, ncurses, SQLite, Kerberos) stay out with them.
SKIP = {"test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages",
        "dist-packages", "pydoc_data", "venv", "__phello__", "sqlite3", "curses", "ctypes", "multiprocessing"}
SKIP_MODULES = ("_tkinter", "_test", "xxlimited", "_xxtest", "_ssl.", "_hashlib.", "_sqlite3.", "_curses", "readline.",
                "nis.", "_crypt.", "_ctypes", "_multiprocessing.", "_dbm.", "_gdbm.", "ossaudiodev.", "spwd.")


class Image:
    def __init__(self, dest):
        self.dest = os.path.realpath(dest)
        self.files = self.bytes = 0

    def add(self, path, seen=0):
        """Copies path (absolute) into the image at the same path, following symlinks the way the host does."""
        if seen > 40:
            raise OSError("symlink loop at " + path)
        parts = os.path.normpath(path).strip("/").split("/")
        cur = ""
        for i, part in enumerate(parts):
            cur += "/" + part
            if os.path.islink(cur):
                target = os.readlink(cur)
                at = self.dest + cur
                if not os.path.lexists(at):
                    os.makedirs(os.path.dirname(at), mode=0o755, exist_ok=True)
                    os.symlink(target, at)
                rest = "/".join(parts[i + 1:])
                resolved = os.path.normpath(os.path.join(os.path.dirname(cur), target))
                return self.add(resolved + ("/" + rest if rest else ""), seen + 1)
        at = self.dest + cur
        if os.path.isdir(cur):
            for name in sorted(os.listdir(cur)):
                self.add(cur + "/" + name, seen)
        elif os.path.isfile(cur) and not os.path.lexists(at):
            os.makedirs(os.path.dirname(at), mode=0o755, exist_ok=True)
            shutil.copy2(cur, at)  # with its mtime: a .pyc older than its source's copy would be recompiled at every start
            os.chmod(at, 0o755 if os.access(cur, os.X_OK) else 0o644)
            self.files += 1
            self.bytes += os.path.getsize(at)


def stdlib_files(stdlib):
    tag = sys.implementation.cache_tag + ".pyc"
    for top, dirs, names in os.walk(stdlib):
        if top == stdlib:
            dirs[:] = [d for d in dirs if d not in SKIP and not d.startswith("config-")]
        else:
            dirs[:] = [d for d in dirs if d not in SKIP]
        for n in names:
            if os.path.basename(top) == "__pycache__" and not n.endswith(tag):
                continue  # optimised variants (-O, -OO): the jail never runs with them
            if n.startswith(SKIP_MODULES):
                continue
            yield os.path.join(top, n)


def linked_libraries(objects):
    """The shared libraries (and the loader) that the ELF objects load, as ldd resolves them on the host."""
    out = subprocess.run(["ldd"] + objects, capture_output=True, text=True).stdout
    libs = set()
    for line in out.splitlines():
        words = line.split()
        for w in words:
            if w.startswith("/") and not w.endswith(":"):
                libs.add(w)
    return sorted(libs)


def main():
    dest = sys.argv[1]
    if os.listdir(dest):
        raise SystemExit("image directory not empty: " + dest)
    image = Image(dest)
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    setpriv = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
    if setpriv is None:
        raise SystemExit("setpriv not found")
    files = list(stdlib_files(stdlib))
    for f in files:
        image.add(f)
    executables = [os.path.realpath(sys.executable), setpriv]
    for e in executables:
        image.add(e)
    # jail.sh unmounts the host with the host's umount after pivot_root: by then it loads its libraries from here
    umount = shutil.which("umount", path="/usr/bin:/bin:/usr/sbin:/sbin")
    elf = [f for f in files if f.endswith(".so")] + executables + ([umount] if umount else [])
    for lib in linked_libraries(elf):
        image.add(lib)
    # glibc's locale for LANG=C.UTF-8, where it is a file (newer glibc has it built in)
    for loc in ("/usr/lib/locale/C.utf8", "/usr/lib/locale/C.UTF-8"):
        if os.path.exists(loc):
            image.add(loc)
    os.chmod(image.dest, 0o755)
    print(json.dumps({"files": image.files, "bytes": image.bytes}))


if __name__ == "__main__":
    main()
