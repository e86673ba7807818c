"""Loaders of geography and organisation rows (all public reference data)."""

from __future__ import annotations

from backend import models as m
from schema.loaders import ByForeignKeyLoader, ByIdLoader

T = "schema.geography.types."


class MunicipalityByIdLoader(ByIdLoader):
    type_path = T + "Municipality"
    model = m.Municipality


class UrbanAreaByIdLoader(ByIdLoader):
    type_path = T + "UrbanArea"
    model = m.UrbanArea


class UrbanAreasByMunicipalityIdLoader(ByForeignKeyLoader):
    type_path = T + "UrbanArea"
    model = m.UrbanArea
    fk = "municipality_id"


class UrbanAreasByBoardIdLoader(ByForeignKeyLoader):
    type_path = T + "UrbanArea"
    model = m.UrbanArea
    fk = "board_id"


class BoardByIdLoader(ByIdLoader):
    type_path = T + "Board"
    model = m.Board


class HousingOrganisationByIdLoader(ByIdLoader):
    type_path = T + "HousingOrganisation"
    model = m.HousingOrganisation


class HousingEstateByIdLoader(ByIdLoader):
    type_path = T + "HousingEstate"
    model = m.HousingEstate


class EstatesByOrganisationIdLoader(ByForeignKeyLoader):
    type_path = T + "HousingEstate"
    model = m.HousingEstate
    fk = "organisation_id"


class EstatesByUrbanAreaIdLoader(ByForeignKeyLoader):
    type_path = T + "HousingEstate"
    model = m.HousingEstate
    fk = "urban_area_id"


class OtherEffortByIdLoader(ByIdLoader):
    type_path = T + "OtherEffort"
    model = m.OtherEffort


class OtherEffortsByUrbanAreaIdLoader(ByForeignKeyLoader):
    type_path = T + "OtherEffort"
    model = m.OtherEffort
    fk = "urban_area_id"
