from vcdhub.platform.tables import Column, Table


def _short(text) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= 90 else text[:89] + "…"


class ReportTable(Table):
    columns = [Column("reference", "Reference", link=True), Column("submitted_at", "Submitted"),
               Column("grade", "Grade"), Column("get_grading_scheme_display", "Scheme"),
               Column("get_state_display", "State"), Column("text", "Text", format=_short),
               Column("owner_unit_id", "Owning unit")]


class SourceTable(Table):
    columns = [Column("reference", "Reference", link=True), Column("name", "Identity"), Column("handler", "Handler"),
               Column("owner_unit_id", "Unit")]


class SourceLinkTable(Table):
    columns = [Column("report.reference", "Report", link=True), Column("source.reference", "Source")]


class DisseminationTable(Table):
    columns = [Column("shared_at", "Shared", link=True), Column("report.reference", "Report"),
               Column("recipient", "To"), Column("get_version_display", "Version"), Column("grade", "Grade"),
               Column("handling_conditions", "Conditions", format=_short), Column("shared_by", "By")]


class SharedReportTable(Table):
    columns = [Column("reference", "Reference", link=True), Column("received_at", "Received"),
               Column("from_unit", "From"), Column("grade", "Grade"),
               Column("handling_conditions", "Conditions", format=_short), Column("text", "Text", format=_short)]


class LinkProposalTable(Table):
    columns = [Column("get_basis_display", "Why", link=True), Column("person", "Person"), Column("other", "Other"),
               Column("evidence", "Evidence"), Column("get_status_display", "Status"),
               Column("proposed_at", "Proposed")]
