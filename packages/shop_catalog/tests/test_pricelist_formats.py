import csv
import io
import json

import pytest
import yaml

from shop_catalog.models import Offer
from shop_catalog.pricelist import PriceListError, detect_format, parse_pricelist
from shop_catalog.services import import_pricelist, import_pricelist_file

from .factories import sample_bytes

pytestmark = pytest.mark.django_db

COLUMNS = ["id", "category", "model", "name", "price", "price_rrc", "quantity"]


def flat_rows():
    data = yaml.safe_load(sample_bytes())
    categories = {c["id"]: c["name"] for c in data["categories"]}
    names = sorted({p for g in data["goods"] for p in g["parameters"]})
    rows = []
    for g in data["goods"]:
        row = [g["id"], categories[g["category"]], g["model"], g["name"], g["price"]]
        row += [g["price_rrc"], g["quantity"]]
        row += [g["parameters"].get(n, "") for n in names]
        rows.append(row)
    return COLUMNS + names, rows


def snapshot():
    return sorted(
        (
            o.external_id,
            o.product.name,
            o.product.category.name,
            o.model,
            o.price,
            o.price_rrc,
            o.quantity,
            tuple(sorted((p.parameter.name, p.value) for p in o.parameters.all())),
        )
        for o in Offer.objects.select_related("product__category").prefetch_related(
            "parameters__parameter"
        )
    )


@pytest.fixture
def yaml_snapshot(supplier):
    import_pricelist_file(content=sample_bytes(), fmt="yaml")
    result = snapshot()
    Offer.objects.all().delete()
    return result


def test_json_variant_imports_the_same(supplier, yaml_snapshot):
    content = json.dumps(yaml.safe_load(sample_bytes()), ensure_ascii=False).encode()
    summary = import_pricelist_file(content=content, fmt="json")
    assert summary.created == 7
    assert snapshot() == yaml_snapshot


def test_csv_variant_imports_the_same(supplier, yaml_snapshot):
    header, rows = flat_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    content = buffer.getvalue().encode("utf-8-sig")
    summary = import_pricelist_file(content=content, fmt="csv", shop="Связной")
    assert summary.created == 7
    assert snapshot() == yaml_snapshot
    again = import_pricelist_file(content=content, fmt="csv", shop="Связной")
    assert again.unchanged == 7


def test_xlsx_variant_imports_the_same(supplier, yaml_snapshot):
    from openpyxl import Workbook

    header, rows = flat_rows()
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append([None if v == "" else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    summary = import_pricelist_file(content=buffer.getvalue(), fmt="xlsx", shop=supplier)
    assert summary.created == 7
    assert snapshot() == yaml_snapshot


def test_xlsx_row_errors_use_sheet_line_numbers(supplier):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "category", "name", "price", "quantity"])
    wb.active.append([1, "Phones", "A", 10, 1])
    wb.active.append([2, "Phones", "B", 10, -3])
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(PriceListError) as exc:
        import_pricelist_file(content=buffer.getvalue(), fmt="xlsx", shop=supplier)
    assert exc.value.errors == [
        {
            "section": "goods",
            "row": 3,
            "field": "quantity",
            "message": "Must not be negative.",
            "code": "negative",
        }
    ]


def test_csv_with_several_shops_is_refused(db):
    content = b"shop,id,category,name,price\nA,1,C,N,1\nB,2,C,N,1\n"
    with pytest.raises(PriceListError, match="one shop"):
        parse_pricelist(content, "csv")


def test_csv_without_required_columns(db):
    with pytest.raises(PriceListError, match="no 'price' column"):
        parse_pricelist(b"id,name\n1,A\n", "csv")


def test_yaml_alias_bomb_is_refused(settings):
    settings.SHOP_CATALOG = {"YAML_MAX_NODES": 10_000}
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    previous = "a"
    for level in "bcdefgh":
        bomb += f"{level}: &{level} [{', '.join(['*' + previous] * 10)}]\n".encode()
        previous = level
    bomb += b"goods: []\n"
    with pytest.raises(PriceListError, match="too many nodes"):
        parse_pricelist(bomb, "yaml")


def test_yaml_few_aliases_are_fine():
    content = b"shop: S\nparams: &p {Color: red}\ngoods:\n  - {id: 1, parameters: *p}\n"
    assert parse_pricelist(content, "yaml")["goods"][0]["parameters"] == {"Color": "red"}


def test_yaml_python_tags_are_refused():
    with pytest.raises(PriceListError, match="Not valid YAML"):
        parse_pricelist(b"goods: !!python/object/apply:os.system ['true']\n", "yaml")


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"{not json", "json", "Not valid JSON"),
        (b"[1, 2]", "json", "must be a mapping"),
        (b"shop: S\n", "yaml", "no 'goods' list"),
        (b"PK\x03\x04garbage", "xlsx", "Not a valid XLSX"),
        (b"\xff\xfe\x00", "csv", "not UTF-8"),
    ],
)
def test_broken_files_give_a_file_error(content, fmt, message):
    with pytest.raises(PriceListError, match=message) as exc:
        parse_pricelist(content, fmt)
    assert exc.value.errors[0]["section"] == "file"


def test_format_not_enabled_by_setting(supplier, settings):
    settings.SHOP_CATALOG = {"PRICE_LIST_FORMATS": ["yaml"]}
    with pytest.raises(PriceListError, match="not accepted"):
        import_pricelist_file(content=b"{}", fmt="json", shop=supplier)


def test_detect_format():
    assert detect_format("list.YML") == "yaml"
    assert detect_format("list.xlsx") == "xlsx"
    assert detect_format("https://x.example/feed", "application/json; charset=utf-8") == "json"
    assert detect_format("list.txt") is None


def test_import_signal_is_sent_after_commit(
    supplier, sample_data, django_capture_on_commit_callbacks
):
    from shop_catalog.signals import pricelist_imported

    received = []

    def receiver(sender, shop, summary, **kwargs):
        received.append((shop.pk, summary.created))

    pricelist_imported.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_pricelist(data=sample_data)
    finally:
        pricelist_imported.disconnect(receiver)
    assert received == [(supplier.pk, 7)]


def test_csv_row_errors_use_sheet_rows(supplier):
    """A cell with a line break is one row (was numbered by its last file line)."""
    content = b'id,category,name,price,quantity\n1,C,"Two\nlines",10,1\n\n2,C,B,10,-3\n'
    with pytest.raises(PriceListError) as exc:
        import_pricelist_file(content=content, fmt="csv", shop=supplier)
    assert [(e["row"], e["field"]) for e in exc.value.errors] == [(3, "quantity")]
