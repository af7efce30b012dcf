"""The type stubs: they cover every public name, and ``mypy --strict`` accepts the
examples and ``typed_api.py`` (a module that makes every public call) for Python 3.11
and 3.9, the versions of the suite's CPython and PyPy.

mypy runs under CPython; the PyPy run of the suite skips the mypy tests (the CPython run
checks both target versions). For the 3.9 target, mypy reads installed packages (pytest)
from a Python 3.9 environment: ``$TYPECHECK_PYTHON39``, else the checkout's
``.venv-pypy``.
"""

import ast
import glob
import importlib
import inspect
import os
import subprocess
import sys
import warnings

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OFFICIAL_NAMES = os.path.join(HERE, "official_api_names.txt")


# --- what the stubs declare ------------------------------------------------------------

def _stub_path(module):
    base = os.path.join(ROOT, *module.split("."))
    for path in (os.path.join(base, "__init__.pyi"), base + ".pyi"):
        if os.path.exists(path):
            return path
    return None


class _Stubs:
    """Names declared by the .pyi files: per module its names, per class its members."""

    def __init__(self):
        self.modules = {}  # module -> {name: ast node}
        self.star = {}  # module -> [modules star-imported]
        self.classes = {}  # class name -> (members, base names)

    def module(self, name):
        if name not in self.modules:
            path = _stub_path(name)
            if path is None:
                return None
            with open(path) as f:
                tree = ast.parse(f.read(), path)
            names, stars = {}, []
            package = name if path.endswith("__init__.pyi") else name.rpartition(".")[0]
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    names[node.name] = node
                    members = set()
                    for item in node.body:
                        if isinstance(item, (ast.FunctionDef, ast.ClassDef)):
                            members.add(item.name)
                        elif isinstance(item, ast.AnnAssign):
                            members.add(item.target.id)
                        elif isinstance(item, ast.Assign):
                            members.update(t.id for t in item.targets)
                    bases = [ast.unparse(b).split("[")[0].split(".")[-1] for b in node.bases]
                    self.classes[node.name] = (members, bases)
                elif isinstance(node, ast.FunctionDef):
                    names[node.name] = node
                elif isinstance(node, ast.AnnAssign):
                    names[node.target.id] = node
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        names[target.id] = node
                elif isinstance(node, ast.ImportFrom):
                    source = node.module or ""
                    if node.level:
                        source = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                          + ([source] if source else []))
                    for alias in node.names:
                        if alias.name == "*":
                            stars.append(source)
                        elif alias.asname == alias.name:  # explicit re-export
                            names[alias.name] = ("from", source)
            self.modules[name] = names
            self.star[name] = stars
        return self.modules[name]

    def has(self, module, name):
        names = self.module(module)
        if names is None:
            return False
        if name in names:
            return True
        return any(self.has(star, name) for star in self.star[module])

    def has_member(self, class_name, member, seen=()):
        if class_name not in self.classes or class_name in seen:
            return class_name in ("Dict", "dict", "bytes", "IntEnum")  # inherited from builtins
        members, bases = self.classes[class_name]
        return member in members or any(self.has_member(b, member, seen + (class_name,)) for b in bases)

    def resolve(self, dotted):
        """Whether a dotted public name (module[.Class[.member]]) has a stub."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if self.module(module) is None:
                continue
            rest = parts[cut:]
            if not rest:
                return True
            if not self.has(module, rest[0]):
                # a submodule without its own stub file is not covered
                return False
            if len(rest) == 1:
                return True
            return self.has_member(rest[0], rest[1])
        return False


STUB_MODULES = sorted(
    os.path.relpath(p, ROOT)[:-len(".pyi")].replace(os.sep, ".").replace(".__init__", "")
    for pattern in ("aerospike_cffi/**/*.pyi", "aerospike_helpers/**/*.pyi")
    for p in glob.glob(os.path.join(ROOT, pattern), recursive=True))


@pytest.fixture(scope="module")
def stubs():
    found = _Stubs()
    for module in STUB_MODULES:  # every class known before members are looked up in bases
        found.module(module)
    return found


def _official_names():
    with open(OFFICIAL_NAMES) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                # The official module is "aerospike"; here it is aerospike_cffi.
                yield "aerospike_cffi" + line[len("aerospike"):] if line.split(".")[0] == "aerospike" else line


def test_every_official_name_has_a_stub(stubs):
    missing = [name for name in _official_names() if not stubs.resolve(name)]
    assert not missing, "no stub for:\n" + "\n".join(missing)


def _runtime_public(module_name):
    module = importlib.import_module(module_name)
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or inspect.ismodule(value) or getattr(value, "__module__", "") == "typing":
            continue
        if (inspect.isclass(value) or inspect.isfunction(value)) and not (
                value.__module__ == module_name or module_name.endswith("expressions")
                or module_name in ("aerospike_cffi", "aerospike_cffi.testing")):
            continue  # helpers imported from elsewhere are not the module's own API
        yield name, value


# Modules whose classes are typed by their constructor and life cycle only: the dev server's
# Server and Namespace have more methods, for its own subsystems.
_OPAQUE = {"aerospike_cffi.testing"}


@pytest.mark.parametrize("module_name", STUB_MODULES)
def test_every_public_name_of_a_stubbed_module_has_a_stub(stubs, module_name):
    # The stubs are the whole truth for type checkers: a name added to a module without
    # its stub would be invisible to them (run tests/packaging/make_helper_stubs.py for
    # the helpers, edit the hand-written stubs otherwise).
    missing = []
    for name, value in _runtime_public(module_name):
        if not stubs.has(module_name, name):
            missing.append(name)
        elif inspect.isclass(value) and not issubclass(value, BaseException) and module_name not in _OPAQUE:
            for member in vars(value):
                if not member.startswith("_") and not stubs.has_member(name, member):
                    missing.append(name + "." + member)
    if module_name == "aerospike_cffi":
        import aerospike_cffi

        for name in aerospike_cffi._CLIENT_NAMES:  # loaded on first use (PEP 562)
            if not stubs.has(module_name, name):
                missing.append(name)
    assert not missing, "%s: no stub for %s" % (module_name, ", ".join(missing))


# --- mypy --strict ---------------------------------------------------------------------

def _python39():
    for candidate in (os.environ.get("TYPECHECK_PYTHON39"), os.path.join(ROOT, ".venv-pypy", "bin", "python")):
        if candidate and os.path.exists(candidate):
            version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                     stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
            if version == "(3, 9)":
                return candidate
    return None


def _mypy_python():
    """mypy is installed under CPython only (it is slow to install and run on PyPy): the PyPy
    run of the suite borrows the CPython environment's mypy to check the same stubs."""
    for candidate in (sys.executable, os.path.join(ROOT, ".venv-cpython", "bin", "python")):
        if os.path.exists(candidate) and subprocess.run(
                [candidate, "-c", "import mypy"], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return candidate
    return None


@pytest.mark.parametrize("target", ["3.11", "3.9"])
def test_mypy_strict(target):
    mypy_python = _mypy_python()
    if mypy_python is None:
        pytest.skip("mypy is not installed (scripts/setup.sh installs it in .venv-cpython)")
    args = [mypy_python, "-m", "mypy", "--strict", "--python-version", target]
    if target == "3.9":
        python39 = _python39()
        if python39 is None:
            pytest.skip("no Python 3.9 environment to read installed packages from (set TYPECHECK_PYTHON39)")
        args += ["--python-executable", python39]
    else:
        args += ["--python-executable", mypy_python]
    examples = sorted(glob.glob(os.path.join(ROOT, "examples", "*.py")))
    # Run from the checkout: an editable install is invisible to mypy, the checkout is not.
    typed = [os.path.join(HERE, "typed_api.py"), os.path.join(HERE, "typed_aio.py")]
    done = subprocess.run(args + examples + typed, cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert done.returncode == 0, done.stdout


def test_typed_core_runs(aerospike_client):
    # The typed calls are real calls: the core part of typed_api.py runs on the test server.
    sys.path.insert(0, HERE)
    try:
        import typed_api
    finally:
        sys.path.remove(HERE)
    with warnings.catch_warnings():  # touch(ttl), append/prepend on strings: deprecated, still typed
        warnings.simplefilter("ignore", DeprecationWarning)
        typed_api.core(aerospike_client)


def test_typed_aio_runs(aerospike_server):
    # The asyncio client's typed calls are real calls too.
    import asyncio

    sys.path.insert(0, HERE)
    try:
        import typed_aio
    finally:
        sys.path.remove(HERE)
    with warnings.catch_warnings():  # meta ttl, touch(ttl), append/prepend: deprecated, typed
        warnings.simplefilter("ignore", DeprecationWarning)
        asyncio.run(typed_aio.core(aerospike_server.host, aerospike_server.port))


def test_aio_stub_is_made_from_the_sync_stub():
    # aerospike_cffi/aio/__init__.pyi is generated: run tests/packaging/make_aio_stub.py
    # after changing the sync Client's stub.
    sys.path.insert(0, HERE)
    try:
        import make_aio_stub
    finally:
        sys.path.remove(HERE)
    with open(make_aio_stub.AIO_STUB) as f:
        assert f.read() == make_aio_stub.make()
