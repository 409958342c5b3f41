from vcdhub.platform.tables import Column, Table


def _yes(value) -> str:
    return "Yes" if value else "No"


class PersonTable(Table):
    columns = [Column("name", "Name", link=True), Column("birth_text", "Born"), Column("get_sex_display", "Sex"),
               Column("source_id", "Source id"), Column("owner_unit_id", "Owning unit"),
               Column("fictitious", "Fictitious", format=_yes)]


class FlagTable(Table):
    columns = [Column("get_kind_display", "Flag", link=True), Column("person", "Person"), Column("detail", "Detail"),
               Column("flagged_on", "Set on"), Column("review_on", "Review by"), Column("source", "Source"),
               Column("owner_unit_id", "Owning unit")]


class CrimeRoleTable(Table):
    columns = [Column("get_role_display", "Role", link=True), Column("person", "Person"),
               Column("crime_ref", "Crime ID"), Column("recorded_on", "Recorded on")]


class PersonLinkTable(Table):
    columns = [Column("get_kind_display", "Link", link=True), Column("person", "Person"), Column("other", "Other"),
               Column("get_confidence_display", "Confidence"), Column("linked_on", "Date"), Column("source", "Source")]


class PlaceLinkTable(Table):
    columns = [Column("get_kind_display", "Link", link=True), Column("person", "Person"), Column("place", "Place"),
               Column("lsoa.code", "LSOA"), Column("get_confidence_display", "Confidence"),
               Column("linked_on", "Date"), Column("source", "Source")]
