"""Development check: import OASIS's STIX 2.1 example bundles and print, per bundle, what maps
onto the record and why the rest was skipped (nothing is stored).

The bundles are in ../shared/data/stix21/ beside the repository (not shipped with it); the
script says so and stops when they are absent. The tests use bundles of our own instead
(tests/interop/fixtures/).

    .venv/bin/python scripts/check_stix_examples.py [FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

from safecorridor.interop import stix

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = Path("shared") / "data" / "stix21" / "oasis-json-schemas" / "examples"
#: ../shared beside the repository (or beside the folder of worktrees)
CANDIDATES = [REPO.parent / EXAMPLES, REPO.parent.parent / EXAMPLES]
DEFAULT = next((c for c in CANDIDATES if c.is_dir()), CANDIDATES[0])


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not folder.is_dir():
        print(f"{folder}: not found; the OASIS example bundles are not beside this repository")
        return 0
    failed = 0
    for path in sorted(folder.rglob("*.json")):
        try:
            parsed = stix.parse_bundle(path.read_bytes(), label=path.name)
        except stix.StixImportError as exc:
            print(f"{path.name}: refused: {exc}")
            continue
        except Exception as exc:  # a crash is what this check looks for
            failed += 1
            print(f"{path.name}: CRASH {exc.__class__.__name__}: {exc}")
            continue
        print(
            f"{path.name}: {len(parsed.incidents)} reports with a date and a place, "
            f"{len(parsed.actors)} actors"
        )
        for line in parsed.summary_lines():
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
