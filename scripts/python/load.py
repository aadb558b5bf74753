#!/usr/bin/env python3
"""Open-loop load on the local stack (scripts/load; method and figures in
docs/performance.md, "Load on the local stack").

For search, availability and create-booking, at each target rate: oha sends requests at
that rate whatever the answers do (open loop, `-q` with `--latency-correction`, so a
request that had to wait for a connection counts its wait), then this script reads what
the stack itself recorded over the same window: the router's line per invocation (its
`took`, from handing the event to the function's instance to its answer, waiting for a
free instance excluded), the function's own metric line per request (`Latency`, the
handler's time), and the CPU time each process of the stack used. Nothing here is a
test: no figure is compared with a threshold.
"""

import argparse
import concurrent.futures
import datetime
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

CLIENT = "priya.sharma@clients.test"  # a demo client (README)
PASSWORD = "demo-password-2026"  # every demo account's (README)

ROUTES = {
    # name: (function, API Gateway route key)
    "search": ("search-photographers", "GET /photographers"),
    "availability": ("get-photographer-availability", "GET /photographers/{id}/availability"),
    "booking": ("create-booking", "POST /bookings"),
}

# No proxy may see loopback traffic.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(api, method, path, token=None, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api + path, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def say(msg):
    print(f"==> {msg}", file=sys.stderr, flush=True)


def wait_seeded(control, seconds=600):
    """The seed uploads portfolios in the background after the API answers; load run
    meanwhile would measure the seed as much as the routes."""
    deadline = time.time() + seconds
    while True:
        try:
            with OPENER.open(control + "/status", timeout=5) as r:
                state = json.load(r).get("seeding", {})
        except (OSError, ValueError):
            state = {}
        if state.get("state") == "done":
            return
        if state.get("state") == "failed":
            sys.exit(f"load: the stack's seeding failed: {state}")
        if time.time() > deadline:
            sys.exit(f"load: seeding not done after {seconds} s: {state}")
        time.sleep(1)


def photographers(api):
    found, cursor = [], None
    while True:
        path = "/photographers?limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(api, "GET", path)
        if status != 200:
            sys.exit(f"load: GET {path} answered {status}: {page}")
        found += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def search_urls(api, people):
    """What clients ask: a city, a city and a kind of shoot, a kind with a rating floor,
    and near a photographer's base (the geo-cell path)."""
    def q(params):
        # %20, not `+`, for the spaces of "New York" and "São Paulo": what a browser sends.
        return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)

    urls = set()
    for p in people:
        spec = p["specializations"][0]
        urls.add(f"{api}/photographers?{q({'city': p['city']})}")
        urls.add(f"{api}/photographers?{q({'city': p['city'], 'specialization': spec})}")
        urls.add(f"{api}/photographers?{q({'specialization': spec, 'min_rating': 4})}")
        if p.get("lat") is not None and p.get("lon") is not None:
            urls.add(f"{api}/photographers?{q({'lat': p['lat'], 'lon': p['lon'], 'specialization': spec})}")
    return sorted(urls)


def availability_urls(api, people, today):
    """Two weeks from today, from three days on and from a week on, for every
    photographer, scored for their first kind of shoot, as the booking page asks."""
    urls = []
    for p in people:
        for offset in (0, 3, 7):
            start = today + datetime.timedelta(days=offset)
            params = {
                "from": start.isoformat(),
                "to": (start + datetime.timedelta(days=13)).isoformat(),
                "duration_minutes": 60,
                "event_type": p["specializations"][0],
            }
            urls.append(f"{api}/photographers/{p['id']}/availability?{urllib.parse.urlencode(params)}")
    return urls


def candidate_sessions(api, people, today, days_ahead):
    """One open hour a day per photographer (the day's middle slot), from two days out:
    sessions that can all be booked together, whatever the daily limits and buffers."""

    def of(p):
        out = []
        start = today + datetime.timedelta(days=2)
        end = today + datetime.timedelta(days=days_ahead)
        while start <= end:
            stop = min(start + datetime.timedelta(days=30), end)
            params = {
                "from": start.isoformat(),
                "to": stop.isoformat(),
                "duration_minutes": 60,
                "event_type": p["specializations"][0],
            }
            status, body = call(api, "GET", f"/photographers/{p['id']}/availability?{urllib.parse.urlencode(params)}")
            if status != 200:
                break
            by_day = {}
            for s in body["slots"]:
                by_day.setdefault(s["start"][:10], []).append(s["start"])
            for starts in by_day.values():
                out.append({"photographer": p, "start": starts[len(starts) // 2]})
            start = stop + datetime.timedelta(days=1)
        return out

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return [c for found in pool.map(of, people) for c in found]


def booking_bodies(api, sessions):
    """The booking each client would send after being shown a price: a quote_id from
    GET /photographers/{id}/quote for that very session (valid 30 minutes, so fetched
    just before the level that uses it)."""

    def body(c):
        p = c["photographer"]
        params = {"start": c["start"], "duration_minutes": 60, "event_type": p["specializations"][0]}
        status, q = call(api, "GET", f"/photographers/{p['id']}/quote?{urllib.parse.urlencode(params)}")
        if status != 200:
            return None
        return {
            "photographer_id": p["id"],
            "event_type": p["specializations"][0],
            "start": c["start"],
            "duration_minutes": 60,
            "location": {"address": "12 Load Test Lane", "city": p["city"]},
            "notes": "load test",
            "quote_id": q["quote_id"],
        }

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return [b for b in pool.map(body, sessions) if b is not None]


# --- what the stack recorded ---------------------------------------------------------


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def appended(path, offset):
    """Lines written to `path` since it was `offset` bytes long (none if it was
    truncated meanwhile: another stack started and emptied the log folder)."""
    if not path or size(path) < offset:
        return []
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace").splitlines()


def handler_latencies(lines, route_key):
    """The function's own `Latency` (ms, float) from its metric line per request."""
    out = []
    for line in lines:
        if '"Latency"' not in line:
            continue
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if v.get("Route") == route_key and isinstance(v.get("Latency"), (int, float)):
            out.append(float(v["Latency"]))
    return out


# `12:00:01.234 http     get-photographer   200   12 ms  GET /photographers/01J… (cold start)`
ROUTER_LINE = re.compile(r"^\S+ http\s+(\S+)\s+(\d{3})\S*(?: \S+)?\s+(\d+) ms  (\S+) (\S+)( \(cold start\))?$")


def router_took(lines, function):
    took, cold = [], 0
    for line in lines:
        m = ROUTER_LINE.match(line.rstrip())
        if m and m.group(1) == function:
            took.append(float(m.group(3)))
            cold += bool(m.group(6))
    return took, cold


CLK = os.sysconf("SC_CLK_TCK")
IDLE_SECONDS = 10


def machine_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle, sum(fields[:8])


def stack_processes(session):
    """CPU ticks of every process in the stack's session, by pid, with what it is."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            rest = stat[stat.rindex(")") + 2 :].split()
            if int(rest[3]) != session:
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except (OSError, ValueError):
            continue
        out[int(pid)] = (argv, int(rest[11]) + int(rest[12]))
    return out


def component(argv, function):
    exe = os.path.basename(argv[0]) if argv else ""
    joined = " ".join(argv)
    if exe == "local-stack":
        return "router"
    if exe == "java" or "DynamoDBLocal" in joined:
        return "dynamodb"
    if "moto_server" in joined:
        return "moto"
    if "cargo-lambda" in joined or exe == "cargo":
        return "emulators"
    if exe == function:
        return "function"
    if argv and "/target/" in argv[0]:
        return "other functions"
    return "other"


COMPONENTS = ["router", "emulators", "function", "other functions", "dynamodb", "moto", "other"]


def cpu_by_component(before, after, function):
    out = dict.fromkeys(COMPONENTS, 0.0)
    for pid, (argv, ticks) in after.items():
        start = before.get(pid, (argv, 0))[1]
        out[component(argv, function)] += (ticks - start) / CLK
    return out


# --- one level -----------------------------------------------------------------------


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def oha(args, cmd, name=None):
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"load: oha failed ({proc.returncode}): {proc.stderr.strip()}")
    if name:
        with open(os.path.join(args.out, f"oha-{name}.json"), "w") as f:
            f.write(proc.stdout)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return json.loads(proc.stdout), cpu


def oha_cmd(args, route, rate, target, token, bodies, warm_up=None):
    """A level at `rate` for --duration, or `warm_up` requests 8 at a time."""
    connections = 8 if warm_up else args.connections
    cmd = [args.oha, "--no-tui", "--output-format", "json", "-c", str(connections)]
    if warm_up:
        cmd += ["-n", str(warm_up)]
    else:
        cmd += ["-z", f"{args.duration}s", "-w", "-q", str(rate), "--latency-correction"]
    if route == "booking":
        cmd += ["-m", "POST", "-T", "application/json", "-H", f"Authorization: Bearer {token}"]
        cmd += ["-Z", bodies] if bodies else ["-d", "{}"]
        cmd.append(target)
    else:
        cmd += ["--urls-from-file", target]
    return cmd


def level(args, route, rate, target, token, bodies, idle):
    function, route_key = ROUTES[route]
    log = os.path.join(args.logs, f"{function}.log")
    offsets = (size(log), size(args.stack_log) if args.stack_log else 0)
    procs = stack_processes(args.session) if args.session else {}
    busy0, total0 = machine_ticks()
    report, oha_cpu = oha(args, oha_cmd(args, route, rate, target, token, bodies), f"{route}-{rate}")
    busy1, total1 = machine_ticks()
    after = stack_processes(args.session) if args.session else {}
    time.sleep(0.5)  # the last log lines are written after the answers
    handler = handler_latencies(appended(log, offsets[0]), route_key)
    took, cold = router_took(appended(args.stack_log, offsets[1]), function) if args.stack_log else ([], 0)
    summary = report["summary"]
    statuses = {str(k): v for k, v in sorted(report.get("statusCodeDistribution", {}).items())}
    done = sum(statuses.values())
    wall = (total1 - total0) / CLK / os.cpu_count()
    cpu = cpu_by_component(procs, after, function) if args.session else {}
    stack_cpu = sum(cpu.values())
    busy = (busy1 - busy0) / CLK
    # The share of each process's CPU over the idle rate, for the window's length.
    marginal = {k: max(0.0, v - idle.get(k, 0.0) * wall) for k, v in cpu.items()} if idle else {}
    lat = report.get("latencyPercentiles", {})
    return {
        "route": route,
        "target_rps": rate,
        "seconds": args.duration,
        "requests": done,
        "achieved_rps": done / summary["total"] if summary.get("total") else None,
        "client_ms": {k: (v * 1000 if v is not None else None) for k, v in lat.items()},
        "statuses": statuses,
        "errors": report.get("errorDistribution", {}),
        "router_took_ms": {"p50": pct(took, 50), "p99": pct(took, 99), "n": len(took)},
        "handler_ms": {"p50": pct(handler, 50), "p99": pct(handler, 99), "n": len(handler)},
        "cold_starts": cold,
        "cpu_seconds": {**cpu, "oha": oha_cpu, "outside the stack": max(0.0, busy - stack_cpu - oha_cpu)},
        "cpu_seconds_over_idle": marginal,
        "window_seconds": wall,
        "machine_busy_cores": busy / wall if wall else None,
    }


def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def tables(results, nproc, loads, idle):
    out = [f"nproc {nproc}; load averages before each route: {loads}", ""]
    out.append("| route | target rps | achieved rps | requests sent of scheduled | p50 ms | p99 ms | statuses | errors |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        c = r["client_ms"]
        statuses = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        errors = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or "0"
        out.append(
            f"| {r['route']} | {r['target_rps']} | {fmt(r['achieved_rps'])} | "
            f"{r['requests']} of {round(r['target_rps'] * r['seconds'])} | "
            f"{fmt(c.get('p50'))} | {fmt(c.get('p99'))} | {statuses} | {errors} |"
        )
    out += ["", "Where the time goes (p50 / p99, ms): the client's, the router's invocation (its instance's answer,"]
    out += ["waiting for a free instance excluded), the handler's own; cold starts in the window.", ""]
    out.append("| route | target rps | client | router invocation | handler | client − invocation (p50) | invocation − handler (p50) | cold |")
    out.append("|---|---|---|---|---|---|---|---|")
    for r in results:
        c, t, h = r["client_ms"], r["router_took_ms"], r["handler_ms"]
        gap1 = None if c.get("p50") is None or t["p50"] is None else c["p50"] - t["p50"]
        gap2 = None if t["p50"] is None or h["p50"] is None else t["p50"] - h["p50"]
        out.append(
            f"| {r['route']} | {r['target_rps']} | {fmt(c.get('p50'))} / {fmt(c.get('p99'))} | "
            f"{fmt(t['p50'], 0)} / {fmt(t['p99'], 0)} | {fmt(h['p50'])} / {fmt(h['p99'])} | "
            f"{fmt(gap1)} | {fmt(gap2)} | {r['cold_starts']} |"
        )
    if idle is not None:
        out += ["", "CPU per request (ms of CPU time) by process, the stack's idle use taken off; the stack idle in"]
        out += ["cores; oha; the rest of the machine (other jobs) in cores; the machine's busy cores (of nproc):", ""]
        out.append("| route | target rps | " + " | ".join(COMPONENTS) + " | oha | others (cores) | busy cores |")
        out.append("|---|---|" + "---|" * len(COMPONENTS) + "---|---|---|")
        cells = " | ".join(fmt(idle.get(k, 0.0), 3) for k in COMPONENTS)
        out.append(f"| (idle, cores) | 0 | {cells} | – | – | – |")
        for r in results:
            n = max(1, r["requests"])
            cells = " | ".join(fmt(r["cpu_seconds_over_idle"].get(k, 0.0) * 1000 / n) for k in COMPONENTS)
            others = r["cpu_seconds"]["outside the stack"] / r["window_seconds"] if r["window_seconds"] else None
            out.append(
                f"| {r['route']} | {r['target_rps']} | {cells} | {fmt(r['cpu_seconds']['oha'] * 1000 / n)} | "
                f"{fmt(others, 2)} | {fmt(r['machine_busy_cores'], 2)} |"
            )
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--api", required=True)
    ap.add_argument("--oha", required=True)
    ap.add_argument("--out", required=True, help="folder for the URL and body files and results.json")
    ap.add_argument("--logs", required=True, help="the stack's function logs (.local/dev/logs)")
    ap.add_argument("--stack-log", help="the stack's console output (router lines)")
    ap.add_argument("--control", help="the stack's control URL (waits for the seeding)")
    ap.add_argument("--session", type=int, help="the stack's session id (CPU by process)")
    ap.add_argument("--rates", default="5,10,20,40", help="requests per second, one level each")
    ap.add_argument("--rates-for", action="append", default=[], metavar="ROUTE=RATES", help="another --rates for one route")
    ap.add_argument("--duration", type=int, default=20, help="seconds per level")
    ap.add_argument("--routes", default="search,availability,booking")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--pool", type=float, default=2.0, help="booking sessions offered per booking request")
    ap.add_argument("--seed", type=int, default=20261202)
    args = ap.parse_args()
    api = args.api.rstrip("/")

    def parse_rates(text):
        return [float(r) if "." in r else int(r) for r in text.replace(" ", ",").split(",") if r]

    routes = [r for r in args.routes.replace(" ", ",").split(",") if r]
    rates_of = {r: parse_rates(args.rates) for r in ROUTES}
    for spec in args.rates_for:
        route, _, text = spec.partition("=")
        if text.strip():
            rates_of[route] = parse_rates(text)
    for r in routes + list(rates_of):
        if r not in ROUTES:
            sys.exit(f"load: unknown route {r} (search, availability, booking)")
    os.makedirs(args.out, exist_ok=True)

    if args.control:
        say("waiting for the demo data")
        wait_seeded(args.control)
    status, login = call(api, "POST", "/auth/login", body={"email": CLIENT, "password": PASSWORD})
    if status != 200:
        sys.exit(f"load: could not sign in as {CLIENT}: {status} {login}")
    token = login["access_token"]
    people = photographers(api)
    today = datetime.date.today()
    say(f"{len(people)} photographers listed")

    files = {}
    searches = search_urls(api, people)
    answers = [call(api, "GET", u[len(api) :]) for u in searches]
    answered = sum(status == 200 and bool(body.get("items")) for status, body in answers)
    say(f"search mix: {len(searches)} queries, {answered} of them finding someone")
    for route, urls in (("search", searches), ("availability", availability_urls(api, people, today))):
        files[route] = os.path.join(args.out, f"{route}-urls.txt")
        with open(files[route], "w") as f:
            f.write("\n".join(urls) + "\n")

    sessions = []
    if "booking" in routes:
        rates = rates_of["booking"]
        need = [math.ceil(args.pool * r * args.duration) for r in rates]
        say(f"finding {sum(need)} open sessions for the booking levels")
        sessions = candidate_sessions(api, people, today, 150)
        say(f"{len(sessions)} open sessions in the next 150 days")
        random.Random(args.seed).shuffle(sessions)
        if len(sessions) < sum(need):
            sys.exit(f"load: {len(sessions)} open sessions found, {sum(need)} needed: lower --rates, --duration or --pool")

    idle = None
    if args.session:
        # What the stack burns with no requests (stream pollers, schedules, the JVM):
        # taken off each level's CPU so what is left is what the requests cost.
        say(f"the stack idle for {IDLE_SECONDS} s")
        procs, t0 = stack_processes(args.session), time.time()
        time.sleep(IDLE_SECONDS)
        idle = {k: v / (time.time() - t0) for k, v in cpu_by_component(procs, stack_processes(args.session), "").items()}

    results, loads = [], []
    for route in routes:
        rates = rates_of[route]
        with open("/proc/loadavg") as f:
            loads.append(f"{route} {' '.join(f.read().split()[:3])}")
        # Warm-up: every instance the route may use started (LAMBDA_CONCURRENCY), so the
        # levels measure warm instances; cold starts in a level are counted.
        # A booking warm-up sends `{}`: refused after the caller's token is checked.
        target = f"{api}/bookings" if route == "booking" else files[route]
        oha(args, oha_cmd(args, route, None, target, token, None, warm_up=32))
        for i, rate in enumerate(rates):
            bodies = None
            if route == "booking":
                offset = sum(math.ceil(args.pool * r * args.duration) for r in rates[:i])
                pool = sessions[offset : offset + math.ceil(args.pool * rate * args.duration)]
                say(f"booking at {rate}/s: quoting {len(pool)} sessions")
                lines = booking_bodies(api, pool)
                bodies = os.path.join(args.out, f"booking-bodies-{rate}.jsonl")
                with open(bodies, "w") as f:
                    f.write("\n".join(json.dumps(b) for b in lines) + "\n")
            say(f"{route} at {rate} requests/s for {args.duration} s")
            r = level(args, route, rate, target, token, bodies, idle)
            if bodies:
                m, p = r["requests"], len(lines)
                # Each request draws one of p sessions at random: the share of draws of a
                # session already drawn (each one a 409) when m requests are sent.
                r["expected_repeat_share"] = 1 - p / m * (1 - math.exp(-m / p)) if m else None
                r["pool"] = p
            results.append(r)
            say(
                f"{route} {rate}/s: {fmt(r['achieved_rps'])}/s, p50 {fmt(r['client_ms'].get('p50'))} ms, "
                f"p99 {fmt(r['client_ms'].get('p99'))} ms, {r['statuses']}"
            )
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"nproc": os.cpu_count(), "load_averages": loads, "idle_cores": idle, "results": results}, f, indent=1)
    print(tables(results, os.cpu_count(), "; ".join(loads), idle))
    for r in results:
        if "pool" in r:
            print(
                f"\nbooking at {r['target_rps']}/s: {r['pool']} sessions offered, "
                f"{fmt(100 * r['expected_repeat_share'], 0)} % of draws repeat a session (each one a 409)",
                end="",
            )
    print()


if __name__ == "__main__":
    main()
