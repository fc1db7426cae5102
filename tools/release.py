"""Build and check the distributions; print what a release would upload and tag.

    python tools/release.py check [PACKAGE ...]    build, twine check, wheel contents,
                                                    install each wheel alone and import it
    python tools/release.py release PACKAGE         the same for one package, then print
                                                    the upload and tag commands (dry run)

Used by ``nox -s build`` and ``nox -s release -- PACKAGE``. Needs ``uv`` and
``twine`` on PATH (the nox sessions install them).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())


def run(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def version_of(package: str) -> str:
    text = (ROOT / "packages" / package / "src" / package / "__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        sys.exit(f"{package}: no __version__ in src/{package}/__init__.py")
    return match.group(1)


def distribution_name(package: str) -> str:
    with (ROOT / "packages" / package / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["name"]


def build(package: str, out: Path) -> tuple[Path, Path]:
    run("uv", "build", "--sdist", "--wheel", "-o", str(out), str(ROOT / "packages" / package))
    stem = distribution_name(package).replace("-", "_")
    version = version_of(package)
    return out / f"{stem}-{version}-py3-none-any.whl", out / f"{stem}-{version}.tar.gz"


def wheel_problems(package: str, wheel: Path) -> list[str]:
    """What a wheel of ``package`` lacks or should not carry."""
    names = zipfile.ZipFile(wheel).namelist()
    source = ROOT / "packages" / package / "src" / package
    problems = []
    wanted = [f"{package}/__init__.py", f"{package}/py.typed"]
    wanted += [
        f"{package}/{path.relative_to(source).as_posix()}"
        for pattern in ("migrations/0*.py", "locale/*/LC_MESSAGES/django.mo", "templates/**/*.*")
        for path in source.glob(pattern)
    ]
    if (source / "locale").exists() and not list(source.glob("locale/*/LC_MESSAGES/django.mo")):
        problems.append("no compiled translations (.mo) in the source tree")
    problems += [f"missing {name}" for name in wanted if name not in names]
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        problems.append("no LICENSE in the wheel's metadata")
    problems += [
        f"carries {name}" for name in names if name.startswith(("tests/", f"{package}/tests/"))
    ]
    return problems


def check(packages: list[str], out: Path) -> dict[str, tuple[Path, Path]]:
    """Build every package (all are needed as local dependencies), check the chosen ones."""
    built = {package: build(package, out) for package in PACKAGES}
    run(
        "twine",
        "check",
        "--strict",
        *[str(path) for package in packages for path in built[package]],
    )
    failures = []
    for package in packages:
        wheel = built[package][0]
        failures += [f"{wheel.name}: {problem}" for problem in wheel_problems(package, wheel)]
        failures += install_alone(package, wheel, out)
        print(f"ok  {wheel.name} and its sdist")
    if failures:
        sys.exit("\n".join(failures))
    return built


def install_alone(package: str, wheel: Path, wheels: Path) -> list[str]:
    """Install the wheel (and what it declares) into a fresh virtualenv and import it."""
    with tempfile.TemporaryDirectory() as venv:
        run("uv", "venv", "-q", venv)
        python = str(Path(venv) / "bin" / "python")
        # Shop dependencies come from the wheels just built, the rest from the index.
        run("uv", "pip", "install", "-q", "--python", python, "--find-links", str(wheels),
            str(wheel))  # fmt: skip
        result = subprocess.run(
            [python, "-c", f"import {package}; print({package}.__version__)"],
            capture_output=True,
            text=True,
        )
    if result.returncode != 0 or result.stdout.strip() != version_of(package):
        return [f"{wheel.name}: import failed: {result.stderr.strip()[-500:]}"]
    return []


def release(package: str, out: Path) -> None:
    version = version_of(package)
    changelog = (ROOT / "packages" / package / "CHANGELOG.md").read_text()
    if not re.search(rf"^## \[?{re.escape(version)}\b", changelog, re.M):
        sys.exit(f"{package}: CHANGELOG.md has no section for {version}")
    wheel, sdist = check([package], out)[package]
    tag = f"{package}-v{version}"
    print(f"\nDry run: {distribution_name(package)} {version} is ready. To release it:")
    print(f"  1. In packages/{package}/CHANGELOG.md, date the '## {version}' section.")
    print(f"  2. twine upload {sdist} {wheel}")
    print(f"  3. git tag -a {tag} -m '{distribution_name(package)} {version}'")
    print(f"     git push origin {tag}")
    print(f"  4. Bump __version__ in packages/{package}/src/{package}/__init__.py")
    print("     and open a new '## <next> (unreleased)' section in the CHANGELOG.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "release"])
    parser.add_argument("packages", nargs="*", metavar="PACKAGE", help=", ".join(PACKAGES))
    parser.add_argument("--out", type=Path, help="where to write the distributions")
    args = parser.parse_args()
    unknown = sorted(set(args.packages) - set(PACKAGES))
    if unknown:
        parser.error(f"unknown package(s): {', '.join(unknown)}")
    out = args.out or Path(tempfile.mkdtemp(prefix="shop-dist-"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if args.command == "release":
        if len(args.packages) != 1:
            parser.error("release takes exactly one package")
        release(args.packages[0], out)
    else:
        check(args.packages or PACKAGES, out)
    print(f"distributions in {out}")


if __name__ == "__main__":
    main()
