import pytest
from django.core.management import CommandError, call_command

from shop_catalog.models import Offer, Shop

from .factories import DATA

pytestmark = pytest.mark.django_db

SAMPLE = str(DATA / "pricelist-small.yaml")


def test_command_imports_with_progress_and_summary(supplier, capsys):
    call_command("import_pricelist", SAMPLE, "--shop", "Связной")
    out = capsys.readouterr().out
    assert "created 7, updated 0, unchanged 0, deactivated 0" in out
    assert "[####" in out and "done" in out
    assert Offer.objects.filter(shop=supplier).count() == 7
    call_command("import_pricelist", SAMPLE)
    assert "created 0, updated 0, unchanged 7" in capsys.readouterr().out


def test_command_creates_shop_only_when_asked(db, capsys):
    with pytest.raises(CommandError, match="No shop named"):
        call_command("import_pricelist", SAMPLE)
    call_command("import_pricelist", SAMPLE, "--create-shop", "--missing", "deactivate")
    assert Shop.objects.get(name="Связной").offers.count() == 7
    assert "(missing goods: deactivate)" in capsys.readouterr().out


def test_command_reports_row_errors(supplier, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,category,name,price,quantity\n1,Phones,A,10,1\n2,Phones,B,x,1\n")
    with pytest.raises(CommandError) as exc:
        call_command("import_pricelist", str(bad), "--shop", "Связной")
    assert "goods row 3, price: Enter a number." in str(exc.value)
    assert not Offer.objects.exists()


def test_command_needs_a_known_format(supplier, tmp_path):
    odd = tmp_path / "list.txt"
    odd.write_text("x")
    with pytest.raises(CommandError, match="--format"):
        call_command("import_pricelist", str(odd))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_pricelist", str(tmp_path / "none.yaml"))
