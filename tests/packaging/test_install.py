"""The package installs the way Python packages are installed.

From this checkout, ``python -m build --sdist`` makes the sdist (with build isolation), and
``pip wheel`` builds the wheel from that sdist -- with build isolation, as ``pip install
<sdist>`` does before installing what it built, so this one wheel stands for both the
built wheel and the sdist install. It is installed into a fresh virtual environment of
the interpreter running the suite (CPython or PyPy) on a path outside the checkout, which
then runs the quickstart against the test server.

What keeps it fast (about a minute per interpreter instead of several): one compilation
of the extension per interpreter (the sdist install and the wheel were two); the C client
build reused from ``$AEROSPIKE_CFFI_C_CACHE`` (or the checkout's ``libs/.cache``) when
there is one; pip's own cache for the build dependencies; and the fresh environment made
``--without-pip`` and filled by the suite's pip (``pip --python``), which spares the
bootstrap of pip into it (half a minute on PyPy).
"""

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "libs"))

import build_c_client  # noqa: E402

pytest.importorskip("build", reason="the 'build' package (test extra) makes the sdist and wheel")


def _env():
    env = dict(os.environ)
    cache = build_c_client.cache_dir()
    if build_c_client.is_built(cache):
        env["AEROSPIKE_CFFI_C_CACHE"] = cache
    env.pop("PYTHONPATH", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args, **kwargs):
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kwargs)
    assert done.returncode == 0, "%s failed:\n%s" % (" ".join(args), done.stdout[-6000:])
    return done.stdout


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """(sdist, wheel, build output): the sdist made from the checkout by ``python -m build``,
    the wheel built from the sdist by pip (``-v``: the backend's output, for its warnings)."""
    out = tmp_path_factory.mktemp("dist")
    log = _run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), ROOT],
               env=_env(), cwd=ROOT)
    sdist, = glob.glob(str(out / "*.tar.gz"))
    log += _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--wheel-dir", str(out),
                 sdist], env=_env(), cwd=str(out))
    wheel, = glob.glob(str(out / "*.whl"))
    return sdist, wheel, log


def _fresh_venv(path):
    """A new environment without pip; ``_pip_install`` fills it with the suite's pip."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(path)])
    return str(path / "bin" / "python")


def _pip_install(python, *args):
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q"] + list(args),
         env=_env())


def _quickstart(python, workdir):
    """Run a copy of the quickstart from a folder outside the checkout."""
    script = shutil.copy(os.path.join(ROOT, "examples", "quickstart.py"), str(workdir))
    output = _run([python, script], env=_env(), cwd=str(workdir))
    assert "exists after remove: None" in output
    where = _run([python, "-c", "import aerospike_cffi, aerospike_cffi._aerospike_cffi as ext; "
                  "print(aerospike_cffi.__file__); print(ext.__file__); print(aerospike_cffi.__version__)"],
                 cwd=str(workdir))
    module_file, ext_file, version = where.split()
    for path in (module_file, ext_file):
        assert not path.startswith(ROOT + os.sep), path  # imported from the venv, not the checkout
    return version


def test_build_has_no_warnings(dists):
    # setuptools prints its deprecations (e.g. of a license table) as warnings. pip's own
    # "WARNING:" lines (about its configuration, not the package) are not the build's.
    # (byte-compiling is switched off by PYTHONDONTWRITEBYTECODE, which is the caller's choice.)
    _, _, log = dists
    warnings = [line for line in log.splitlines()
                if ("Warning" in line or "warning:" in line) and "byte-compiling is disabled" not in line]
    assert not warnings, log


def test_sdist_carries_the_c_client_source(dists):
    sdist, _, _ = dists
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
    top = os.path.basename(sdist)[:-len(".tar.gz")]
    for needed in ("libs/aerospike-client-c/Makefile", "libs/aerospike-client-c/LICENSE.md",
                   "libs/build_c_client.py", "build_ffi.py", "LICENSE", "NOTICE",
                   "licenses/libev.txt",
                   "aerospike_cffi/py.typed", "aerospike_cffi/__init__.pyi",
                   "aerospike_helpers/py.typed", "aerospike_cffi/_shim/shim.h"):
        assert top + "/" + needed in names, needed
    assert not [n for n in names if n.endswith((".so", ".o"))]


def test_wheel_contents(dists):
    _, wheel, _ = dists
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
    assert [n for n in names if n.startswith("aerospike_cffi/_aerospike_cffi.") and n.endswith(".so")]
    for needed in ("aerospike_cffi/py.typed", "aerospike_cffi/__init__.pyi", "aerospike_helpers/py.typed",
                   "aerospike_helpers/operations/list_operations.pyi"):
        assert needed in names, needed
    assert [n for n in names if n.endswith(".dist-info/licenses/NOTICE")]
    # The licences of the libraries auditwheel copies into manylinux wheels.
    for lib in ("libev", "libyaml", "openssl"):
        assert [n for n in names if n.endswith(".dist-info/licenses/licenses/%s.txt" % lib)], lib


def test_wheel_built_from_the_sdist_installs_in_a_fresh_venv(dists, tmp_path):
    sdist, wheel, log = dists
    assert os.path.basename(sdist) in log  # pip built the wheel from the sdist, not the checkout
    python = _fresh_venv(tmp_path / "venv")
    _pip_install(python, wheel)
    version = _quickstart(python, tmp_path)
    import aerospike_cffi

    assert version == aerospike_cffi.__version__
    metadata = _run([python, "-c", "import importlib.metadata as m; print(m.version('aerospike-cffi'))"])
    assert metadata.strip() == version
