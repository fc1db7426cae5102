"""The YAML reader builds plain documents from the parser's events: safe_load's values."""

import pytest
import yaml

from shop_catalog.pricelist import PriceListError, parse_pricelist
from shop_catalog.pricelist.readers import parse_yaml

from .factories import sample_bytes

DOCUMENTS = [
    b"a: yes\nb: 0x1F\nc: 1_000\nd: 1.5e3\ne: ~\nf: 2024-01-02\ng: '12'\nh: 190:20:30\n",
    b"i: .inf\nj: [1, 'x', null, {k: v}]\nq: Off\nn: -.5\no: 0o17\np: 0b101\n",
    b"t: 2001-12-14t21:59:43.10-05:00\nblock: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    b"- a\n- b: [c, d]\n",
    b"a: 1\na: 2\n",  # the last one wins, as in safe_load
    b"",
    b"plain",
    # the fallback: anchors, aliases, merge keys, tags
    b"a: &x 1\nb: *x\n",
    b"<<: {a: 1}\nb: 2\n",
    b"k: !!str 5\nl: !!float 1\n",
]


@pytest.mark.parametrize("content", DOCUMENTS)
def test_the_same_values_as_safe_load(content):
    assert parse_yaml(content) == yaml.safe_load(content)


def test_the_sample_price_list_is_read_without_pyyaml_constructor(monkeypatch):
    expected = yaml.safe_load(sample_bytes())

    def refuse(*args, **kwargs):
        raise AssertionError("a plain document is built from the events")

    monkeypatch.setattr(yaml, "load", refuse)
    assert parse_yaml(sample_bytes()) == expected


@pytest.mark.parametrize(
    "content", [b"? [a]\n: 1\n", b"a: 1\n---\nb: 2\n", b"a: [1, 2\n"], ids=["key", "docs", "bad"]
)
def test_what_safe_load_refuses_is_refused(content):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(content)
    with pytest.raises(PriceListError) as refused:
        parse_pricelist(content, "yaml")
    assert [e["code"] for e in refused.value.errors] == ["invalid_file"]
