import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vcdhub.audit.chain import anchor, check_anchor, verify
from vcdhub.audit.checkpoints import CheckpointError, create_checkpoint, generate_key, verify_checkpoints

SHOWN_PROBLEMS = 10  # checkpoint problems printed in full; --json gives every one


class Command(BaseCommand):
    # An operator's tool, scripted from cron: Django's system checks (which import every view, about 2 s) are for
    # the server and `vcdhub check`; nothing here depends on them.
    requires_system_checks = []
    help = ("Verify the tamper-evident audit chain and its signed checkpoints, sign a checkpoint, make the signing "
            "key, or export an anchor (the latest hash) for safekeeping.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="walk the chain and check the signed checkpoints; exit 1 on any fault")
        check.add_argument("--anchor", type=Path, help="also check an anchor exported earlier")
        check.add_argument("--checkpoint-dir", type=Path,
                           help="checkpoints to check (default VCDHUB_AUDIT_CHECKPOINT_DIR), e.g. a copy from "
                                "their storage")
        check.add_argument("--verify-key", type=Path, action="append",
                           help="a public key to check them with (repeatable; default VCDHUB_AUDIT_VERIFY_KEY)")
        check.add_argument("--json", action="store_true")
        sign = sub.add_parser("checkpoint", help="sign a checkpoint of the chain now")
        sign.add_argument("--json", action="store_true")
        keygen = sub.add_parser("keygen", help="make the Ed25519 key pair that signs checkpoints")
        keygen.add_argument("--key", type=Path, help="where the private key goes (default VCDHUB_AUDIT_SIGNING_KEY)")
        keygen.add_argument("--public", type=Path, help="where the public key goes (default: the key's path + .pub)")
        keygen.add_argument("--if-missing", action="store_true",
                            help="keep a key that is already there, and exit 0 (for scripts)")
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
        if action == "keygen":
            return self.keygen(options)
        if action == "checkpoint":
            return self.checkpoint(options)
        self.verify(options)

    def keygen(self, options):
        path = options["key"] or (Path(settings.VCDHUB_AUDIT_SIGNING_KEY) if settings.VCDHUB_AUDIT_SIGNING_KEY
                                  else None)
        if path is None:
            raise CommandError("no key path: give --key, or set VCDHUB_AUDIT_SIGNING_KEY", returncode=2)
        public = options["public"] or path.with_name(path.name + ".pub")
        try:
            kid, made = generate_key(path, public, keep_existing=options["if_missing"])
        except (CheckpointError, OSError) as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if made:
            self.stdout.write(f"Signing key {kid} written to {path} (mode 0600); its public key to {public}.\n"
                              "Keep the private key off the database server's backups and away from its "
                              "administrators; give the public key to whoever verifies (VCDHUB_AUDIT_VERIFY_KEY).")
        else:
            self.stdout.write(f"Signing key {kid} already at {path}: kept.")

    def checkpoint(self, options):
        try:
            made = create_checkpoint()
        except CheckpointError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if options["json"]:
            self.stdout.write(json.dumps(None if made is None else {**made.body(), "file": str(made.path)}))
        elif made is None:
            self.stdout.write("The audit chain is empty: no checkpoint to sign.")
        else:
            self.stdout.write(f"Checkpoint signed: entry {made.seq} ({made.hash[:16]}...), key {made.key_id}, "
                              f"written to {made.path}.")

    def verify(self, options):
        result = verify()
        anchor_ok, anchor_note = True, ""
        if options["anchor"]:
            try:
                saved = json.loads(options["anchor"].read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"cannot read the anchor: {exc}", returncode=2) from exc
            anchor_ok, anchor_note = check_anchor(saved)
        report = verify_checkpoints(options["checkpoint_dir"], options["verify_key"])
        ok = result.ok and anchor_ok and report.ok
        if options["json"]:
            self.stdout.write(json.dumps({"ok": ok, "checked": result.checked,
                                          "head_seq": result.head_seq, "broken_seq": result.broken_seq,
                                          "problem": result.problem, "anchor": anchor_note,
                                          "checkpoints": report.as_dict()}))
        else:
            if result.ok:
                self.stdout.write(f"Audit chain intact: {result.checked} entries verified.")
            else:
                self.stdout.write(f"AUDIT CHAIN BROKEN at entry {result.broken_seq}: {result.problem}. "
                                  f"{result.checked} entries before it verified.")
            if anchor_note:
                self.stdout.write(("Anchor OK: " if anchor_ok else "ANCHOR FAILED: ") + anchor_note)
            self.write_checkpoints(report)
        if not ok:
            raise SystemExit(1)

    def write_checkpoints(self, report):
        if not report.configured:
            self.stdout.write(f"Checkpoints: {report.note[0].upper()}{report.note[1:]}.")
            return
        if report.latest is not None:
            status = "all hold" if report.ok else f"{len(report.problems)} FAILED"
            self.stdout.write(f"Checkpoints: {report.checked} checked, {status}; the latest covers entries up to "
                              f"{report.latest.seq}, signed {report.latest.at} by key {report.latest.key_id}.")
        for problem in report.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(f"CHECKPOINT FAILED: {problem.message}")
        if len(report.problems) > SHOWN_PROBLEMS:
            self.stdout.write(f"... and {len(report.problems) - SHOWN_PROBLEMS} more (--json lists them all).")
        if report.note and not (report.problems and report.problems[0].kind == "key"):
            self.stdout.write(f"Checkpoints: {report.note}.")
