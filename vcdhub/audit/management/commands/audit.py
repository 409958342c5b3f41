import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vcdhub.audit.chain import anchor, check_anchor, verify


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain, or export an anchor (the latest hash) for safekeeping."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="walk the chain; exit 1 at the first broken link")
        check.add_argument("--anchor", type=Path, help="also check an anchor exported earlier")
        check.add_argument("--json", action="store_true")
        out = sub.add_parser("anchor", help="print (or write) the latest link of the chain")
        out.add_argument("-o", "--output", type=Path)

    def handle(self, *args, action, **options):
        if action == "anchor":
            text = json.dumps(anchor(), indent=2)
            if options["output"]:
                options["output"].write_text(text + "\n")
                self.stderr.write(f"anchor written to {options['output']}")
            else:
                self.stdout.write(text)
            return
        result = verify()
        anchor_ok, anchor_note = True, ""
        if options["anchor"]:
            try:
                saved = json.loads(options["anchor"].read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"cannot read the anchor: {exc}", returncode=2) from exc
            anchor_ok, anchor_note = check_anchor(saved)
        if options["json"]:
            self.stdout.write(json.dumps({"ok": result.ok and anchor_ok, "checked": result.checked,
                                          "head_seq": result.head_seq, "broken_seq": result.broken_seq,
                                          "problem": result.problem, "anchor": anchor_note}))
        elif result.ok:
            self.stdout.write(f"Audit chain intact: {result.checked} entries verified.")
        else:
            self.stdout.write(f"AUDIT CHAIN BROKEN at entry {result.broken_seq}: {result.problem}. "
                              f"{result.checked} entries before it verified.")
        if anchor_note and not options["json"]:
            self.stdout.write(("Anchor OK: " if anchor_ok else "ANCHOR FAILED: ") + anchor_note)
        if not (result.ok and anchor_ok):
            raise SystemExit(1)
