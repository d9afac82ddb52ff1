"""Small enough to read: modules under 400 lines, functions under 60 (docstrings aside).

A longer one says why in a comment starting `# Long:` (a module near its top, a
function just above its `def` or decorators), so length is always a decision.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "audit", "charts", "dashboards", "ideas", "improvewell")
APPS += ("organisations", "projects", "teams", "triage")
MODULE_LINES = 400
FUNCTION_LINES = 60
REASON = "# Long:"


def sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def too_long():
    found = []
    for path in sources():
        lines = path.read_text().splitlines()
        name = path.relative_to(ROOT)
        if len(lines) > MODULE_LINES and not any(REASON in line for line in lines[:30]):
            found.append(f"{name}: {len(lines)} lines")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            if ast.get_docstring(node):  # words that explain are not length
                docstring = node.body[0]
                length -= docstring.end_lineno - docstring.lineno + 1
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            said = REASON in lines[first - 2] if first >= 2 else False
            if length > FUNCTION_LINES and not said:
                found.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    return found


def test_modules_and_functions_are_short_or_say_why():
    assert too_long() == []
