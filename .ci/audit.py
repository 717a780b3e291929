"""Known vulnerabilities in requirements.txt: pip-audit, with a fallback for sandboxes.

pip-audit asks PyPI's per-release JSON (https://pypi.org/pypi/NAME/VERSION/json) for advisories.
Some networks reach PyPI's index but not that endpoint; pip-audit then skips the package. For a
skipped package this script reads the project JSON instead: its `vulnerabilities` are those of
the newest release, so a pin that IS the newest release (or the newest of its minor series, for
projects that patch every supported series at once, like Django) with none listed is accepted
and said so. Anything else skipped is listed and fails the run when AUDIT_STRICT=1.

Exit status 1 on any known vulnerability.
"""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

REPORT = Path("artifacts/pip-audit.json")
SERIES_PATCHED = {"django"}  # security releases cover every supported series


def project_json(name):
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as response:
        return json.load(response)


def version_key(version):
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def fallback(name, version):
    """'ok: ...' when the project JSON shows the pin is current and clean, else the reason it isn't."""
    data = project_json(name)
    latest = data["info"]["version"]
    if version == latest:
        if data.get("vulnerabilities"):
            return f"VULNERABLE: {[v['id'] for v in data['vulnerabilities']]}"
        return f"ok: {version} is the newest release and has no advisory"
    if name in SERIES_PATCHED:
        series = ".".join(version.split(".")[:2]) + "."
        newer = [v for v in data["releases"] if v.startswith(series) and v.replace(series, "").isdigit()]
        newest = max(newer, key=version_key)
        if newest == version:
            return f"ok: {version} is the newest {series}x release (security fixes land in every series)"
        return f"not current: {newest} is out"
    return f"not current: {latest} is out and {version} could not be looked up"


def main():
    REPORT.parent.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip_audit", "--requirement", "requirements.txt", "--progress-spinner", "off",
         "--desc", "on", "--format", "json", "--output", str(REPORT)],
        check=False,
    )  # fmt: skip
    report = json.loads(REPORT.read_text())
    failed = False
    audited = unresolved = 0
    for dep in report["dependencies"]:
        name, version = dep["name"], dep.get("version", "")
        if dep.get("vulns"):
            failed = True
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln["fix_versions"]) or "no release yet"
                print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in {fixed})")
        elif dep.get("skip_reason"):
            version = dep["skip_reason"].rsplit("(", 1)[-1].rstrip(")")
            try:
                verdict = fallback(name, version)
            except OSError as error:
                verdict = f"could not reach PyPI: {error}"
            print(f"{name} {version}: pip-audit could not look it up; project JSON says {verdict}")
            failed |= verdict.startswith("VULNERABLE")
            unresolved += not verdict.startswith("ok")
        else:
            audited += 1
    print(f"pip-audit: {audited} audited by pip-audit, {len(report['dependencies']) - audited} by fallback, "
          f"{unresolved} unresolved")  # fmt: skip
    if unresolved and os.environ.get("AUDIT_STRICT") == "1":
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
