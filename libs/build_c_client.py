"""Build the Aerospike C client (libaerospike.a) once and cache it.

The C client source (``aerospike-client-c/``, C client 7.6.1, Apache License 2.0) ships
inside the PyPI sdist of the official Python client, ``aerospike==19.3.0``.  This script
finds that source, runs the C client's own ``make``, and keeps ``lib/libaerospike.a`` and
``include/`` in the cache folder, so later builds of the cffi extension (``pip install``,
``pip install -e``) reuse it.

Where the source comes from, first found wins:

1. ``$AEROSPIKE_CFFI_SDIST``: a local copy of the official sdist (``aerospike-19.3.0.tar.gz``);
2. ``libs/aerospike-client-c/``: the source carried inside this project's own sdist
   (``setup.py`` puts it there when the sdist is made), so building from the sdist needs no
   network;
3. a download of the official sdist with ``urllib`` from the indexes pip is configured with
   (``PIP_INDEX_URL``/``PIP_EXTRA_INDEX_URL``/``PIP_FIND_LINKS`` and pip's config files, else
   PyPI).  pip itself is not used: inside pip's isolated build environment it cannot be
   imported.  The download is checked against the sdist's known SHA-256.

    python libs/build_c_client.py            # prints the cache folder when done

Cache folder: ``$AEROSPIKE_CFFI_C_CACHE`` or ``libs/.cache/aerospike-client-c-7.6.1``.

Our changes to the C client are unified diffs in ``libs/patches/*.patch`` (``-p1``, relative
to the ``aerospike-client-c/`` tree), applied in name order to the build's copy of the
source, never to the vendored or downloaded tree.  Each patch says at its top what it
changes and why.  The cache records the patch set it was built with (``PATCHES``: a SHA-256
of the patches' names and contents; no file for no patches), so adding or changing a patch
rebuilds the library.
Needs Debian's ``libssl-dev zlib1g-dev libyaml-dev libev-dev`` and a C compiler.
"""

import configparser
import glob
import hashlib
import os
import re
import shutil
import ssl
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request

SDIST = "aerospike==19.3.0"
SDIST_FILE = "aerospike-19.3.0.tar.gz"
SDIST_SHA256 = "d9f25a50f4944799b31a320fcd3a56846d3e5a9090b514ca73efd5a1eebcaf07"
C_CLIENT_VERSION = "7.6.1"
EVENT_LIB = "libev"  # the event library the async API is built for (Debian libev-dev)
HERE = os.path.dirname(os.path.abspath(__file__))
VENDORED = os.path.join(HERE, "aerospike-client-c")
DEFAULT_INDEX = "https://pypi.org/simple"
PATCHES = os.path.join(HERE, "patches")

# Parts of the C client tree the library build does not read (IDE projects, examples,
# tests, Lua's own test suite and manual); left out of this project's sdist.
_UNUSED = ("examples/", "tests/", "vs/", "xcode/", "modules/lua/testes/", "modules/lua/manual/")


def cache_dir():
    return os.environ.get("AEROSPIKE_CFFI_C_CACHE") or os.path.join(
        HERE, ".cache", "aerospike-client-c-" + C_CLIENT_VERSION)


def patch_files():
    """Our patches to the C client, in the order they are applied."""
    if not os.path.isdir(PATCHES):
        return []
    return [os.path.join(PATCHES, name) for name in sorted(os.listdir(PATCHES))
            if name.endswith(".patch")]


def patch_stamp():
    """What a cache built with the current patches records ('' when there are none)."""
    files = patch_files()
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in files:
        digest.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as f:
            digest.update(f.read() + b"\0")
    return digest.hexdigest()


def _built_stamp(path):
    try:
        with open(os.path.join(path, "PATCHES")) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""


def apply_patches(src):
    """Apply libs/patches/*.patch to the C client tree at src (a copy of the source)."""
    for path in patch_files():
        subprocess.check_call(["patch", "-p1", "--batch", "--forward", "--quiet",
                               "--no-backup-if-mismatch", "-d", src, "-i", path])


def is_built(path):
    return (os.path.exists(os.path.join(path, "lib", "libaerospike.a"))
            and os.path.isdir(os.path.join(path, "include", "aerospike"))
            and os.path.exists(os.path.join(path, "EVENT_LIB"))
            and _built_stamp(path) == patch_stamp())


# --- finding the official sdist --------------------------------------------------------

def _pip_settings():
    """index-url, extra-index-url, find-links and cert as pip would read them.

    Config files in pip's order (global, user, site), later ones winning; then PIP_*
    environment variables.  Sections [global], then [download] and [install].
    """
    files = []
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(os.environ["PIP_CONFIG_FILE"])
    else:
        xdg_dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        files += [os.path.join(d, "pip", "pip.conf") for d in xdg_dirs.split(":") if d]
        files.append("/etc/pip.conf")
        home = os.path.expanduser("~")
        files.append(os.path.join(home, ".pip", "pip.conf"))
        xdg_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        files.append(os.path.join(xdg_home, "pip", "pip.conf"))
        for prefix in (os.environ.get("VIRTUAL_ENV"), sys.prefix):
            if prefix:
                files.append(os.path.join(prefix, "pip.conf"))
    settings = {}
    for path in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(path)
        except (OSError, configparser.Error):
            continue
        for section in ("global", "download", "install"):
            if parser.has_section(section):
                for key in ("index-url", "extra-index-url", "find-links", "cert", "no-index"):
                    if parser.has_option(section, key):
                        settings[key] = parser.get(section, key)
    for key in ("index-url", "extra-index-url", "find-links", "cert", "no-index"):
        value = os.environ.get("PIP_" + key.upper().replace("-", "_"))
        if value is not None:
            settings[key] = value
    return settings


def _candidate_urls(settings):
    """Where the sdist may be: find-links locations first, then each index's project page."""
    found = []
    for place in settings.get("find-links", "").split():
        if "://" not in place:
            place = os.path.abspath(os.path.expanduser(place))
            found.append(("file", os.path.join(place, SDIST_FILE)))
        else:
            found.append(("page", place))
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        return found
    indexes = [settings.get("index-url") or DEFAULT_INDEX] + settings.get(
        "extra-index-url", "").split()
    for index in indexes:
        found.append(("page", index.rstrip("/") + "/aerospike/"))
    return found


def _open(url, context):
    return urllib.request.urlopen(url, timeout=120, context=context)


def _links(page_url, context):
    """The URLs of SDIST_FILE linked from a simple-index (or find-links) page."""
    parsed = urllib.parse.urlparse(page_url)
    if parsed.scheme == "file":
        path = urllib.request.url2pathname(parsed.path)
        if os.path.isdir(path):
            direct = os.path.join(path, SDIST_FILE)
            return [direct] if os.path.exists(direct) else []
    with _open(page_url, context) as answer:
        html = answer.read().decode("utf-8", "replace")
        base = answer.geturl()
    links = []
    for href in re.findall(r'href=["\']([^"\']+)["\']', html):
        url = urllib.parse.urldefrag(urllib.parse.urljoin(base, href.replace("&amp;", "&")))[0]
        if os.path.basename(urllib.parse.urlparse(url).path) == SDIST_FILE:
            links.append(url)
    return links


def _sha256_ok(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == SDIST_SHA256


def download_sdist(workdir):
    """Fetch the official sdist into workdir; return its path (checked by SHA-256)."""
    settings = _pip_settings()
    context = ssl.create_default_context(cafile=settings.get("cert") or None)
    target = os.path.join(workdir, SDIST_FILE)
    tried = []
    for kind, where in _candidate_urls(settings):
        try:
            if kind == "file":
                if not os.path.exists(where):
                    continue
                shutil.copy(where, target)
            else:
                links = _links(where, context)
                if not links:
                    tried.append(where + ": no " + SDIST_FILE)
                    continue
                link = links[0]
                if os.path.exists(link):
                    shutil.copy(link, target)
                else:
                    with _open(link, context) as answer, open(target, "wb") as out:
                        shutil.copyfileobj(answer, out)
        except (OSError, ValueError) as e:  # URLError is an OSError
            tried.append("%s: %s" % (where, e))
            continue
        if _sha256_ok(target):
            return target
        tried.append(where + ": SHA-256 mismatch")
    raise RuntimeError(
        "could not get %s (the Aerospike C client source). Tried:\n  %s\n"
        "Download it yourself and set AEROSPIKE_CFFI_SDIST=/path/to/%s, or install from "
        "this project's sdist, which carries the source."
        % (SDIST, "\n  ".join(tried) or "nothing configured", SDIST_FILE))


def _extract_c_client(sdist_path, dest):
    """Unpack the sdist's aerospike-client-c/ (without _UNUSED parts) to dest."""
    prefix = SDIST_FILE[:-len(".tar.gz")] + "/aerospike-client-c/"
    tmp = dest + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(sdist_path) as tar:
        members = []
        for m in tar.getmembers():
            if not m.name.startswith(prefix) or not (m.isfile() or m.isdir()):
                continue
            rel = m.name[len(prefix):]
            if not rel or any(rel.startswith(u) or rel + "/" == u for u in _UNUSED):
                continue
            m.name = rel
            members.append(m)
        kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(tmp, members=members, **kwargs)
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    return dest


def vendor(dest=VENDORED):
    """Put the C client source at dest (for this project's sdist); return dest."""
    if os.path.isfile(os.path.join(dest, "Makefile")):
        return dest
    workdir = tempfile.mkdtemp(prefix="aerospike-c-src-")
    try:
        return _extract_c_client(_sdist_path(workdir), dest)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _sdist_path(workdir):
    local = os.environ.get("AEROSPIKE_CFFI_SDIST")  # a pre-downloaded .tar.gz, for offline builds
    return local or download_sdist(workdir)


def _fetch_source(workdir):
    """A writable copy of the C client source in workdir; return its folder."""
    src = os.path.join(workdir, "aerospike-client-c")
    if not os.environ.get("AEROSPIKE_CFFI_SDIST") and os.path.isfile(
            os.path.join(VENDORED, "Makefile")):
        shutil.copytree(VENDORED, src)  # make writes its target/ into the tree
        return src
    return _extract_c_client(_sdist_path(workdir), src)


def build(dest=None):
    dest = dest or cache_dir()
    if is_built(dest):
        return dest
    workdir = tempfile.mkdtemp(prefix="aerospike-c-build-")
    try:
        src = _fetch_source(workdir)
        apply_patches(src)
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
        if patch_stamp():
            with open(os.path.join(tmp_dest, "PATCHES"), "w") as f:
                f.write(patch_stamp() + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(tmp_dest, dest)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return dest


if __name__ == "__main__":
    if sys.argv[1:] == ["--vendor"]:
        print(vendor())
    elif sys.argv[1:2] == ["--patch"] and len(sys.argv) == 3:  # scripts/asan.sh's copy
        apply_patches(sys.argv[2])
    elif sys.argv[1:] == ["--stamp"]:
        print(patch_stamp())
    else:
        print(build())
