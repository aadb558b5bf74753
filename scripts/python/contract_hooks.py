"""Schemathesis hooks for scripts/contract.

docs/openapi.json states every rule JSON Schema can express. A few of the API's rules
compare one value with another value or with stored data, which no schema can state
(the document says them in prose): an interval's end after its start, a date range's
length, a cursor the listing issued, a photographer who exists, the code the API
texted. Schemathesis would
generate schema-valid requests that break them and then report the API's correct 4xx
as "schema-valid request rejected". These hooks repair exactly those relations in each
request just before it is sent, plus two things of the same kind: whole numbers go out
without a fraction (`3`, not `3.0`: JSON Schema cannot tell them apart, the API's
integer fields can), and every Idempotency-Key is fresh (reusing one with another body
is 422 by design). Schemathesis re-validates each request afterwards, so whatever a
repair touches is still judged against the document.

They also refuse to let a request leave for anything but the loopback API under test.
"""

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid

import schemathesis

API = os.environ["CONTRACT_API"].rstrip("/")
if urllib.parse.urlsplit(API).hostname != "127.0.0.1":
    raise SystemExit(f"contract hooks: refusing to test {API}: only 127.0.0.1 is allowed")

# Rust's `str::trim` strips exactly the Unicode White_Space characters.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
CURSOR_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

# moto, the stack's local AWS, keeps every text the API sends (scripts/contract passes its
# address). Loopback only, like the API.
MOTO = os.environ.get("CONTRACT_MOTO", "").rstrip("/")
if MOTO and urllib.parse.urlsplit(MOTO).hostname != "127.0.0.1":
    raise SystemExit(f"contract hooks: refusing to read texts from {MOTO}: only 127.0.0.1 is allowed")
# PhoneVerificationConfirm.code's pattern, and the text a code goes out in (cm_notify::sms).
CODE_PATTERN = re.compile(r"^[ -]*[0-9](?:[ -]*[0-9]){5}[ -]*$")
CODE_TEXT = re.compile(r"^(\d{6}) is your Capture Moments code")

# (operation and filters, cursor) the API answered: only these cursors are valid to send back.
issued_cursors: set[tuple] = set()


def trim(value):
    """The value as the API reads it; values of other types (from negative cases) become
    a marker that matches nothing."""
    return value.strip(WHITE_SPACE) if isinstance(value, str) else ("not a string", repr(value))


def whole_floats_as_integers(value):
    """JSON Schema's data model cannot tell `3.0` from `3`, but the API parses integer
    fields strictly and refuses `3.0`; send whole numbers without a fraction."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, dict):
        return {k: whole_floats_as_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_floats_as_integers(v) for v in value]
    return value


def op(case):
    return f"{case.operation.method.upper()} {case.operation.path}"


def scope(case, query):
    filters = tuple(sorted((k, str(trim(v))) for k, v in (query or {}).items() if k not in ("cursor", "limit") and trim(v) not in ("", None)))
    return (op(case), tuple(sorted((case.path_parameters or {}).items())), filters)


def looks_like_cursor(value):
    if not isinstance(value, str):
        return False
    head, dot, tag = trim(value).partition(".")
    return bool(dot and head and len(tag) == 43 and set(head + tag) <= CURSOR_CHARS)


def fetch(path):
    with urllib.request.urlopen(f"{API}{path}", timeout=30) as r:  # noqa: S310 - loopback only, checked above
        return json.load(r)


_catalog = None


# Listed photographers' bases (id → (lat, lon)), filled with the catalog.
_bases: dict = {}


def catalog():
    """Listed photographers (id → package durations), read once through the public search."""
    global _catalog
    if _catalog is None:
        _catalog, cursor = {}, None
        while True:
            page = fetch("/photographers?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
            for p in page["items"]:
                _catalog[p["id"]] = {pkg["id"]: pkg["duration_minutes"] for pkg in p["packages"]}
                _bases[p["id"]] = (p["lat"], p["lon"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return _catalog


def parse_instant(value):
    """A date (UTC midnight) or an RFC 3339 instant, as the booking listings read them."""
    value = trim(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
        return parsed if parsed.tzinfo else None
    except ValueError:
        return None


def parse_date(value):
    value = trim(value)
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def order_range(query, low, high):
    """`low` not after `high`, when both are present and readable."""
    a, b = parse_instant(query.get(low)), parse_instant(query.get(high))
    if a is not None and b is not None and a > b:
        query[low], query[high] = query[high], query[low]


def clamp_dates(query, low, high, max_days):
    """Dates `low..=high` in order and spanning at most `max_days` days, counting both."""
    a, b = parse_date(query.get(low)), parse_date(query.get(high))
    if a is None or b is None:
        return
    if a > b:
        a, b = b, a
    if (b - a).days + 1 > max_days:
        b = a + dt.timedelta(days=max_days - 1)
    query[low], query[high] = a.isoformat(), b.isoformat()


def pair(query, a, b):
    """Both of two parameters that only come together, or neither."""
    given = [k for k in (a, b) if trim(str(query.get(k, "")))]
    if len(given) == 1:
        for k in (a, b):
            query.pop(k, None)


def repair_query(case):
    query = case.query
    if not isinstance(query, dict):
        return
    if "cursor" in query and looks_like_cursor(query["cursor"]) and (scope(case, query), trim(query["cursor"])) not in issued_cursors:
        del query["cursor"]
    name = op(case)
    if name == "GET /photographers":
        pair(query, "lat", "lon")
        if not trim(str(query.get("lat", ""))):
            query.pop("radius_km", None)
    if name in ("GET /bookings", "GET /admin/bookings", "GET /payments"):
        order_range(query, "from", "to")
    elif name == "GET /photographers/{id}/availability":
        clamp_dates(query, "from", "to", 62)
        pair(query, "lat", "lon")
    elif name == "GET /photographers/{id}/optimal-slots":
        clamp_dates(query, "date_from", "date_to", 62)
        pair(query, "lat", "lon")
    elif name == "GET /recommendations":
        pair(query, "lat", "lon")
        pair(query, "budget_minor", "currency")
        # From today (UTC) to three years ahead.
        day = parse_date(query.get("date"))
        if day is not None:
            today = dt.datetime.now(dt.timezone.utc).date()
            query["date"] = min(max(day, today), today + dt.timedelta(days=3 * 365)).isoformat()
    elif name == "GET /admin/insights/sentiment":
        today = dt.datetime.now(dt.timezone.utc).date()
        # Without `to` the range ends today (UTC), and it is shorter than 366 days.
        a, b = parse_date(query.get("from")), parse_date(query.get("to"))
        if a is not None and b is None:
            query["from"] = max(min(a, today), today - dt.timedelta(days=365)).isoformat()
        clamp_dates(query, "from", "to", 366)
    elif name == "GET /photographers/{id}/quote":
        photographer = str((case.path_parameters or {}).get("id", "")).upper()
        repair_session(query, catalog().get(photographer))
    elif name == "GET /photographers/me/pricing-preview":
        # The caller's own packages are not known here: price by the hour.
        repair_session(query, None)
    elif name == "GET /admin/analytics":
        today = dt.datetime.now(dt.timezone.utc).date()
        # As above, with ranges of up to 1098 days (admin-get-analytics' MAX_RANGE_DAYS).
        a, b = parse_date(query.get("from")), parse_date(query.get("to"))
        if a is not None and b is None:
            query["from"] = max(min(a, today), today - dt.timedelta(days=1097)).isoformat()
        clamp_dates(query, "from", "to", 1098)
    elif name == "GET /photographers/me/stats":
        # Without `to` the range ends four weeks from today in the photographer's zone
        # (a day either side of UTC's), and it is shorter than 1098 days.
        today = dt.datetime.now(dt.timezone.utc).date()
        a, b = parse_date(query.get("from")), parse_date(query.get("to"))
        if a is not None and b is None:
            latest, earliest = today + dt.timedelta(days=26), today + dt.timedelta(days=28 - 1096)
            query["from"] = max(min(a, latest), earliest).isoformat()
        clamp_dates(query, "from", "to", 1098)


def repair_session(query, packages):
    """A priced session (a quote, a preview): its start in the future and within 730
    days (stored in the document's prose), a package the photographer offers (`packages`:
    its durations; None when unknown, and then none is asked for), and a duration that
    is the package's or, without one, given."""
    start = parse_instant(query.get("start"))
    if start is not None and len(trim(query["start"])) > 10:
        now = dt.datetime.now(dt.timezone.utc)
        if not now + dt.timedelta(hours=1) <= start <= now + dt.timedelta(days=729):
            query["start"] = (now + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
    package = trim(query.get("package_id"))
    if isinstance(package, str) and package and (not packages or package not in packages):
        if packages:
            query["package_id"] = sorted(packages)[len(package) % len(packages)]
        else:
            query.pop("package_id", None)
    package = trim(query.get("package_id"))
    if packages and isinstance(package, str) and package in packages:
        if "duration_minutes" in query:
            query["duration_minutes"] = packages[package]
    elif not trim(str(query.get("duration_minutes", ""))):
        query["duration_minutes"] = 60


def minutes(hhmm):
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


WALL_TIME = re.compile(r"^(?:[01][0-9]|2[0-3]):(?:00|15|30|45)$|^24:00$")


def repair_day(intervals):
    """Intervals that end after they start and do not overlap (touching is fine); a day
    with any malformed interval is left as it is."""
    well_formed = isinstance(intervals, list) and all(
        isinstance(i, dict) and all(isinstance(i.get(k), str) and WALL_TIME.match(i[k]) for k in ("start", "end"))
        for i in intervals
    )
    if not well_formed:
        return intervals
    kept, reach = [], None
    for i in sorted(intervals, key=lambda i: minutes(i["start"])):
        start, end = minutes(i["start"]), minutes(i["end"])
        if end <= start or (reach is not None and start < reach):
            continue
        kept.append(i)
        reach = end
    return kept


def repair_availability(body):
    weekly = body.get("weekly")
    if isinstance(weekly, dict):
        for day, intervals in list(weekly.items()):
            weekly[day] = repair_day(intervals)
    overrides = body.get("overrides")
    if isinstance(overrides, list):
        seen, kept = set(), []
        for o in overrides:
            if isinstance(o, dict):
                date = trim(o.get("date"))
                if date in seen:
                    continue
                seen.add(date)
                if "intervals" in o:
                    o["intervals"] = repair_day(o["intervals"])
            kept.append(o)
        body["overrides"] = kept
    time_off = body.get("time_off")
    if isinstance(time_off, list):
        kept = []
        for t in time_off:
            if isinstance(t, dict):
                a, b = parse_instant(t.get("start")), parse_instant(t.get("end"))
                if a is not None and b is not None:
                    if a == b:
                        continue
                    if a > b:
                        t["start"], t["end"] = t["end"], t["start"]
            kept.append(t)
        body["time_off"] = kept
    notice, days = body.get("min_notice_minutes"), body.get("max_days_ahead")
    notice = 1440 if notice is None else notice
    days = 365 if days is None else days
    if isinstance(notice, int) and isinstance(days, int) and 0 <= notice and 1 <= days and notice >= days * 1440:
        body["min_notice_minutes"] = days * 1440 - 1


def repair_profile(body):
    rate = body.get("hourly_rate")
    currency = rate.get("currency") if isinstance(rate, dict) else None
    packages = body.get("packages")
    if isinstance(packages, list):
        seen, kept = set(), []
        for p in packages:
            if isinstance(p, dict):
                key = trim(p.get("id"))
                if isinstance(key, str) and key in seen:
                    continue
                seen.add(key)
                price = p.get("price")
                if isinstance(price, dict) and isinstance(currency, str) and "currency" in price:
                    price["currency"] = currency
            kept.append(p)
        body["packages"] = kept
    languages = body.get("languages")
    if isinstance(languages, list):
        seen, kept = set(), []
        for lang in languages:
            if trim(lang) in seen:
                continue
            seen.add(trim(lang))
            kept.append(lang)
        body["languages"] = kept
    # A policy's tiers have distinct notice, and more notice never refunds less: keep
    # one tier per notice and give each at least the refund of every shorter notice.
    tiers = body.get("cancellation_policy")
    if isinstance(tiers, list) and all(isinstance(t, dict) for t in tiers):
        by_notice = {}
        for t in tiers:
            hours = t.get("min_hours_before")
            if isinstance(hours, int) and hours not in by_notice:
                by_notice[hours] = t
        kept = [by_notice[h] for h in sorted(by_notice)]
        floor = 0
        for t in kept:
            pct = t.get("refund_percent")
            if isinstance(pct, int) and pct < floor:
                t["refund_percent"] = floor
            elif isinstance(pct, int):
                floor = pct
        if kept:
            body["cancellation_policy"] = kept


def repair_booking_request(case):
    body = case.body
    photographers = catalog()
    if isinstance(body.get("photographer_id"), str) and body["photographer_id"].upper() not in photographers and photographers:
        ids = sorted(photographers)
        body["photographer_id"] = ids[sum(map(ord, body["photographer_id"])) % len(ids)]
    packages = photographers.get(str(body.get("photographer_id", "")).upper())
    if packages is not None and isinstance(body.get("package_id"), str) and body["package_id"] not in packages:
        if packages:
            body["package_id"] = sorted(packages)[len(body["package_id"]) % len(packages)]
        else:
            body["package_id"] = None
            if not isinstance(body.get("duration_minutes"), int):
                body["duration_minutes"] = 60
    package = body.get("package_id")
    if packages and isinstance(package, str) and package in packages and body.get("duration_minutes") is not None:
        body["duration_minutes"] = packages[package]
    # A quote is sealed by the API: none can be made up that it would honour (the API
    # tests cover quotes), so bookings go without one.
    body.pop("quote_id", None)
    # A place with coordinates must lie in the photographer's service area (stored
    # data): put it at their base.
    location = body.get("location")
    base = _bases.get(str(body.get("photographer_id", "")).upper())
    if base and isinstance(location, dict) and isinstance(location.get("lat"), (int, float)) and isinstance(location.get("lon"), (int, float)):
        location["lat"], location["lon"] = base
    # A key already used with another body is 422 by design (a stateful rule): give every
    # request its own key, keeping the header's shape.
    headers = case.headers
    if isinstance(headers, dict):
        for name in list(headers):
            if name.lower() == "idempotency-key" and isinstance(headers[name], str) and 1 <= len(headers[name]) <= 255 and all("!" <= c <= "~" for c in headers[name]):
                headers[name] = f"{uuid.uuid4().hex}{headers[name]}"[:255]


# The local stack's Stripe webhook signing secret (tools/stripe-standin; public, local only).
LOCAL_WEBHOOK_SECRET = b"whsec_standin_local"


def latest_texted_code():
    """The code of the latest verification text moto recorded, or None."""
    for _ in range(10):
        try:
            with urllib.request.urlopen(f"{MOTO}/moto-api/data.json", timeout=30) as r:  # noqa: S310 - loopback only, checked above
                state = json.load(r)
            break
        except (OSError, ValueError):
            # moto builds data.json while requests change its state, and may fail half-way.
            time.sleep(0.1)
    else:
        return None
    texts = (state.get("sns") or {}).get("SMS") or []
    codes = [m.group(1) for t in texts if (m := CODE_TEXT.match(str(t.get("message", ""))))]
    return codes[-1] if codes else None


# A code read from moto is only the pending one until the next send: the two workers
# would otherwise start a new verification between this worker's read and its
# confirmation. Asking for a code and confirming one hold this lock from before the
# call to after it (a worker whose call died releases it at its next phone call; a
# wait is bounded, so a lost release costs a minute, never the run).
PHONE_OPS = {"POST /me/phone/verification", "POST /me/phone/verification/confirm"}
phone_lock = threading.Lock()
phone_held = threading.local()


def hold_phone_lock():
    if getattr(phone_held, "held", False):
        return
    phone_held.held = phone_lock.acquire(timeout=60)


def release_phone_lock():
    if getattr(phone_held, "held", False):
        phone_held.held = False
        phone_lock.release()


# The latest texted code, read again only after a verification was started: moto's
# data.json holds all its state (every email, object and text), and reading it for
# every confirmation made a role's run twice as long.
texted = {"code": None, "stale": True}


def repair_phone_code(body):
    """Whether a code is right compares it with the one texted, a secret no schema can
    state: a schema-valid code goes out as the code the API last texted (the role's own,
    as the roles run one after another), so the confirmation can succeed. A wrong code's
    422 with the tries left is tests/tests/api/phone.rs's to check. Codes that break the
    pattern (negative cases) are left as they are."""
    code = body.get("code")
    if not MOTO or not isinstance(code, str) or not CODE_PATTERN.match(code):
        return
    if texted["stale"]:
        texted["code"], texted["stale"] = latest_texted_code(), False
    if texted["code"]:
        body["code"] = texted["code"]


def sign_stripe_event(case, kwargs):
    """Only Stripe can send a webhook the API accepts: sign the body as Stripe does (an
    HMAC-SHA256 of `t.payload`), sending exactly the bytes that were signed."""
    body = case.body if isinstance(case.body, (dict, list, str, int, float, bool)) or case.body is None else {}
    payload = json.dumps(body, separators=(",", ":")).encode()
    t = int(dt.datetime.now(dt.timezone.utc).timestamp())
    mac = hmac.new(LOCAL_WEBHOOK_SECRET, f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    kwargs["data"] = payload
    if not isinstance(case.headers, dict):
        case.headers = {}
    case.headers["Stripe-Signature"] = f"t={t},v1={mac}"
    case.headers["Content-Type"] = "application/json"


@schemathesis.hook
def before_call(context, case, kwargs):
    if op(case) in PHONE_OPS:
        hold_phone_lock()
    if op(case) == "POST /webhooks/stripe":
        sign_stripe_event(case, kwargs)
        return
    if isinstance(case.query, dict):
        for key, value in list(case.query.items()):
            case.query[key] = whole_floats_as_integers(value)
    repair_query(case)
    if not isinstance(case.body, (dict, list)):
        return
    case.body = whole_floats_as_integers(case.body)
    if not isinstance(case.body, dict):
        return
    name = op(case)
    if name == "PUT /photographers/me/availability":
        repair_availability(case.body)
    elif name == "PUT /photographers/me":
        repair_profile(case.body)
    elif name == "POST /bookings":
        repair_booking_request(case)
    elif name == "POST /me/phone/verification/confirm":
        repair_phone_code(case.body)


@schemathesis.hook
def after_call(context, case, response):
    if op(case) == "POST /me/phone/verification" and response.status_code == 202:
        texted["stale"] = True
    release_phone_lock()
    url = urllib.parse.urlsplit(response.request.url)
    if url.hostname != "127.0.0.1":
        raise RuntimeError(f"a request went to {url.hostname}; only 127.0.0.1 is allowed")
    if response.status_code != 200 or case.operation.method.upper() != "GET":
        return
    try:
        cursor = json.loads(response.content).get("next_cursor")
    except (ValueError, AttributeError):
        return
    if isinstance(cursor, str):
        issued_cursors.add((scope(case, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))), cursor))
