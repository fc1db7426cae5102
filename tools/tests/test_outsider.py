"""Tests of the outsider test: the README extraction, and one README that lies."""

import subprocess
import sys
from pathlib import Path

import outsider
import pytest
from outsider import Block, ReadmeError, blocks_for, condition_holds, extract_blocks

FIXTURES = Path(__file__).resolve().parent / "fixtures"
README = """\
# pkg

```python
IGNORED = "an unmarked block"
```

<!-- outsider: settings -->
```python
INSTALLED_APPS += ["shop_catalog"]
```

<!--outsider:settings django<6-->

```python
TASKS = "backport"
```

<!-- outsider: settings django>=6 -->
~~~py
TASKS = "built in"
~~~

1. Then the URLs:

   <!-- outsider: urls -->
   ````python
   from django.urls import include, path

   urlpatterns += [path("api/", include("shop_catalog.urls"))]
   ````
"""


def test_marked_blocks_are_extracted_in_order():
    blocks = extract_blocks(README)
    assert [(b.kind, b.condition) for b in blocks] == [
        ("settings", None),
        ("settings", "django<6"),
        ("settings", "django>=6"),
        ("urls", None),
    ]
    assert blocks[0].code == 'INSTALLED_APPS += ["shop_catalog"]\n'
    assert blocks[2].code == 'TASKS = "built in"\n'
    # An indented fence (inside a list item) loses its indent, keeps its blank lines.
    assert blocks[3].code == (
        'from django.urls import include, path\n\nurlpatterns += [path("api/", include('
        '"shop_catalog.urls"))]\n'
    )
    assert blocks[0].line == 7


@pytest.mark.parametrize(
    "django, expected",
    [("5.2", ['TASKS = "backport"\n']), ("6.1", ['TASKS = "built in"\n'])],
)
def test_blocks_for_a_django_line(django, expected):
    tasks = [b.code for b in blocks_for(README, django) if "TASKS" in b.code]
    assert tasks == expected


@pytest.mark.parametrize(
    "condition, django, holds",
    [
        ("django<6", "5.2", True),
        ("django<6", "6.1", False),
        ("django>=6", "6.1", True),
        ("django >= 6.0", "6.0", True),
        ("django>=5.2,<6.1", "6.0", True),
        ("django>=5.2,<6.1", "6.1", False),
        ("django==5.2", "5.2", True),
        ("django!=5.2", "5.2", False),
        ("DJANGO>6", "6.1", True),
    ],
)
def test_conditions(condition, django, holds):
    assert condition_holds(condition, django) is holds


@pytest.mark.parametrize(
    "text, message",
    [
        ("# no markers\n\n```python\nX = 1\n```\n", "no marked setup block"),
        ("<!-- outsider: settings -->\n```python\nX = 1\n```\n", "no '<!-- outsider: urls -->'"),
        ("<!-- outsider: setting -->\n```python\nX = 1\n```\n", "unknown outsider marker"),
        ("<!-- outsider: -->\n```python\nX = 1\n```\n", "unknown outsider marker"),
        ("<!-- outsider: urls python<3 -->\n```python\nX\n```\n", "cannot read the condition"),
        ("<!-- outsider: urls django~=6 -->\n```python\nX\n```\n", "cannot read '~=6'"),
        ("<!-- outsider: urls -->\nSome text.\n```python\nX\n```\n", "not followed by a fenced"),
        ("<!-- outsider: urls -->\n", "not followed by a fenced"),
        ("<!-- outsider: urls -->\n```python\nX\n``\n", "never closed"),
    ],
)
def test_bad_readmes_are_refused(text, message):
    with pytest.raises(ReadmeError, match=message.replace("(", r"\(").replace("~", r"\~")):
        blocks_for(text, "5.2")


EXTRA_README = (
    README
    + """
<!-- outsider: settings extra=mfa django>=6 -->
```python
INSTALLED_APPS += ["allauth.mfa"]
```
"""
)


def test_a_block_of_an_extra_is_applied_only_in_a_run_with_that_extra():
    [block] = [b for b in extract_blocks(EXTRA_README) if b.extra]
    assert (block.kind, block.extra, block.condition) == ("settings", "mfa", "django>=6")
    assert block.label.endswith("(outsider: settings extra=mfa django>=6)")
    assert block not in blocks_for(EXTRA_README, "6.1")
    assert block in blocks_for(EXTRA_README, "6.1", extra="mfa")
    with pytest.raises(ReadmeError, match="extra=other"):
        blocks_for(EXTRA_README, "6.1", extra="other")  # an extra the README never sets up
    with pytest.raises(ReadmeError, match="extra=mfa"):
        blocks_for(EXTRA_README, "5.2", extra="mfa")  # its condition excludes 5.2
    with pytest.raises(ReadmeError, match="one 'extra=NAME'"):
        extract_blocks("<!-- outsider: urls extra=a extra=b -->\n```python\nX\n```\n")


def test_a_kind_missing_on_one_django_line_is_refused():
    text = (
        "<!-- outsider: settings -->\n```python\nX = 1\n```\n"
        "<!-- outsider: urls django<6 -->\n```python\nurlpatterns += []\n```\n"
    )
    assert len(blocks_for(text, "5.2")) == 2
    with pytest.raises(
        ReadmeError, match="no '<!-- outsider: urls -->' block holds for Django 6.1"
    ):
        blocks_for(text, "6.1")


def test_blocks_are_appended_to_the_generated_files(tmp_path):
    (tmp_path / "settings.py").write_text("INSTALLED_APPS = []\n")
    (tmp_path / "urls.py").write_text("urlpatterns = []\n")
    outsider.apply_blocks(
        tmp_path,
        [
            Block("settings", None, "INSTALLED_APPS += ['a']\n", 3),
            Block("urls", None, "urlpatterns += ['u']\n", 9),
            Block("settings", "django<6", "INSTALLED_APPS += ['b']\n", 5),
        ],
    )
    namespace: dict = {}
    exec((tmp_path / "settings.py").read_text(), namespace)
    assert namespace["INSTALLED_APPS"] == ["a", "b"]
    assert (
        "# --- README line 5 (outsider: settings django<6) ---"
        in (tmp_path / "settings.py").read_text()
    )
    exec((tmp_path / "urls.py").read_text(), namespace)
    assert namespace["urlpatterns"] == ["u"]


def test_shop_dependencies_come_from_the_pyprojects():
    assert outsider.shop_dependencies("shop_cabinet") == [
        "shop_catalog",
        "shop_core",
        "shop_orders",
    ]
    assert outsider.shop_dependencies("shop_accounts") == ["shop_core"]
    assert outsider.normalise_package("django-shopapps-catalog") == "shop_catalog"
    assert outsider.normalise_package("catalog") == "shop_catalog"


STORY_PACKAGES = ["shop_accounts", "shop_bookings", "shop_cabinet", "shop_catalog", "shop_orders"]


@pytest.mark.parametrize("package", STORY_PACKAGES)
@pytest.mark.parametrize("django", sorted(outsider.DJANGO_LINES))
def test_every_package_has_a_story_and_blocks_for_both_django_lines(package, django):
    assert (outsider.STORIES_DIR / f"{package}.py").is_file()
    readme = outsider.STORIES_DIR / "readme_blocks" / f"{package}.md"
    blocks = blocks_for(readme.read_text(encoding="utf-8"), django)
    settings = "".join(b.code for b in blocks if b.kind == "settings")
    compile(settings, f"{package} settings", "exec")
    assert ("django_tasks" in settings) is (django == "5.2")


def test_a_readme_without_markers_fails_before_building_anything(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# shop_catalog\n\n```python\nINSTALLED_APPS += ['shop_catalog']\n```\n")
    code = outsider.main(["catalog", "--readme", str(readme), "--workdir", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "FAILED at step 'readme'" in err and "no marked setup block" in err
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # the work folder is gone


def can_install() -> bool:
    try:
        outsider.find_uv()
        outsider.find_python("5.2")
    except outsider.OutsiderError:
        return False
    return True


@pytest.mark.skipif(not can_install(), reason="needs uv and a Python 3.10/3.11")
def test_a_readme_that_forgets_an_app_fails_the_run(tmp_path):
    """The deliberately broken README: its INSTALLED_APPS lacks "shop_catalog"."""
    result = subprocess.run(
        [
            sys.executable,
            str(outsider.ROOT / "tools" / "outsider.py"),
            "catalog",
            "--django",
            "5.2",
            "--readme",
            str(FIXTURES / "catalog_missing_app.md"),
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED at step 'migrate' (shop_catalog, Django 5.2)" in result.stderr, result.stderr
    assert "shop_catalog.models.Category doesn't declare an explicit app_label" in result.stderr
