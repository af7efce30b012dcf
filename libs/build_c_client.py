"""Build the Aerospike C client (libaerospike.a) once and cache it.

The C client source ships inside the PyPI sdist of the official Python client
(``aerospike==19.3.0``, folder ``aerospike-client-c/``, C client 7.6.1).  This script
downloads that sdist with pip, runs the C client's own ``make``, and keeps
``lib/libaerospike.a`` and ``include/`` in the cache folder, so later builds of the cffi
extension (``pip install``, ``pip install -e``) reuse it.

    python libs/build_c_client.py            # prints the cache folder when done

Cache folder: ``$AEROSPIKE_CFFI_C_CACHE`` or ``libs/.cache/aerospike-client-c-7.6.1``.
Needs Debian's ``libssl-dev zlib1g-dev libyaml-dev libev-dev`` and a C compiler.
"""

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

SDIST = "aerospike==19.3.0"
C_CLIENT_VERSION = "7.6.1"
EVENT_LIB = "libev"  # the event library the async API is built for (Debian libev-dev)
HERE = os.path.dirname(os.path.abspath(__file__))


def cache_dir():
    return os.environ.get("AEROSPIKE_CFFI_C_CACHE") or os.path.join(
        HERE, ".cache", "aerospike-client-c-" + C_CLIENT_VERSION)


def is_built(path):
    return (os.path.exists(os.path.join(path, "lib", "libaerospike.a"))
            and os.path.isdir(os.path.join(path, "include", "aerospike"))
            and os.path.exists(os.path.join(path, "EVENT_LIB")))


def _fetch_source(workdir):
    """Download and unpack the sdist; return the aerospike-client-c folder."""
    local = os.environ.get("AEROSPIKE_CFFI_SDIST")  # a pre-downloaded .tar.gz, for offline builds
    if not local:
        subprocess.check_call([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                               "--no-binary", ":all:", SDIST, "-d", workdir])
        local = glob.glob(os.path.join(workdir, "aerospike-*.tar.gz"))[0]
    with tarfile.open(local) as tar:
        tar.extractall(workdir)
    return glob.glob(os.path.join(workdir, "aerospike-*", "aerospike-client-c"))[0]


def build(dest=None):
    dest = dest or cache_dir()
    if is_built(dest):
        return dest
    workdir = tempfile.mkdtemp(prefix="aerospike-c-build-")
    try:
        src = _fetch_source(workdir)
        jobs = str(os.cpu_count() or 2)
        # EXT_CFLAGS keeps the library position independent for linking into a shared object.
        # EVENT_LIB=libev compiles the C client's async API (aerospike_cffi.aio drives it from
        # one event-loop thread in the shim); the extension then links -lev.
        subprocess.check_call(["make", "-j" + jobs, "EXT_CFLAGS=-fPIC", "EVENT_LIB=" + EVENT_LIB],
                              cwd=src, stdout=subprocess.DEVNULL)
        target = glob.glob(os.path.join(src, "target", "*"))[0]
        tmp_dest = dest + ".partial"
        shutil.rmtree(tmp_dest, ignore_errors=True)
        os.makedirs(os.path.join(tmp_dest, "lib"))
        shutil.copy(os.path.join(target, "lib", "libaerospike.a"), os.path.join(tmp_dest, "lib"))
        shutil.copytree(os.path.join(target, "include"), os.path.join(tmp_dest, "include"))
        with open(os.path.join(tmp_dest, "EVENT_LIB"), "w") as f:  # marks a build with async
            f.write(EVENT_LIB + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(tmp_dest, dest)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return dest


if __name__ == "__main__":
    print(build())
