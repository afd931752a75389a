"""Importers of event datasets: ACLED, GTD, UCDP GED, any CSV through a column mapping, JSONL.

Each importer turns rows into validated ``IncidentCreate`` objects (or a ``RowError`` naming the
line and the reason); ``store.import_rows`` writes them idempotently, keyed by the dataset's
own id and a content hash.
"""

from safecorridor.sources.importers.common import ImportFormatError, ImportReport, RowError
from safecorridor.sources.importers.registry import import_file

__all__ = ["ImportFormatError", "ImportReport", "RowError", "import_file"]
