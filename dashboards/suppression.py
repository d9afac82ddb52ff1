"""Small-number suppression, as the NHS Staff Survey does it.

A count of people below the organisation's threshold is shown as "fewer than N".
When exactly one cell of a breakdown is hidden, the next smallest is hidden too
(complementary suppression), so that nobody can work the hidden one out by
subtracting the others from a published total.
"""

from collections import defaultdict
from dataclasses import dataclass


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
    hidden = {cell for cell, value in table.items() if 0 < value < threshold}
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
