"""The API reference (docs/) documents every public name of the official client that this
project provides.

The documentation is built with Sphinx (warnings are errors) into a temporary folder, and
its object inventory (``objects.inv``, what cross-references and intersphinx use) is
compared with ``official_api_names.txt``. A name counts as documented when the inventory
holds it under the official path (``aerospike.`` read as ``aerospike_cffi.``) or under
the path where its object is defined: ``aerospike_helpers.expressions.Add`` is documented
as ``aerospike_helpers.expressions.arithmetic.Add``, and ``Add.compile`` (inherited) as
the ``compile`` of the base class. Names the project does not provide are listed by the
reference's "missing names" page instead (``docs/_ext/apitables.py``).

Each entry also says what the name does: the public functions, methods and properties
that autodoc reads have a docstring.

Sphinx is a docs extra, installed into the CPython environment only: the PyPy run of the
suite builds the reference with the CPython environment's Sphinx and resolves the names on
PyPy (what a PyPy user imports is what must be documented).
"""

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import zlib

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OFFICIAL_NAMES = os.path.join(HERE, "official_api_names.txt")
EXT = os.path.join(ROOT, "docs", "_ext")


def _sphinx_python():
    for candidate in (sys.executable, os.path.join(ROOT, ".venv-cpython", "bin", "python")):
        if os.path.exists(candidate) and subprocess.run(
                [candidate, "-c", "import sphinx"], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return candidate
    return None


def _read_inventory(path):
    """The py: names of a Sphinx objects.inv (version 2: four header lines, then zlib lines
    ``name domain:role priority uri dispname``)."""
    with open(path, "rb") as f:
        data = f.read()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    names = set()
    for line in zlib.decompress(data[header_end:]).decode("utf-8").splitlines():
        name, _, rest = line.partition(" ")
        if rest.startswith("py:"):
            names.add(name)
    return names


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    python = _sphinx_python()
    if python is None:
        pytest.skip("Sphinx (the docs extra) is not installed; scripts/setup.sh installs it")
    out = tmp_path_factory.mktemp("html")
    done = subprocess.run(
        [python, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html",
         os.path.join(ROOT, "docs"), str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-6000:]
    return _read_inventory(str(out / "objects.inv"))


def _official_names():
    with open(OFFICIAL_NAMES) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def _where_defined(obj):
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<" not in qualname:
        return module + "." + qualname
    return None


def _resolve(name):
    # The reference's own resolution of an official name (docs/_ext/apinames.py).
    if EXT not in sys.path:
        sys.path.insert(0, EXT)
    from apinames import resolve

    return resolve(name)


def _documented_as(name):
    """The dotted names under which ``name`` may be documented, or None if not provided."""
    obj = _resolve(name)
    if obj is None:
        return None
    ours = "aerospike_cffi" + name[len("aerospike"):] if name.startswith("aerospike.") else name
    candidates = {ours}
    if isinstance(obj, type) or callable(obj):
        defined = _where_defined(obj)
        if defined:
            candidates.add(defined)
    owner_name, _, member = name.rpartition(".")
    owner = _resolve(owner_name)
    if isinstance(owner, type):
        for klass in owner.__mro__:
            if member in vars(klass) and _where_defined(klass):
                candidates.add(_where_defined(klass) + "." + member)
        if _where_defined(owner):
            candidates.add(_where_defined(owner) + "." + member)
    return candidates


def test_every_provided_official_name_is_in_the_reference(inventory):
    missing = []
    provided = 0
    for name in _official_names():
        candidates = _documented_as(name)
        if candidates is None:
            continue
        provided += 1
        if not candidates & inventory:
            missing.append(name)
    assert provided > 1500  # the list was read, and most of it is provided
    assert not missing, "%d names not in the reference:\n%s" % (len(missing), "\n".join(missing))


def test_the_reference_has_the_project_names(inventory):
    # Names of this project beyond the official surface.
    for name in ("aerospike_cffi.install_as_aerospike", "aerospike_cffi.exception.class_for_code",
                 "aerospike_cffi.testing.Server", "aerospike_cffi.aio.AsyncClient"):
        assert name in inventory, name


def _undocumented(obj, prefix):
    """Public methods and properties of the class ``obj`` without a docstring."""
    found = []
    for name in dir(obj):
        owner = next(klass for klass in obj.__mro__ if name in vars(klass))
        if name.startswith("_") or not owner.__module__.startswith("aerospike"):
            continue  # inherited from dict or object: documented by Python
        static = inspect.getattr_static(obj, name)
        if isinstance(static, (staticmethod, classmethod)):
            static = static.__func__
        if inspect.isfunction(static) or isinstance(static, property):
            if not (static.__doc__ or "").strip():
                found.append(prefix + name)
    return found


def test_every_documented_callable_says_what_it_does():
    import aerospike_cffi
    import aerospike_helpers

    missing = []
    for name in ("Client", "Scan", "Query", "Transaction", "GeoJSON", "KeyOrderedDict",
                 "ConfigProvider", "null", "CDTWildcard", "CDTInfinite"):
        cls = getattr(aerospike_cffi, name)
        if not (cls.__doc__ or "").strip():
            missing.append(name)
        missing += _undocumented(cls, name + ".")
    for name in ("client", "calc_digest", "get_partition_id", "set_log_level", "set_log_handler",
                 "set_serializer", "set_deserializer", "unset_serializers", "geodata", "geojson",
                 "install_as_aerospike"):
        if not (getattr(aerospike_cffi, name).__doc__ or "").strip():
            missing.append(name)
    modules = ["aerospike_cffi.predicates"] + [
        info.name for info in pkgutil.walk_packages(aerospike_helpers.__path__, "aerospike_helpers.")
        if not info.name.rpartition(".")[2].startswith("_")]
    for modname in modules:
        module = importlib.import_module(modname)
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != modname:
                continue
            if (inspect.isfunction(value) or inspect.isclass(value)) and not value.__doc__:
                missing.append(modname + "." + name)
    assert not missing, missing
