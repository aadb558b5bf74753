"""Reference light for cm-geo's sun tests, from the `astral` package (3.2, PyPI), whose
definitions the API promises: golden hour while the sun's elevation is between -4 and
+6 degrees, blue hour between -6 and -4. Run once to regenerate the committed JSON:

    python3 -m venv /tmp/astral && /tmp/astral/bin/pip install astral==3.2
    /tmp/astral/bin/python shared/geo/tests/astral/generate.py > shared/geo/tests/astral/astral.json

Nothing runs this at build or test time; the JSON is the fixture.
"""
import datetime as dt
import json
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import SunDirection, blue_hour, golden_hour, sunrise, sunset

PLACES = [
    ("berlin", 52.52, 13.405, "Europe/Berlin"),
    ("sydney", -33.8688, 151.2093, "Australia/Sydney"),
    ("quito", -0.1807, -78.4678, "America/Guayaquil"),
    ("reykjavik", 64.1466, -21.9426, "Atlantic/Reykjavik"),
    ("tromso", 69.6492, 18.9553, "Europe/Oslo"),
    ("honolulu", 21.3069, -157.8583, "Pacific/Honolulu"),
    ("auckland", -36.8485, 174.7633, "Pacific/Auckland"),
    ("suva", -18.1416, 178.4419, "Pacific/Fiji"),
]
DATES = ["2026-03-20", "2026-03-29", "2026-06-21", "2026-09-23", "2026-10-25", "2026-12-21", "2027-01-15"]


def window(fn, obs, date, direction, tz):
    try:
        start, end = fn(obs, date=date, direction=direction, tzinfo=tz)
    except ValueError:
        return None
    return [start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")]


def event(fn, obs, date, tz):
    try:
        return fn(obs, date=date, tzinfo=tz).isoformat(timespec="seconds")
    except ValueError:
        return None


out = []
for name, lat, lon, zone in PLACES:
    tz = ZoneInfo(zone)
    obs = Observer(lat, lon, 0.0)
    for d in DATES:
        date = dt.date.fromisoformat(d)
        row = {
            "place": name, "lat": lat, "lon": lon, "zone": zone, "date": d,
            "sunrise": event(sunrise, obs, date, tz),
            "sunset": event(sunset, obs, date, tz),
            "golden_morning": window(golden_hour, obs, date, SunDirection.RISING, tz),
            "golden_evening": window(golden_hour, obs, date, SunDirection.SETTING, tz),
            "blue_morning": window(blue_hour, obs, date, SunDirection.RISING, tz),
            "blue_evening": window(blue_hour, obs, date, SunDirection.SETTING, tz),
        }
        out.append(row)
print(json.dumps(out, indent=1))
