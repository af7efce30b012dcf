"""Sphinx configuration of the aerospike_cffi documentation.

Build: ``scripts/docs.sh`` (HTML, warnings are errors) -- it also runs the examples of
these pages as doctests against the embedded dev server. Autodoc imports the package
(and its compiled extension) but never needs a server.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))

import aerospike_cffi  # noqa: E402

project = "aerospike_cffi"
author = "aerospike_cffi contributors"
copyright = "aerospike_cffi contributors"  # noqa: A001 - Sphinx setting name
version = release = aerospike_cffi.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.doctest", "apitables"]
exclude_patterns = ["_build"]

autodoc_member_order = "bysource"

html_theme = "alabaster"

# Every doctest group gets a client connected to its own embedded dev server.
doctest_global_setup = """
import aerospike_cffi as aerospike
from aerospike_cffi.testing import Server
_docs_server = Server().start()
client = aerospike.client({"hosts": [(_docs_server.host, _docs_server.port)]})
"""
doctest_global_cleanup = """
aerospike.unset_serializers()
client.close()
_docs_server.stop()
"""
