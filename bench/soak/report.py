"""The soak's summary: requests and their times by kind, errors, and the checks."""

import statistics

from .driver import Record
from .verify import Check


def _ms(values: list[float], q: int) -> float:
    if len(values) < 2:
        return 1000 * values[0] if values else 0.0
    return 1000 * statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summary(records: list[Record], checks: list[Check], *, seconds: float) -> str:
    answers = [a for r in records for a in r.answers]
    lines = [
        f"{len(records)} clients, {seconds:.1f} s: {len(answers)} requests, "
        f"{len(answers) / seconds:.1f} req/s",
        "",
        f"{'kind':<14} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'not ok':>7}",
    ]
    kinds = sorted({a.kind for a in answers}, key=lambda k: -sum(a.kind == k for a in answers))
    for kind in kinds:
        these = [a for a in answers if a.kind == kind]
        times = [a.seconds for a in these]
        lines.append(
            f"{kind:<14} {len(these):>9} {len(these) / seconds:>7.1f} {_ms(times, 50):>8.0f} "
            f"{_ms(times, 99):>8.0f} {sum(not a.ok for a in these):>7}"
        )
    times = [a.seconds for a in answers]
    lines.append(
        f"{'all':<14} {len(answers):>9} {len(answers) / seconds:>7.1f} {_ms(times, 50):>8.0f} "
        f"{_ms(times, 99):>8.0f} {sum(not a.ok for a in answers):>7}"
    )
    statuses = {}
    for answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    shown = ", ".join(
        f"{'no answer' if s is None else s}: {n}"
        for s, n in sorted(statuses.items(), key=lambda i: (i[0] is None, i[0] or 0))
    )
    lines += ["", f"statuses: {shown}", "", "checks:"]
    for check in checks:
        lines.append(f"  {'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
    failed = sum(not c.passed for c in checks)
    lines.append("")
    lines.append("Integrity: all checks passed." if not failed else f"Integrity: {failed} FAILED.")
    return "\n".join(lines)
