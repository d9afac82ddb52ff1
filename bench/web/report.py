"""The tables printed after a run, and again from saved results (--report)."""

from .env import HEALTHZ, HEALTHZ_AGAIN


def _table(header: list[str], body: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = []
    for row in [header, None, *body]:
        if row is None:
            lines.append("-+-".join("-" * w for w in widths))
            continue
        lines.append(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def _queries(counts: list[int] | None) -> str:
    if not counts:
        return "-"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def healthz_rps(stage: dict) -> float:
    """The mean of the first and the last /healthz run (older results have only the first)."""
    runs = [stage["load"][n]["rps"] for n in (HEALTHZ, HEALTHZ_AGAIN) if n in stage["load"]]
    return sum(runs) / len(runs)


def _cores(r: dict, key: str) -> str:
    return f"{r[key]:.2f}" if key in r else "-"


def load_table(stage: dict) -> str:
    """One scale: req/s, latency percentiles, the ratio to /healthz, queries per request."""
    load = stage["load"]
    base = healthz_rps(stage)
    body = []
    for name, r in load.items():
        inprocess = stage.get("inprocess", {}).get(name, {})
        body.append(
            [
                name,
                f"{r['rps']:,.1f}",
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"{r['rps'] / base:.3f}",
                _queries(inprocess.get("queries")),
                f"{inprocess['ms_median']:.1f}" if inprocess else "-",
                _cores(r, "other_cores"),
                _cores(r, "stolen_cores"),
            ]
        )
    header = [
        "page",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "/ healthz",
        "queries",
        "in-proc ms",
        "others",
        "stolen",
    ]
    return _table(header, body)


def scales_table(stages: list[dict]) -> str:
    """Each page across the scales: req/s, ratio to /healthz, queries."""
    names = list(stages[0]["load"])
    header = ["page"]
    for stage in stages:
        header += [f"req/s {stage['label']}", f"/ healthz {stage['label']}", "queries"]
    body = []
    for name in names:
        row = [name]
        for stage in stages:
            r = stage["load"].get(name)
            if r is None:
                row += ["-", "-", "-"]
                continue
            base = healthz_rps(stage)
            counts = stage.get("inprocess", {}).get(name, {}).get("queries")
            row += [f"{r['rps']:,.1f}", f"{r['rps'] / base:.3f}", _queries(counts)]
        body.append(row)
    return _table(header, body)


def counts_line(stage: dict) -> str:
    c = stage["counts"]
    return (
        f"{stage['label']}: {c['organisations']} organisations, {c['wards']:,} wards, "
        f"{c['members']:,} memberships, {c['ideas']:,} ideas ({stage['org_ideas']:,} in "
        f"{stage['organisation']}), {c['supports']:,} supports, {c['comments']:,} comments, "
        f"{c['pulses']:,} pulse check-ins; database {stage['db_bytes'] / 1024**3:.2f} GiB"
    )


def profile_text(stage: dict) -> str:
    lines = []
    for name, result in stage.get("inprocess", {}).items():
        p = result["profile"]
        lines.append(
            f"\n{name}: {result['ms_median']:.1f} ms a request in-process (median, no "
            f"profiler), {result['sql_ms_mean']:.1f} ms of it in the database driver "
            f"({result['sql_ms_mean'] / result['ms_mean']:.0%}); {p['ms_per_request']:.1f} ms "
            "under cProfile, shared as:"
        )
        for category, share in p["shares"].items():
            lines.append(f"    {share:6.1%}  {category}")
        lines.append("  slowest statements (ms a request, runs a request):")
        for sql, runs, ms in result.get("slowest_sql", []):
            lines.append(f"    {ms:8.2f} {runs:6.1f}x  {sql}")
        plan = result.get("slowest_plan")
        if plan:
            app, superuser = plan["app role"], plan["superuser"]
            lines.append(
                f"  the SELECT taking most time, EXPLAIN ANALYZE: {app['ms']:.1f} ms as the "
                f"app's role (row-level security; {app['node']} estimated "
                f"{app['estimated_rows']:,} rows, got {app['rows']:,}), {superuser['ms']:.1f} ms "
                f"as the superuser (none; {superuser['node']} estimated "
                f"{superuser['estimated_rows']:,}, got {superuser['rows']:,}):"
            )
            lines.append(f"      {plan['sql']}")
        lines.append("  templates by cumulative time (ms a request, renders a request):")
        for template, renders, ms in result.get("templates", []):
            lines.append(f"    {ms:8.2f} {renders:6.1f}x  {template}")
        lines.append("  the app's own functions by cumulative time (ms a request, share):")
        for function, ms, share in p["top_cumulative"]:
            lines.append(f"    {ms:8.2f} {share:6.1%}  {function}")
        lines.append("  all functions by own time:")
        for function, ms, share in p["top_own"]:
            lines.append(f"    {ms:8.2f} {share:6.1%}  {function}")
    return "\n".join(lines)


def print_report(results: dict, *, profiles: bool = True) -> None:
    stages = [s for s in results["stages"] if "load" in s]
    settings = results["settings"]
    print(
        f"\n{settings['connections']} connections ({settings['threads']} wrk thread), "
        f"{settings['seconds']} s a page after {settings['warmup']} s of warm-up; gunicorn "
        f"{settings['workers']} sync workers; DEBUG off, REQUIRE_MFA on (the QI lead has TOTP)"
    )
    for stage in stages:
        print(f"\n{counts_line(stage)}\n")
        print(load_table(stage))
    if len(stages) > 1:
        print("\nAcross the scales:\n")
        print(scales_table(stages))
    if profiles:
        for stage in stages:
            if stage.get("inprocess"):
                print(f"\nWhere the time goes, {stage['label']}:")
                print(profile_text(stage))
    print(f"\nMachine: {results['machine']}")
