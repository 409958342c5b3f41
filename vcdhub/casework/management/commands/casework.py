from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vcdhub.audit.context import acting_as, cli_actor
from vcdhub.audit.log import record_reads
from vcdhub.platform.commands import COMMAND_CHECKS, active_user


class Command(BaseCommand):
    requires_system_checks = COMMAND_CHECKS
    help = "Case work: a panel meeting's minutes (PDF) and the meetings' calendar (ICS), as a user may see them."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        minutes = verbs.add_parser("minutes", help="write a meeting's minutes as PDF")
        minutes.add_argument("meeting", type=int, help="the meeting's number (in its page's address)")
        minutes.add_argument("-o", "--output", type=Path, help="file to write (default: minutes-<meeting>.pdf)")
        minutes.add_argument("--user", required=True, help="the minutes this user may see")
        calendar = verbs.add_parser("calendar", help="write the meetings as an ICS calendar")
        calendar.add_argument("-o", "--output", type=Path, default=Path("vcdhub-panel-meetings.ics"))
        calendar.add_argument("--user", required=True, help="the meetings this user may see")

    def handle(self, *args, verb, **options):
        return getattr(self, f"_{verb}")(**options)

    def _minutes(self, *, meeting, output, user, **options):
        from vcdhub.casework import minutes
        from vcdhub.casework.models import Meeting

        account = active_user(user)
        with acting_as(f"user:{account.username}", user=account, reason=f"CLI minutes by {cli_actor()}"):
            found = Meeting.objects.restrict(account).filter(pk=meeting).first()
            if found is None:
                raise CommandError(f"No meeting {meeting} that {user} may see.", returncode=1)
            context = minutes.minutes_context(account, found)
            record_reads(context["records"], "export")
            output = output or Path(f"minutes-{found.pk}.pdf")
            output.write_bytes(minutes.render_pdf(context))
        self.stdout.write(f"Minutes of {found} written to {output}")

    def _calendar(self, *, output, user, **options):
        from vcdhub.casework.calendar import meetings_ics
        from vcdhub.casework.models import Meeting

        account = active_user(user)
        with acting_as(f"user:{account.username}", user=account, reason=f"CLI calendar by {cli_actor()}"):
            meetings = list(Meeting.objects.restrict(account).order_by("starts_at"))
            output.write_bytes(meetings_ics(meetings, user=account))
        self.stdout.write(f"{len(meetings)} meetings written to {output}")
