"""Small-number suppression, as the NHS Staff Survey does it.

A count of people below the organisation's threshold is shown as "fewer than N".
When exactly one cell of a breakdown is hidden, the next smallest is hidden too
(complementary suppression), so that nobody can work the hidden one out by
subtracting the others from a published total.
"""

from collections import defaultdict
from dataclasses import dataclass


def too_few(count: int, threshold: int) -> bool:
    """Whether a count of people is too small to show: below the organisation's threshold.
    Zero is shown: there is nobody to single out. Every suppression decides by this."""
    return 0 < count < threshold


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    suppressed: bool = False


def suppress(counts: dict, threshold: int) -> dict:
    """Suppress a breakdown: {key: count} → {key: Cell}. Zero is shown (nobody to single out).
    A breakdown is a table of one row."""
    hidden = suppressed_table_cells({(0, k): v or 0 for k, v in counts.items()}, threshold)
    return {k: Cell(v, suppressed=(0, k) in hidden) for k, v in counts.items()}


def suppressed_keys(counts: dict, threshold: int) -> set:
    return {k for k, cell in suppress(counts, threshold).items() if cell.suppressed}


def suppressed_table_cells(table: dict[tuple, int], threshold: int) -> set[tuple]:
    """Suppress a two-way table {(row, column): count} whose row and column totals are
    published elsewhere: small cells are hidden, then, for as long as some row or column
    has exactly one hidden cell, its next smallest is hidden too. Every row and column
    then hides none or at least two cells, so no subtraction gives one back."""
    hidden = {cell for cell, value in table.items() if too_few(value, threshold)}
    lines = defaultdict(list)
    for cell in table:
        lines[(0, cell[0])].append(cell)
        lines[(1, cell[1])].append(cell)
    changed = True
    while changed:
        changed = False
        for cells in lines.values():
            if sum(cell in hidden for cell in cells) == 1:
                visible = [c for c in cells if c not in hidden and table[c] > 0]
                if visible:
                    hidden.add(min(visible, key=table.get))
                    changed = True
    return hidden


TOTAL = "total"


def suppressed_hierarchy(groups: dict, threshold: int) -> set:
    """Suppress a breakdown in two levels whose every figure is published: a total, its
    groups (sites) and their parts (wards), as {group: {part: count}}, every key distinct.
    Returns the hidden keys, TOTAL standing for the total.

    Small counts are hidden; then more, until no subtraction of published figures gives
    back a hidden count, nor a sum of fewer than `threshold` hidden ones:
    - in a shown group, the hidden parts are none, or two or more adding up to the threshold;
    - under a shown total, the hidden groups are none, or two or more adding up to the
      threshold, and so are the hidden parts of hidden groups (a hidden group always hides
      a part, or its parts would add up to it).
    """
    totals = {group: sum(parts.values()) for group, parts in groups.items()}
    value = {part: n for parts in groups.values() for part, n in parts.items()}
    value.update(totals)
    value[TOTAL] = sum(totals.values())
    hidden = {key for key, n in value.items() if too_few(n, threshold)}

    def guessable(keys: list) -> bool:
        """Hidden keys that give away what they hide: one alone, or together too few (every
        hidden count is above zero, so their sum is too)."""
        return bool(keys) and (len(keys) < 2 or too_few(sum(value[k] for k in keys), threshold))

    def hide_smallest(keys) -> bool:
        shown = [k for k in keys if k not in hidden and value[k] > 0]
        if shown:
            hidden.add(min(shown, key=value.get))
        return bool(shown)

    def one_step() -> bool:
        """Hides one more key if a rule needs it; False once every rule holds."""
        if TOTAL not in hidden:
            hidden_groups = [g for g in groups if g in hidden]
            under = [p for g in hidden_groups for p in groups[g]]
            for line in (list(groups), under):
                if guessable([k for k in line if k in hidden]):
                    if not hide_smallest(line):
                        hidden.add(TOTAL)
                    return True
        for group, parts in groups.items():
            inside = [p for p in parts if p in hidden]
            if group in hidden:
                if not inside and hide_smallest(parts):
                    return True
            elif guessable(inside):
                if not hide_smallest(parts):
                    hidden.add(group)
                return True
        return False

    while one_step():
        pass
    return hidden
