"""Problem rows for the pages: moved to ``govhall.core.problems`` (shared by every interface app);
re-exported here."""

from govhall.core.problems import form_labels, problem_rows  # noqa: F401
