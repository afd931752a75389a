"""Write the facts-and-figures copy of a UCDP GED CSV that the repository ships.

UCDP GED is published under CC BY 4.0. The copy keeps every coded column (dates, places,
coordinates, precision codes, sides, deaths) and the HXL row, and drops the columns that quote
or cite third parties' news text (``source_article``, ``source_office``, ``source_date``,
``source_headline``, ``source_original``), which stay with their publishers.

Run: python scripts/make-ucdp-facts.py IN.csv src/safecorridor/datasets/ucdp_ged_pakistan_1989_2016.csv.gz
"""

from __future__ import annotations

import csv
import gzip
import io
import sys

DROPPED = ("source_article", "source_office", "source_date", "source_headline", "source_original")


def main(src: str, dest: str) -> None:
    with open(src, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        keep = [i for i, name in enumerate(header) if name not in DROPPED]
        rows = [[row[i] if i < len(row) else "" for i in keep] for row in reader]
    # mtime=0: the same input gives the same bytes
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header[i] for i in keep])
    writer.writerows(rows)
    with open(dest, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    print(f"{len(rows) - 1:,} events, {len(keep)} of {len(header)} columns -> {dest}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
