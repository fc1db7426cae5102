"""``manage.py import_pricelist FILE --shop NAME``: the supplier import from a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...conf import MISSING_POLICIES, app_settings
from ...exceptions import PriceListError, format_problem
from ...pricelist import FORMATS, detect_format
from ...services import import_pricelist_file

STAGES = ["validated", "catalogue", "offers", "parameters", "done"]


class Command(BaseCommand):
    help = "Import a supplier price list (YAML, JSON, CSV or XLSX) into a shop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the price list ('-' reads standard input).")
        parser.add_argument("--shop", help="Shop name (default: the shop named in the file).")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file name.")
        parser.add_argument(
            "--missing",
            choices=MISSING_POLICIES,
            help="Offers missing from the file (default: SHOP_CATALOG['IMPORT_MISSING']).",
        )
        parser.add_argument(
            "--create-shop",
            action="store_true",
            help="Create the shop if no shop has that name.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"] or detect_format(options["file"])
        if fmt is None:
            raise CommandError("Cannot tell the format from the file name: give --format.")
        try:
            summary = import_pricelist_file(
                content=self._read(options["file"]),
                fmt=fmt,
                shop=options["shop"],
                missing=options["missing"],
                create_shop=options["create_shop"],
                progress=self._progress,
            )
        except PriceListError as exc:
            lines = "\n".join(format_problem(e) for e in exc.errors)
            raise CommandError(
                f"The price list has {len(exc.errors)} error(s); nothing was imported:\n{lines}"
            ) from None
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"created {summary.created}, updated {summary.updated}, "
                f"unchanged {summary.unchanged}, deactivated {summary.deactivated} "
                f"(missing goods: {summary.missing})"
            )
        )

    @staticmethod
    def _read(name: str) -> bytes:
        """The file's bytes, at most one over ``IMPORT_MAX_BYTES`` (the import refuses it then)."""
        limit = app_settings.IMPORT_MAX_BYTES + 1
        if name == "-":
            return sys.stdin.buffer.read(limit)
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No such file: {name}")
        with path.open("rb") as fh:
            return fh.read(limit)

    def _progress(self, stage: str, done: int, total: int) -> None:
        step = STAGES.index(stage) + 1 if stage in STAGES else len(STAGES)
        width = 30
        filled = width * step // len(STAGES)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {stage:<10} {total} goods", ending=""
        )
        self.stdout.flush()
