"""Receivers the cabinet connects (in ``apps.ShopCabinetConfig.ready``)."""

from __future__ import annotations
