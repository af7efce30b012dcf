"""cffi out-of-line API-mode build of aerospike_cffi._aerospike_cffi.

The extension is the C shim (aerospike_cffi/_shim/shim.c) linked with the Aerospike C
client. By default the C client is built once from the PyPI sdist of the official client
(libs/build_c_client.py) and linked statically; its symbols stay private
(-Wl,--exclude-libs,ALL), so it cannot clash with another copy in the same process.

Environment:
  AEROSPIKE_CFFI_SYSTEM_CLIENT=1     link a system-installed libaerospike (-laerospike)
  AEROSPIKE_C_HOME=/prefix           with it: headers in /prefix/include, library in /prefix/lib
  AEROSPIKE_CFFI_C_CACHE=/dir        where the bundled C client build is cached
"""

import os
import sys

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, "aerospike_cffi", "_shim")
sys.path.insert(0, os.path.join(HERE, "libs"))

# The C client's own dependencies: libaerospike declares none of them itself.
C_CLIENT_DEPS = ["ssl", "crypto", "z", "yaml", "m", "pthread", "rt"]
# The C client is built with its async API over libev (libs/build_c_client.py, EVENT_LIB).
C_CLIENT_DEPS.append("ev")


def _read(name):
    with open(os.path.join(SHIM, name)) as f:
        return f.read()


def _link_options():
    if os.environ.get("AEROSPIKE_CFFI_SYSTEM_CLIENT"):
        home = os.environ.get("AEROSPIKE_C_HOME")
        return dict(
            include_dirs=[os.path.join(home, "include")] if home else [],
            library_dirs=[os.path.join(home, "lib")] if home else [],
            libraries=["aerospike"] + C_CLIENT_DEPS,
        )
    import build_c_client

    prefix = build_c_client.build()
    return dict(
        include_dirs=[os.path.join(prefix, "include")],
        extra_objects=[os.path.join(prefix, "lib", "libaerospike.a")],
        libraries=C_CLIENT_DEPS,
        extra_link_args=["-Wl,--exclude-libs,ALL"],
    )


ffibuilder = FFI()
ffibuilder.cdef(_read("c_client.h"))
ffibuilder.cdef(_read("shim.h"))
ffibuilder.cdef("""
    extern "Python+C" void _aerospike_cffi_log(int level, const char* func, const char* file,
                                               uint32_t line, const char* msg);
""")
# Metrics listener events (shim_metrics.c), called from the C client's threads.
ffibuilder.cdef("""
    extern "Python+C" int _aerospike_cffi_metrics(int event, uint64_t handle, const uint8_t* data,
                                                  size_t len, char* message, size_t message_size);
""")

ffibuilder.set_source(
    "aerospike_cffi._aerospike_cffi",
    """
    #include <aerospike/aerospike.h>
    #include <aerospike/as_config.h>
    #include <aerospike/as_exp.h>
    #include <aerospike/as_policy.h>
    #include <aerospike/as_key.h>
    #include "shim.h"
    """,
    sources=[os.path.join("aerospike_cffi", "_shim", name) for name in ("shim.c", "shim_batch.c", "shim_stream.c", "shim_admin.c",
                                                                  "shim_marshal.c", "shim_pickle.c",
                                                                  "shim_txn.c", "shim_metrics.c",
                                                                  "shim_udf.c", "shim_async.c",
                                                                  "shim_batch_keys.c")],
    extra_compile_args=["-I" + SHIM, "-std=gnu99", "-O2", "-fno-strict-aliasing"] +
    ["-DAS_USE_LIBEV"],  # the C client's headers describe its libev build
    **_link_options()
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
