"""The outsider test: adopt one package the way its README tells a stranger to.

    python tools/outsider.py PACKAGE [--django 5.2|6.1] [--python PATH] [--keep]
                                     [--readme PATH] [--wheels DIR] [--extra NAME]

For PACKAGE (``shop_catalog`` or ``catalog``) it

1. reads the README's marked setup blocks (below) and keeps those of the
   chosen Django line;
2. builds the wheels of the package and of the shop packages it declares
   (``uv build --wheel``), unless ``--wheels`` gives a folder that has them;
3. makes a virtualenv (``uv venv --python ...``) and installs ``Django~=X.Y.0``
   and the package's wheel, nothing else: what the wheel declares comes along,
   the shop distributions from the wheels just built (pinned to those files by
   a constraints file, so the package index can never supply them), everything
   else from the package index;
4. ``django-admin startproject outsider`` with the stock settings;
5. appends the README's blocks to the generated ``settings.py`` / ``urls.py``;
6. runs ``manage.py migrate``, ``makemigrations --check --dry-run``,
   ``check --fail-level WARNING`` and ``spectacular --validate --fail-on-warn``
   (every README promises a schema without warnings; it also proves the
   README's ``DEFAULT_SCHEMA_CLASS`` line, without which drf-spectacular
   refuses the package's views);
7. runs the package's story, ``tools/outsider_stories/<package>.py``, with the
   project's python and ``DJANGO_SETTINGS_MODULE=outsider.settings``: it calls
   ``django.test.utils.setup_test_environment()`` (the locmem mail backend,
   the test client's host) and walks the endpoints the README shows with
   ``django.test.Client`` against the migrated SQLite database.

It exits 0 when every step passed and 1 with ``outsider: FAILED at step
'<step>'`` and the step's output otherwise (2 for a bad command line). The
steps are named ``readme``, ``build``, ``venv``, ``install``,
``startproject``, ``apply``, ``migrate``, ``makemigrations``, ``check``,
``schema`` and ``story``.

README markers
--------------

A setup block is a fenced code block whose previous non-blank line is an
HTML comment (invisible on the package index and on GitHub)::

    <!-- outsider: settings -->
    ```python
    INSTALLED_APPS += ["rest_framework", "shop_catalog"]
    ```

A block for an optional extra of the package says so with ``extra=NAME``
(``<!-- outsider: settings extra=mfa -->``): it is applied only in a run
with ``--extra NAME``, which installs ``distribution[NAME]`` and tells the
story through ``OUTSIDER_EXTRA``; other runs leave it out.

``settings`` blocks are appended, in README order, to the generated
``settings.py``; ``urls`` blocks to the generated ``urls.py`` (self-contained:
their own imports, then ``urlpatterns += [...]``). So a block must work when
pasted at the end of the files ``startproject`` writes: extend the stock
``INSTALLED_APPS``/``MIDDLEWARE`` with ``+=``, never replace them.

A block that holds on one Django line only says so after the kind, as a
version specifier of Django's ``major.minor``: ``<!-- outsider: settings
django<6 -->``, ``django>=6``, ``django>=5.2,<6.1`` (operators ``<``,
``<=``, ``>``, ``>=``, ``==``, ``!=``, comma-separated, all must hold). That
is what the tasks API needs: the ``django-tasks`` backport and its app on
5.2, ``django.tasks`` on 6.x. Write the two blocks one after the other, so
a reader sees the choice where it is made.

The run fails at step ``readme`` when the README has no marked block, when
no ``settings`` or no ``urls`` block holds for the chosen Django line, and
when a marker is malformed (unknown kind, a condition it cannot read, no
fenced block after it).

Defaults: Django 5.2 runs on the oldest Python 3.10/3.11 that pyenv (or
PATH) has, Django 6.1 on the newest 3.13/3.12; ``--python`` overrides.
``--keep`` keeps the work folder (virtualenv, project, database) and prints
its path. ``uv`` is taken from ``$UV``, then the repository's ``.venv``,
then ``PATH``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
PACKAGES_DIR = ROOT / "packages"
STORIES_DIR = Path(__file__).resolve().parent / "outsider_stories"
PROJECT = "outsider"
DISTRIBUTION_PREFIX = "django-shopapps-"

# Django line -> Pythons to try, preferred first (oldest Django on the oldest
# Python it supports, newest on the newest).
DJANGO_LINES: dict[str, tuple[str, ...]] = {
    "5.2": ("3.10", "3.11"),
    "6.1": ("3.13", "3.12"),
}
KINDS = ("settings", "urls")
MAX_FAILURE_LINES = 60
TARGET_FILE = {"settings": "settings.py", "urls": "urls.py"}

MARKER_RE = re.compile(r"^\s*<!--\s*outsider:\s*(?P<body>.*?)\s*-->\s*$")
FENCE_RE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
SPEC_RE = re.compile(r"^(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?)$")


class OutsiderError(Exception):
    """A failed step: ``step`` names it, the message says what went wrong."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


class ReadmeError(ValueError):
    """A README whose markers cannot be read, or that lacks a needed block."""


@dataclass(frozen=True)
class Block:
    kind: str  # "settings" or "urls"
    condition: str | None  # e.g. "django<6", None: every Django line
    code: str
    line: int  # 1-based line of the marker in the README
    extra: str | None = None  # e.g. "mfa": only in a run with that extra

    def applies_to(self, django: str, extra: str | None = None) -> bool:
        if self.extra is not None and self.extra != extra:
            return False
        return self.condition is None or condition_holds(self.condition, django)

    @property
    def label(self) -> str:
        words = [self.kind, *([f"extra={self.extra}"] if self.extra else [])]
        words += [self.condition] if self.condition else []
        return f"README line {self.line} (outsider: {' '.join(words)})"


# --- Reading the README -------------------------------------------------------


def version_tuple(text: str) -> tuple[int, int]:
    parts = [int(p) for p in text.split(".")]
    return (parts[0], parts[1] if len(parts) > 1 else 0)


def parse_condition(condition: str) -> list[tuple[str, tuple[int, int]]]:
    """``"django>=5.2,<6"`` -> ``[(">=", (5, 2)), ("<", (6, 0))]``."""
    match = re.fullmatch(r"django\s*(.+)", condition.strip(), re.IGNORECASE)
    if not match:
        raise ReadmeError(f"cannot read the condition {condition!r}: write e.g. 'django<6'")
    specs = []
    for part in match.group(1).split(","):
        spec = SPEC_RE.match(part.strip())
        if not spec:
            raise ReadmeError(f"cannot read {part.strip()!r} in the condition {condition!r}")
        specs.append((spec.group(1), version_tuple(spec.group(2))))
    return specs


def condition_holds(condition: str, django: str) -> bool:
    version = version_tuple(django)
    compare = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
        "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
    }
    return all(compare[op](version, bound) for op, bound in parse_condition(condition))


def extract_blocks(text: str) -> list[Block]:
    """Every marked block of a README, in order; ``ReadmeError`` for a bad marker."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        marker = MARKER_RE.match(lines[i])
        if not marker:
            i += 1
            continue
        where = i + 1
        words = marker.group("body").split(None, 1)
        if not words or words[0] not in KINDS:
            raise ReadmeError(
                f"line {where}: unknown outsider marker {lines[i].strip()!r}"
                f" (kinds: {', '.join(KINDS)})"
            )
        kind = words[0]
        rest = words[1].split() if len(words) > 1 else []
        extras = [word.removeprefix("extra=") for word in rest if word.startswith("extra=")]
        condition = " ".join(word for word in rest if not word.startswith("extra=")) or None
        if len(extras) > 1 or "" in extras:
            raise ReadmeError(f"line {where}: write one 'extra=NAME' at most")
        if condition:
            parse_condition(condition)  # raises on a condition it cannot read
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE_RE.match(lines[j]) if j < len(lines) else None
        if not fence:
            raise ReadmeError(f"line {where}: the marker is not followed by a fenced code block")
        mark = fence.group("fence")
        closing = re.compile(rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$")
        k = j + 1
        while k < len(lines) and not closing.match(lines[k]):
            k += 1
        if k == len(lines):
            raise ReadmeError(f"line {where}: the code block after the marker is never closed")
        body = [
            line[len(fence.group("indent")) :] if line.strip() else "" for line in lines[j + 1 : k]
        ]
        code = textwrap.dedent("\n".join(body)).strip("\n") + "\n"
        blocks.append(
            Block(
                kind=kind,
                condition=condition,
                code=code,
                line=where,
                extra=extras[0] if extras else None,
            )
        )
        i = k + 1
    return blocks


def blocks_for(text: str, django: str, extra: str | None = None) -> list[Block]:
    """The blocks of ``text`` that hold on ``django`` (with ``extra``); ``ReadmeError``
    if one kind is missing, or no block is for ``extra``."""
    blocks = extract_blocks(text)
    if not blocks:
        raise ReadmeError(
            "the README has no marked setup block: put '<!-- outsider: settings -->' and"
            " '<!-- outsider: urls -->' on the line before its settings and urls code blocks"
        )
    chosen = [block for block in blocks if block.applies_to(django, extra)]
    if extra and not any(block.extra == extra for block in chosen):
        raise ReadmeError(f"no '<!-- outsider: ... extra={extra} -->' block holds")
    for kind in KINDS:
        if not any(block.kind == kind for block in chosen):
            raise ReadmeError(f"no '<!-- outsider: {kind} -->' block holds for Django {django}")
    return chosen


def apply_blocks(project_package: Path, blocks: list[Block]) -> None:
    """Append each block to the generated settings.py / urls.py, in order."""
    for block in blocks:
        target = project_package / TARGET_FILE[block.kind]
        with target.open("a", encoding="utf-8") as file:
            file.write(f"\n\n# --- {block.label} ---\n{block.code}")


# --- Packages and wheels ------------------------------------------------------


def normalise_package(name: str) -> str:
    name = name.strip().replace("-", "_")
    if name.startswith("django_shopapps_"):
        name = "shop_" + name[len("django_shopapps_") :]
    if not name.startswith("shop_"):
        name = "shop_" + name
    return name


def read_pyproject(package: str) -> dict:
    path = PACKAGES_DIR / package / "pyproject.toml"
    if tomllib is not None:
        with path.open("rb") as file:
            return tomllib.load(file)
    # Python 3.10 without tomllib: the two fields needed, read plainly.
    text = path.read_text(encoding="utf-8")
    name = re.search(r'^name\s*=\s*"([^"]+)"', text, re.M)
    deps = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.M | re.S)
    return {
        "project": {
            "name": name.group(1) if name else "",
            "dependencies": re.findall(r'"([^"]+)"', deps.group(1)) if deps else [],
        }
    }


def shop_dependencies(package: str) -> list[str]:
    """The shop packages ``package`` declares, directly or not (import names)."""
    found: list[str] = []
    todo = [package]
    while todo:
        current = todo.pop()
        for requirement in read_pyproject(current)["project"].get("dependencies", []):
            match = re.match(re.escape(DISTRIBUTION_PREFIX) + r"([a-z]+)", requirement.lower())
            if match:
                dep = "shop_" + match.group(1)
                if dep not in found:
                    found.append(dep)
                    todo.append(dep)
    return sorted(found)


def distribution_name(package: str) -> str:
    return read_pyproject(package)["project"]["name"]


def wheel_of(package: str, folder: Path) -> Path | None:
    stem = distribution_name(package).replace("-", "_")
    wheels = sorted(folder.glob(f"{stem}-*.whl"), key=lambda p: p.stat().st_mtime)
    return wheels[-1] if wheels else None


# --- Running things -----------------------------------------------------------


def say(message: str) -> None:
    print(f"[outsider] {message}", flush=True)


def run(
    step: str,
    args: list,
    *,
    cwd: Path | None = None,
    env: dict | None = None,
    label: str | None = None,
) -> str:
    """Run a command for ``step``; its output, or ``OutsiderError`` naming the step."""
    try:
        result = subprocess.run(
            [str(a) for a in args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    except OSError as error:
        raise OutsiderError(step, f"cannot run {args[0]}: {error}") from error
    if result.returncode != 0:
        lines = result.stdout.rstrip().splitlines()
        if len(lines) > MAX_FAILURE_LINES:  # a traceback's end is what tells
            cut = len(lines) - MAX_FAILURE_LINES
            lines = [f"... ({cut} lines cut)", *lines[cut:]]
        raise OutsiderError(
            step,
            f"`{label or ' '.join(str(a) for a in args)}` exited {result.returncode}:\n"
            + "\n".join(lines),
        )
    return result.stdout


def find_uv() -> str:
    for candidate in (os.environ.get("UV"), ROOT / ".venv" / "bin" / "uv", shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise OutsiderError("build", "uv not found: set $UV or `pip install uv`")


def find_python(django: str) -> str:
    """The interpreter for a Django line: pyenv's versions first, then PATH."""
    roots = []
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        if root:
            roots.append(Path(root) / "versions")
    except OSError:
        pass
    for minor in DJANGO_LINES[django]:
        for versions in roots:
            found = sorted(
                (p for p in versions.glob(f"{minor}.*") if re.fullmatch(r"\d+\.\d+\.\d+", p.name)),
                key=lambda p: tuple(int(x) for x in p.name.split(".")),
            )
            for path in reversed(found):
                python = path / "bin" / "python3"
                if python.exists():
                    return str(python)
        python = shutil.which(f"python{minor}")
        if python:
            return python
    raise OutsiderError(
        "venv", f"no Python {' or '.join(DJANGO_LINES[django])} found for Django {django}"
    )


@dataclass
class Outsider:
    package: str
    django: str
    python: str
    readme: Path
    work: Path
    wheels: Path | None = None  # prebuilt wheels to reuse
    story: Path | None = None
    extra: str | None = None  # an optional extra of the package, e.g. "mfa"

    def __post_init__(self) -> None:
        self.venv = self.work / "venv"
        self.project = self.work / "project"
        self.bin = self.venv / "bin"
        self.notes: list[str] = []
        self.timings: list[tuple[str, float]] = []

    def step(self, name: str, func, *args):
        say(f"{name} ...")
        started = time.monotonic()
        result = func(*args)
        self.timings.append((name, time.monotonic() - started))
        return result

    # The steps, in order.

    def read_readme(self) -> list[Block]:
        if not self.readme.is_file():
            raise OutsiderError("readme", f"no README at {self.readme}")
        try:
            blocks = blocks_for(self.readme.read_text(encoding="utf-8"), self.django, self.extra)
        except ReadmeError as error:
            raise OutsiderError("readme", f"{self.readme.name}: {error}") from error
        for block in blocks:
            say(f"  {block.label}")
        return blocks

    def build(self) -> dict[str, Path]:
        needed = [self.package, *shop_dependencies(self.package)]
        folder = self.work / "wheels"
        folder.mkdir(parents=True, exist_ok=True)
        found: dict[str, Path] = {}
        uv = find_uv()
        for package in needed:
            wheel = wheel_of(package, self.wheels) if self.wheels else None
            if wheel is None:
                run("build", [uv, "build", "--wheel", "-q", "-o", folder, PACKAGES_DIR / package])
                wheel = wheel_of(package, folder)
                if wheel is None:
                    raise OutsiderError("build", f"uv build made no wheel of {package}")
            elif wheel.parent != folder:
                wheel = Path(shutil.copy2(wheel, folder / wheel.name))
            say(f"  {wheel.name}")
            found[package] = wheel
        return found

    def make_venv(self) -> None:
        run("venv", [find_uv(), "venv", "-q", "--python", self.python, self.venv])

    def install(self, wheels: dict[str, Path]) -> None:
        constraints = self.work / "shop-wheels.txt"
        constraints.write_text(
            "".join(
                f"{distribution_name(pkg)} @ {wheel.resolve().as_uri()}\n"
                for pkg, wheel in wheels.items()
            )
        )
        run(
            "install",
            [
                find_uv(),
                "pip",
                "install",
                "--python",
                self.bin / "python",
                "--find-links",
                wheels[self.package].parent,
                "--constraint",
                constraints,
                f"Django~={self.django}.0",
                # With an extra, by name: the constraints pin it to the wheel.
                f"{distribution_name(self.package)}[{self.extra}]"
                if self.extra
                else wheels[self.package],
            ],
        )
        installed = run("install", [find_uv(), "pip", "freeze", "--python", self.bin / "python"])
        django = next(
            (line for line in installed.splitlines() if line.lower().startswith("django==")), "?"
        )
        say(f"  {django}, {len(installed.splitlines())} distributions")

    def startproject(self) -> None:
        self.project.mkdir()
        run("startproject", [self.bin / "django-admin", "startproject", PROJECT, self.project])

    def apply(self, blocks: list[Block]) -> None:
        apply_blocks(self.project / PROJECT, blocks)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.update(
            DJANGO_SETTINGS_MODULE=f"{PROJECT}.settings",
            PYTHONPATH=str(self.project),
            PYTHONWARNINGS="default::DeprecationWarning,default::PendingDeprecationWarning",
            VIRTUAL_ENV=str(self.venv),
            OUTSIDER_EXTRA=self.extra or "",
            PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        return env

    def manage(self, step: str, *args: str) -> str:
        output = run(
            step, [self.bin / "python", "manage.py", *args], cwd=self.project, env=self.env()
        )
        for line in output.splitlines():
            if "Warning" in line and line.strip() not in self.notes:
                self.notes.append(line.strip())
        return output

    def run_story(self) -> str:
        story = self.story or STORIES_DIR / f"{self.package}.py"
        if not story.is_file():
            raise OutsiderError("story", f"no story for {self.package}: {story}")
        # The story is named after its package (shop_catalog.py), so neither its
        # folder nor the story itself may come before site-packages on sys.path:
        # the kit's folder is appended, the story run by path.
        launcher = (
            "import runpy, sys; sys.path.append(sys.argv[1]); "
            "runpy.run_path(sys.argv[2], run_name='__main__')"
        )
        return run(
            "story",
            [self.bin / "python", "-c", launcher, STORIES_DIR, story],
            cwd=self.project,
            env=self.env(),
            label=f"python {story.relative_to(ROOT) if story.is_relative_to(ROOT) else story}",
        )

    def run_all(self) -> None:
        blocks = self.step("readme", self.read_readme)
        wheels = self.step("build", self.build)
        self.step("venv", self.make_venv)
        self.step("install", self.install, wheels)
        self.step("startproject", self.startproject)
        self.step("apply", self.apply, blocks)
        self.step("migrate", self.manage, "migrate", "migrate", "--noinput", "-v", "0")
        self.step(
            "makemigrations",
            self.manage,
            "makemigrations",
            "makemigrations",
            "--check",
            "--dry-run",
        )
        self.step("check", self.manage, "check", "check", "--fail-level", "WARNING")
        self.step(
            "schema",
            self.manage,
            "schema",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(self.work / "schema.yaml"),
        )
        output = self.step("story", self.run_story)
        for line in output.rstrip().splitlines():
            say(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="outsider.py",
        description="Adopt one package in a fresh startproject as its README says.",
    )
    parser.add_argument("package", help="shop_catalog, catalog, django-shopapps-catalog ...")
    parser.add_argument("--django", choices=sorted(DJANGO_LINES), default="5.2")
    parser.add_argument("--python", help="interpreter for the virtualenv (default: see --help)")
    parser.add_argument("--readme", type=Path, help="use this README instead of the package's")
    parser.add_argument("--wheels", type=Path, help="reuse the shop wheels in this folder")
    parser.add_argument("--extra", help="also the blocks and dependencies of this extra")
    parser.add_argument("--story", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--workdir", type=Path, help="make the work folder inside this one")
    args = parser.parse_args(argv)

    package = normalise_package(args.package)
    if not (PACKAGES_DIR / package / "pyproject.toml").is_file():
        parser.error(f"no package {package} under packages/")
    readme = args.readme or PACKAGES_DIR / package / "README.md"
    shown = f"{package}[{args.extra}]" if args.extra else package
    work = Path(tempfile.mkdtemp(prefix=f"outsider-{package}-dj{args.django}-", dir=args.workdir))
    started = time.monotonic()
    outsider = None
    try:
        python = args.python or find_python(args.django)
        say(f"{package} on Django {args.django}, {python}, README {readme}")
        outsider = Outsider(
            package=package,
            django=args.django,
            python=python,
            readme=readme.resolve(),
            work=work,
            wheels=args.wheels.resolve() if args.wheels else None,
            story=args.story.resolve() if args.story else None,
            extra=args.extra,
        )
        outsider.run_all()
    except OutsiderError as error:
        print(
            f"outsider: FAILED at step '{error.step}' ({shown}, Django {args.django}):\n{error}",
            file=sys.stderr,
            flush=True,
        )
        return 1
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for note in outsider.notes:
        say(f"note: {note}")
    steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in outsider.timings)
    say(f"PASSED {shown} on Django {args.django} in {time.monotonic() - started:.0f}s ({steps})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
