from vcdhub.platform.tables import Column, Table


class MeetingTable(Table):
    columns = [Column("starts_at", "Starts", link=True), Column("title", "Meeting"), Column("location", "Where"),
               Column("chair", "Chair"), Column("get_status_display", "Status")]


class CaseActionTable(Table):
    columns = [Column("title", "Action", link=True), Column("case.reference", "Case"),
               Column("assignee.name", "Assigned to"), Column("due", "Due"),
               Column("get_status_display", "Status"), Column("result", "Result")]
