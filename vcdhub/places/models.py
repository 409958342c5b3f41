from django.db import models


class AnalysisRun(models.Model):
    """One run of a place analysis, kept so that a published map or table can be traced and reproduced.

    `input_sha256` hashes the counts the statistics saw (vcdhub.places.inputs.AreaSeries.sha256); with the
    parameters (permutation seed included) and the code version, `vcdhub analyse reproduce` can run it again
    and say whether the inputs and the result are the same. Results are aggregates (counts by area), which
    every signed-in role may see (docs/decisions.md). Aggregate-only readers open only `perturbed` runs, and
the pages withhold small cells from them.
    """

    kind = models.CharField(max_length=20)
    parameters = models.JSONField(help_text="Everything the run was asked for, the permutation seed included")
    input_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the counts by area and month analysed")
    code_version = models.CharField(max_length=200)
    libraries = models.JSONField(default=dict, help_text="Versions of the statistics libraries used")
    result = models.JSONField()
    perturbed = models.BooleanField(default=False, help_text="Computed from perturbed counts, for aggregate-only "
                                    "readers (docs/disclosure.md); the only runs they may open")
    seconds = models.FloatField()
    created_by = models.CharField(max_length=150, help_text="The actor the run was made as")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self):
        result = self.result
        return f"{self.kind} run {self.pk} ({result.get('from')}..{result.get('to')}, {result.get('level')})"

    @property
    def kind_label(self) -> str:
        """The analysis in words ("Hot and cold spots (Gi*)"), as pages show it."""
        from vcdhub.places.prose import SHORT_TITLES

        return SHORT_TITLES.get(self.kind, self.kind)

    @property
    def author(self) -> str:
        """Who made the run, as pages name them: the user name without the actor's "user:" prefix."""
        return self.created_by.removeprefix("user:")
