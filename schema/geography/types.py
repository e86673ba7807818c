"""Geography and organisation: municipalities, urban areas, boards, housing organisations and estates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Private
from strawberry.types import Info

from schema.connections import After, Connection, First, OrderBy, decode_cursor, ordering
from schema.enums import BoardLevel, OtherEffortKind
from schema.geography.loaders import (
    BoardByIdLoader,
    EstatesByOrganisationIdLoader,
    EstatesByUrbanAreaIdLoader,
    HousingOrganisationByIdLoader,
    MunicipalityByIdLoader,
    OtherEffortsByUrbanAreaIdLoader,
    UrbanAreaByIdLoader,
    UrbanAreasByBoardIdLoader,
    UrbanAreasByMunicipalityIdLoader,
)
from schema.limits import page_size
from schema.loaders import Resolves
from schema.node import Node
from schema.participation.loaders import FollowUpGroupsByEstateIdLoader
from schema.plans.loaders import PlansByBoardIdLoader, PlansByUrbanAreaIdLoader

if TYPE_CHECKING:
    from schema.participation.types import FollowUpGroup
    from schema.plans.types import Plan

PlanRef = Annotated["Plan", strawberry.lazy("schema.plans.types")]
FollowUpGroupRef = Annotated["FollowUpGroup", strawberry.lazy("schema.participation.types")]


@strawberry.type(description="A municipality (kommune).")
class Municipality(Node):
    name: str = strawberry.field(description="The municipality's name, e.g. Københavns Kommune.")
    code: str = strawberry.field(description="The municipality number, e.g. 101 for København.")

    @strawberry.field(description="The municipality's urban areas (byområder).")
    def urban_areas(self, info: Info) -> Resolves[list[UrbanArea]]:
        return UrbanAreasByMunicipalityIdLoader(info.context).load(self.pk)


@strawberry.type(description="An urban area (byområde) with vulnerable housing estates and their plans.")
class UrbanArea(Node):
    name: str = strawberry.field(description="The area's name, e.g. Tingbjerg.")
    slug: str = strawberry.field(description="A short name for addresses (URLs) of the portal.")
    municipality_id: Private[int]
    board_id: Private[int | None]

    @strawberry.field(description="The municipality the area lies in.")
    def municipality(self, info: Info) -> Resolves[Municipality]:
        return MunicipalityByIdLoader(info.context).load(self.municipality_id)

    @strawberry.field(description="The district board (bydelsbestyrelse) that follows the area.")
    def board(self, info: Info) -> Resolves[Board | None]:
        return BoardByIdLoader(info.context).load(self.board_id) if self.board_id else None

    @strawberry.field(description="The housing estates (boligafdelinger) in the area.")
    def estates(self, info: Info) -> Resolves[list[HousingEstate]]:
        return EstatesByUrbanAreaIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The plans of the area that you may see.")
    def plans(
        self, info: Info, first: First = None, after: After = None, order_by: OrderBy = None
    ) -> Resolves[Connection[PlanRef]]:
        order = ordering(order_by)
        return PlansByUrbanAreaIdLoader(info.context).load(
            (self.pk, page_size(first), decode_cursor(after, order), order)
        )

    @strawberry.field(description="Other efforts in the area: letting agreements, development plans, area renewal.")
    def other_efforts(self, info: Info) -> Resolves[list[OtherEffort]]:
        return OtherEffortsByUrbanAreaIdLoader(info.context).load(self.pk)


@strawberry.type(description="A board: Den Boligsociale Bestyrelse (city) or a bydelsbestyrelse (district).")
class Board(Node):
    name: str = strawberry.field(description="The board's name.")
    level: BoardLevel = strawberry.field(description="Whether the board covers the city or a district.")
    municipality_id: Private[int]

    @strawberry.field(description="The municipality of the board.")
    def municipality(self, info: Info) -> Resolves[Municipality]:
        return MunicipalityByIdLoader(info.context).load(self.municipality_id)

    @strawberry.field(description="The urban areas the board follows (district boards).")
    def urban_areas(self, info: Info) -> Resolves[list[UrbanArea]]:
        return UrbanAreasByBoardIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The plans the board follows that you may see.")
    def plans(self, info: Info) -> Resolves[list[PlanRef]]:
        return PlansByBoardIdLoader(info.context).load(self.pk)


@strawberry.type(description="A housing organisation (almen boligorganisation), e.g. fsb or 3B.")
class HousingOrganisation(Node):
    name: str = strawberry.field(description="The organisation's full name.")
    short_name: str = strawberry.field(description="The short name it is known by, e.g. fsb.")
    cvr: str | None = strawberry.field(description="The organisation's CVR number (business register).")

    @strawberry.field(description="The organisation's housing estates.")
    def estates(self, info: Info) -> Resolves[list[HousingEstate]]:
        return EstatesByOrganisationIdLoader(info.context).load(self.pk)


@strawberry.type(description="A housing estate (boligafdeling) of a housing organisation.")
class HousingEstate(Node):
    name: str = strawberry.field(description="The estate's name.")
    department_number: str = strawberry.field(description="The department number within its organisation.")
    homes: int = strawberry.field(description="The number of homes.")
    organisation_id: Private[int]
    urban_area_id: Private[int]

    @strawberry.field(description="The housing organisation that owns the estate.")
    def organisation(self, info: Info) -> Resolves[HousingOrganisation]:
        return HousingOrganisationByIdLoader(info.context).load(self.organisation_id)

    @strawberry.field(description="The urban area the estate lies in.")
    def urban_area(self, info: Info) -> Resolves[UrbanArea]:
        return UrbanAreaByIdLoader(info.context).load(self.urban_area_id)

    @strawberry.field(description="The follow-up groups that cover the estate, of plans you may see.")
    def follow_up_groups(self, info: Info) -> Resolves[list[FollowUpGroupRef]]:
        return FollowUpGroupsByEstateIdLoader(info.context).load(self.pk)


@strawberry.type(description="Another effort in an urban area besides the plans (øvrig indsats).")
class OtherEffort(Node):
    kind: OtherEffortKind = strawberry.field(description="What kind of effort this is.")
    name: str = strawberry.field(description="The effort's name.")
    description: str | None = strawberry.field(description="What the effort does.")
    urban_area_id: Private[int]

    @strawberry.field(description="The urban area of the effort.")
    def urban_area(self, info: Info) -> Resolves[UrbanArea]:
        return UrbanAreaByIdLoader(info.context).load(self.urban_area_id)
