"""Loaders of geography and organisation rows (all public reference data)."""

from __future__ import annotations

from backend import models as m
from schema.loaders import ByForeignKeyLoader, ByIdLoader


class MunicipalityByIdLoader(ByIdLoader, model=m.Municipality): ...


class UrbanAreaByIdLoader(ByIdLoader, model=m.UrbanArea): ...


class UrbanAreasByMunicipalityIdLoader(ByForeignKeyLoader, model=m.UrbanArea, fk="municipality_id"): ...


class UrbanAreasByBoardIdLoader(ByForeignKeyLoader, model=m.UrbanArea, fk="board_id"): ...


class BoardByIdLoader(ByIdLoader, model=m.Board): ...


class HousingOrganisationByIdLoader(ByIdLoader, model=m.HousingOrganisation): ...


class HousingEstateByIdLoader(ByIdLoader, model=m.HousingEstate): ...


class EstatesByOrganisationIdLoader(ByForeignKeyLoader, model=m.HousingEstate, fk="organisation_id"): ...


class EstatesByUrbanAreaIdLoader(ByForeignKeyLoader, model=m.HousingEstate, fk="urban_area_id"): ...


class OtherEffortByIdLoader(ByIdLoader, model=m.OtherEffort): ...


class OtherEffortsByUrbanAreaIdLoader(ByForeignKeyLoader, model=m.OtherEffort, fk="urban_area_id"): ...
