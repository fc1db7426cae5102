"""selectors.parameter_choices: the values a parameter filter can offer."""

from __future__ import annotations

import pytest

from shop_catalog.selectors import parameter_choices

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = factories.category("Electronics")
    phones = factories.category("Phones", parent=root)
    other = factories.category("Garden")
    phone = factories.product("Phone", phones)
    factories.offer(phone, parameters={"Colour": "red", "Weight": "150"})
    factories.offer(phone, parameters={"Colour": "black"})
    factories.offer(phone, parameters={"Colour": "blue"}, is_active=False)
    closed = factories.shop(accepts_orders=False)
    factories.offer(phone, closed, parameters={"Colour": "gold"})
    hidden = factories.product("Hidden", phones, is_active=False)
    factories.offer(hidden, parameters={"Colour": "white"})
    hose = factories.product("Hose", other)
    factories.offer(hose, parameters={"Colour": "green", "Length": "20"})
    return root, phones, other


def test_values_of_orderable_offers_of_active_products_sorted(tree):
    assert parameter_choices() == {
        "Colour": ["black", "green", "red"],
        "Length": ["20"],
        "Weight": ["150"],
    }


def test_a_category_by_id_or_slug_takes_its_subtree(tree):
    root, phones, other = tree
    expected = {"Colour": ["black", "red"], "Weight": ["150"]}
    assert parameter_choices(root.pk) == expected
    assert parameter_choices(phones.slug) == expected
    assert parameter_choices(str(other.pk)) == {"Colour": ["green"], "Length": ["20"]}
    assert parameter_choices("no-such-category") == {}
    assert parameter_choices("") == parameter_choices()


def test_one_query_whatever_the_offers(tree, django_assert_num_queries):
    root, _phones, _other = tree
    for n in range(5):
        factories.offer(factories.product(category_obj=root), parameters={"Size": str(n)})
    with django_assert_num_queries(1):
        choices = parameter_choices(root.slug)
    assert choices["Size"] == ["0", "1", "2", "3", "4"]
