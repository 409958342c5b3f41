"""Front-end libraries that no Python package ships, fetched from the npm registry at install time and served
by vcdhub itself (no CDN at run time). Each is pinned to a version and its registry integrity hash, and only
the files the pages use are kept, in vcdhub/static/vendor/ (not in the repository).

    python -m vcdhub.platform.frontend          # `make install` runs it; does nothing when they are there

An air-gapped site sets VCDHUB_NPM_REGISTRY to its own mirror of the registry.
"""

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
# name: (version, sha512 integrity from the registry, {file in the package: file served})
PACKAGES = {
    "cytoscape": ("3.34.4", "msY99tMY8iWTg+sIPGfSqDcPNOt4xcj+v/K/7qUFaCUxxlqnMkUYLBjRUzn9W5CU/R2hrmtJa5+UtovrEM2ctg==",
                  {"package/dist/cytoscape.min.js": "cytoscape/cytoscape.min.js",
                   "package/LICENSE": "cytoscape/LICENSE"}),
}


def fetch(name: str, registry: str) -> None:
    version, integrity, files = PACKAGES[name]
    targets = {VENDOR / served for served in files.values()}
    stamp = VENDOR / name / ".version"
    if all(t.exists() for t in targets) and stamp.exists() and stamp.read_text() == version:
        return
    url = f"{registry.rstrip('/')}/{name}/-/{name}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - a pinned https registry URL
        data = response.read()
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        raise SystemExit(f"{name} {version}: the download from {url} does not match its pinned integrity hash")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for inside, served in files.items():
            member = archive.extractfile(inside)
            if member is None:
                raise SystemExit(f"{name} {version}: {inside} is not in the package")
            target = VENDOR / served
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())
    stamp.write_text(version)
    print(f"{name} {version}: fetched from {registry}", file=sys.stderr)


def main() -> None:
    registry = os.environ.get("VCDHUB_NPM_REGISTRY", "https://registry.npmjs.org")
    for name in PACKAGES:
        fetch(name, registry)


if __name__ == "__main__":
    main()
