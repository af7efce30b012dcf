"""setuptools hook for the cffi extension; all metadata lives in pyproject.toml.

The sdist also carries the Aerospike C client source (libs/aerospike-client-c/, Apache
License 2.0), so that building from it needs no network: see libs/build_c_client.py.
"""
import os
import sys

from setuptools import setup
from setuptools.command.sdist import sdist

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "libs"))


class sdist_with_c_client(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        import build_c_client

        # Fetched once into the checkout (git ignores it), then copied into each sdist.
        source = build_c_client.vendor()
        dest = os.path.join(base_dir, "libs", "aerospike-client-c")
        if not os.path.exists(dest):
            import shutil

            shutil.copytree(source, dest)


setup(cffi_modules=["build_ffi.py:ffibuilder"], cmdclass={"sdist": sdist_with_c_client})
