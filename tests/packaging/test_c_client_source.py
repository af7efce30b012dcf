"""Where libs/build_c_client.py finds the C client source, without network: pip's
settings as it reads them, find-links folders, simple-index pages (file:// here), the
SHA-256 check, and the unpacking of the sdist's aerospike-client-c/ folder."""

import hashlib
import io
import os
import sys
import tarfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "libs"))

import build_c_client as bcc  # noqa: E402

PIP_VARS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT", "PIP_NO_INDEX",
            "AEROSPIKE_CFFI_SDIST")


@pytest.fixture
def pip_env(monkeypatch, tmp_path):
    """No pip configuration but what a test writes into its own config file."""
    for name in PIP_VARS:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "pip.conf"
    config.write_text("")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    return config


def _fake_sdist(path, files=None):
    """A tarball laid out like the official sdist; return its SHA-256."""
    files = files or {"Makefile": "all:\n", "LICENSE.md": "Apache 2.0\n", "src/main/a.c": "int a;\n",
                      "examples/ex.c": "int main;\n", "vs/x.sln": "", "modules/lua/testes/t.lua": ""}
    with tarfile.open(str(path), "w:gz") as tar:
        for rel, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo("aerospike-19.3.0/aerospike-client-c/" + rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("aerospike-19.3.0/setup.py")  # the Python client: not taken
        tar.addfile(info, io.BytesIO(b""))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_settings_from_config_file_then_environment(pip_env, monkeypatch):
    pip_env.write_text("[global]\nindex-url = https://mirror.example/simple\nfind-links = /wheels\n"
                       "[install]\ncert = /ca.pem\n")
    settings = bcc._pip_settings()
    assert settings["index-url"] == "https://mirror.example/simple"
    assert settings["find-links"] == "/wheels" and settings["cert"] == "/ca.pem"
    monkeypatch.setenv("PIP_INDEX_URL", "https://other.example/simple")
    assert bcc._pip_settings()["index-url"] == "https://other.example/simple"


def test_candidates_find_links_first_then_indexes(pip_env, monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/wheels https://links.example/page")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "https://extra.example/simple/")
    assert bcc._candidate_urls(bcc._pip_settings()) == [
        ("file", "/wheels/aerospike-19.3.0.tar.gz"), ("page", "https://links.example/page"),
        ("page", "https://pypi.org/simple/aerospike/"), ("page", "https://extra.example/simple/aerospike/")]
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    assert [kind for kind, _ in bcc._candidate_urls(bcc._pip_settings())] == ["file", "page"]


def test_download_from_a_find_links_folder(pip_env, monkeypatch, tmp_path):
    links = tmp_path / "links"
    links.mkdir()
    digest = _fake_sdist(links / bcc.SDIST_FILE)
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="SHA-256 mismatch"):  # not the real sdist
        bcc.download_sdist(str(out))
    monkeypatch.setattr(bcc, "SDIST_SHA256", digest)
    assert bcc.download_sdist(str(out)) == str(out / bcc.SDIST_FILE)


def test_links_of_a_simple_index_page(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<a href="../files/aerospike-19.2.0.tar.gz">old</a>\n'
                    '<a href="../files/%s#sha256=00">new</a>\n' % bcc.SDIST_FILE)
    base = tmp_path.parent
    assert bcc._links("file://%s" % page, None) == ["file://%s/files/%s" % (base, bcc.SDIST_FILE)]


def test_download_from_a_local_index(pip_env, monkeypatch, tmp_path):
    # A file:// index: the project folder holds the files (pip reads it the same way).
    project = tmp_path / "simple" / "aerospike"
    project.mkdir(parents=True)
    digest = _fake_sdist(project / bcc.SDIST_FILE)
    monkeypatch.setenv("PIP_INDEX_URL", "file://%s" % project.parent)
    monkeypatch.setattr(bcc, "SDIST_SHA256", digest)
    out = tmp_path / "out"
    out.mkdir()
    assert bcc.download_sdist(str(out)) == str(out / bcc.SDIST_FILE)


def test_nothing_found_names_what_was_tried(pip_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    with pytest.raises(RuntimeError, match="AEROSPIKE_CFFI_SDIST"):
        bcc.download_sdist(str(tmp_path))


def test_vendor_takes_the_c_client_folder_only(pip_env, monkeypatch, tmp_path):
    sdist = tmp_path / bcc.SDIST_FILE
    _fake_sdist(sdist)
    monkeypatch.setenv("AEROSPIKE_CFFI_SDIST", str(sdist))
    dest = tmp_path / "aerospike-client-c"
    assert bcc.vendor(str(dest)) == str(dest)
    found = sorted(os.path.relpath(os.path.join(d, f), str(dest))
                   for d, _, names in os.walk(str(dest)) for f in names)
    assert found == ["LICENSE.md", "Makefile", os.path.join("src", "main", "a.c")]
    assert not os.path.exists(str(dest) + ".partial")


def test_fetch_source_prefers_the_vendored_copy(pip_env, monkeypatch, tmp_path):
    vendored = tmp_path / "vendored"
    vendored.mkdir()
    (vendored / "Makefile").write_text("all:\n")
    monkeypatch.setattr(bcc, "VENDORED", str(vendored))
    work = tmp_path / "work"
    work.mkdir()
    src = bcc._fetch_source(str(work))
    assert os.path.isfile(os.path.join(src, "Makefile")) and src.startswith(str(work))


# --- our patches to the C client (libs/patches/*.patch) ---------------------------------

_PATCH = """Comment lines before the diff say what the patch changes and why.
--- a/src/main/a.c
+++ b/src/main/a.c
@@ -1 +1 @@
-int a;
+int a = 1;
"""


def test_patches_apply_in_order_and_stamp_the_set(monkeypatch, tmp_path):
    patches = tmp_path / "patches"
    patches.mkdir()
    monkeypatch.setattr(bcc, "PATCHES", str(patches))
    assert bcc.patch_files() == [] and bcc.patch_stamp() == ""
    (patches / "README.md").write_text("not a patch")
    (patches / "10-a.patch").write_text(_PATCH)
    second = _PATCH.replace("-int a;\n+int a = 1;", "-int a = 1;\n+int a = 2;")
    (patches / "20-b.patch").write_text(second)
    assert [os.path.basename(p) for p in bcc.patch_files()] == ["10-a.patch", "20-b.patch"]
    src = tmp_path / "src"
    (src / "src" / "main").mkdir(parents=True)
    (src / "src" / "main" / "a.c").write_text("int a;\n")
    bcc.apply_patches(str(src))
    assert (src / "src" / "main" / "a.c").read_text() == "int a = 2;\n"

    # A cache made without patches, or with another patch set, is not taken as built.
    cache = tmp_path / "cache"
    (cache / "lib").mkdir(parents=True)
    (cache / "include" / "aerospike").mkdir(parents=True)
    (cache / "lib" / "libaerospike.a").write_bytes(b"")
    (cache / "EVENT_LIB").write_text("libev\n")
    stamp = bcc.patch_stamp()
    assert len(stamp) == 64 and not bcc.is_built(str(cache))
    (cache / "PATCHES").write_text(stamp + "\n")
    assert bcc.is_built(str(cache))
    (patches / "20-b.patch").write_text(_PATCH.replace("int a = 1;", "int a = 3;"))
    assert bcc.patch_stamp() != stamp and not bcc.is_built(str(cache))


def test_a_patch_that_does_not_apply_stops_the_build(monkeypatch, tmp_path):
    patches = tmp_path / "patches"
    patches.mkdir()
    (patches / "10-a.patch").write_text(_PATCH)
    monkeypatch.setattr(bcc, "PATCHES", str(patches))
    src = tmp_path / "src"
    (src / "src" / "main").mkdir(parents=True)
    (src / "src" / "main" / "a.c").write_text("int b;\n")
    with pytest.raises(Exception):
        bcc.apply_patches(str(src))
