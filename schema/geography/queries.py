"""Root fields of geography and organisation, and their `node(id)` lookups (public reference data)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from sqlmodel import col
from strawberry.types import Info

from backend import models as m
from schema.connections import After, Connection, First, OrderBy, page_by_name
from schema.context import Context
from schema.enums import BoardLevel
from schema.geography import loaders as gl
from schema.geography.types import Board, HousingOrganisation, Municipality, UrbanArea
from schema.loaders import Loader
from schema.node import NodeFetcher, node_resolver
from schema.permissions import public
from schema.rows import build_all, columns


@strawberry.type(description="Geography and organisation.")
class GeographyQuery:
    @strawberry.field(description="The urban areas (byområder), in a stable order.", **public("reference data"))
    async def urban_areas(
        self, info: Info, first: First = None, after: After = None, order_by: OrderBy = None
    ) -> Connection[UrbanArea]:
        stmt = select(*columns(UrbanArea, m.UrbanArea))
        return await page_by_name(
            info.context, UrbanArea, m.UrbanArea, stmt, first=first, after=after, order_by=order_by
        )

    @strawberry.field(description="The boards: the city board and the district boards.", **public("reference data"))
    async def boards(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        level: Annotated[BoardLevel | None, strawberry.argument(description="Only boards of this level.")] = None,
        order_by: OrderBy = None,
    ) -> Connection[Board]:
        stmt = select(*columns(Board, m.Board))
        if level is not None:
            stmt = stmt.where(col(m.Board.level) == level)
        return await page_by_name(info.context, Board, m.Board, stmt, first=first, after=after, order_by=order_by)

    @strawberry.field(description="The housing organisations (almene boligorganisationer).", **public("reference data"))
    async def housing_organisations(
        self, info: Info, first: First = None, after: After = None, order_by: OrderBy = None
    ) -> Connection[HousingOrganisation]:
        stmt = select(*columns(HousingOrganisation, m.HousingOrganisation))
        return await page_by_name(
            info.context, HousingOrganisation, m.HousingOrganisation, stmt, first=first, after=after, order_by=order_by
        )

    @strawberry.field(description="The municipalities.", **public("reference data"))
    async def municipalities(self, info: Info) -> list[Municipality]:
        rows = await info.context.fetch(select(*columns(Municipality, m.Municipality)).order_by(col(m.Municipality.id)))
        return build_all(Municipality, rows)


def _by_id(loader: type[Loader[int, Any]]) -> NodeFetcher:
    async def fetch(context: Context, pk: int) -> Any:
        return await loader(context).load(pk)

    return fetch


node_resolver("Municipality")(_by_id(gl.MunicipalityByIdLoader))
node_resolver("UrbanArea")(_by_id(gl.UrbanAreaByIdLoader))
node_resolver("Board")(_by_id(gl.BoardByIdLoader))
node_resolver("HousingOrganisation")(_by_id(gl.HousingOrganisationByIdLoader))
node_resolver("HousingEstate")(_by_id(gl.HousingEstateByIdLoader))
node_resolver("OtherEffort")(_by_id(gl.OtherEffortByIdLoader))
