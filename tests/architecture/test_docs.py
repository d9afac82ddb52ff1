"""The README and docs/ stay true to the repository.

Folders get renamed and modules move; prose does not notice. These checks fail when a
relative link or its #anchor no longer resolves, when a repository path or a dotted
module reference written in backticks no longer exists, and when a configuration
table documents an environment variable that improvewell/settings.py does not read
(or, for the full table in docs/deployment.md, leaves one out).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "improvewell" / "settings.py"
FULL_SETTINGS_TABLE = ROOT / "docs" / "deployment.md"

# Folders that are not the project's own, or are made by tools, never named in docs.
NOT_OURS = {".git", ".venv", "node_modules", "mutants", "staticfiles", ".pytest_cache"}
# Folders renamed away: a path under one is stale, so it must be checked too.
FORMER_FOLDERS = {"users"}

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
REPO_PATH = re.compile(r"[\w.-]+(?:/[\w.-]*)+")
DOTTED = re.compile(r"([a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)(?:\(\))?")
CHECK_ID = re.compile(r"\w+\.[EW]\d{3}")  # system-check ids such as improvewell.W001
ENV_READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def documents(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The text with fenced code blocks blanked out (line numbers kept)."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            out.append("")
        else:
            out.append("" if fenced else line)
    return "\n".join(out)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its words
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    for line in prose(path.read_text()).splitlines():
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    text = prose(path.read_text())
    text_without_code = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
    problems = []
    for match in LINK.finditer(text_without_code):
        target = match.group(1)
        if SCHEME.match(target) or target.startswith("//"):
            continue  # a web address: not ours to check offline
        where = f"{path.relative_to(root)}:{line_of(text, match.start())}"
        file_part, _, anchor = target.partition("#")
        if file_part:
            base = root if file_part.startswith("/") else path.parent
            linked = (base / file_part.lstrip("/")).resolve()
        else:
            linked = path
        if not linked.is_relative_to(root.resolve()) or not linked.exists():
            problems.append(f"{where}: {target} (no such file)")
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
            problems.append(f"{where}: {target} (no heading #{anchor} in {linked.name})")
    return problems


def code_spans(path: Path):
    text = prose(path.read_text())
    for match in CODE_SPAN.finditer(text):
        content = " ".join(match.group(2).split())
        yield content, line_of(text, match.start())


def top_level_folders(root: Path = ROOT) -> set[str]:
    here = {p.name for p in root.iterdir() if p.is_dir()} - NOT_OURS
    return here | FORMER_FOLDERS


def missing_paths(path: Path, root: Path = ROOT) -> list[str]:
    """Backticked repository paths (`ideas/anonymity.py`, `tests/accounts/`) that do not exist."""
    folders = top_level_folders(root)
    problems = []
    for content, line in code_spans(path):
        if not REPO_PATH.fullmatch(content) or content.split("/")[0] not in folders:
            continue
        if not (root / content).exists():
            problems.append(f"{path.relative_to(root)}:{line}: `{content}` does not exist")
    return problems


def _defines(source: str, name: str) -> bool:
    pattern = rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*[:=]"
    return re.search(pattern, source, re.MULTILINE) is not None


def unresolved_references(path: Path, root: Path = ROOT) -> list[str]:
    """Backticked dotted references to our code (`organisations.tenancy.OrganisationMiddleware`,
    `improvewell.rls.cross_organisation()`) whose module or first name does not exist."""
    packages = {p.parent.name for p in root.glob("*/__init__.py")} | FORMER_FOLDERS
    problems = []
    for content, line in code_spans(path):
        match = DOTTED.fullmatch(content)
        if not match or CHECK_ID.fullmatch(content):
            continue
        parts = match.group(1).split(".")
        if parts[0] not in packages:
            continue
        module, depth = None, 0
        for depth_tried in range(len(parts), 0, -1):
            base = root.joinpath(*parts[:depth_tried])
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    module, depth = candidate, depth_tried
                    break
            if module:
                break
        where = f"{path.relative_to(root)}:{line}: `{content}`"
        if module is None or depth < 2:
            problems.append(f"{where}: no such module")
        elif depth < len(parts) and not _defines(module.read_text(), parts[depth]):
            problems.append(f"{where}: {parts[depth]} is not defined in {module.name}")
    return problems


def settings_table(path: Path) -> list[str]:
    """The variables in the first column of the first table whose header names a Variable."""
    names, in_table = [], False
    for line in prose(path.read_text()).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not in_table:
            in_table = line.lstrip().startswith("|") and cells[0] == "Variable"
            continue
        if not line.lstrip().startswith("|"):
            break
        if set(cells[0]) <= {"-", ":"}:
            continue  # the header's separator row
        names.append(cells[0].strip("`"))
    return names


def variables_read(settings_source: str) -> set[str]:
    return set(ENV_READ.findall(settings_source))


# The repository's own documents. --------------------------------------------------------


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("path", documents(), ids=_ids(documents()))
def test_relative_links_and_anchors_resolve(path):
    assert broken_links(path) == []


@pytest.mark.parametrize("path", documents(), ids=_ids(documents()))
def test_paths_in_backticks_exist(path):
    assert missing_paths(path) == []


@pytest.mark.parametrize("path", documents(), ids=_ids(documents()))
def test_dotted_references_in_backticks_exist(path):
    assert unresolved_references(path) == []


def test_the_readme_links_every_docs_page():
    readme = ROOT / "README.md"
    linked = {
        (readme.parent / m.group(1).partition("#")[0]).resolve()
        for m in LINK.finditer(prose(readme.read_text()))
    }
    assert [p.name for p in documents()[1:] if p.resolve() not in linked] == []


def test_the_readme_configuration_table_lists_only_variables_settings_read():
    documented = settings_table(ROOT / "README.md")
    assert documented, "the README's configuration table (header: Variable) was not found"
    assert [n for n in documented if n not in variables_read(SETTINGS.read_text())] == []


def test_the_full_settings_table_lists_exactly_the_variables_settings_read():
    documented = settings_table(FULL_SETTINGS_TABLE)
    assert documented, f"no settings table (header: Variable) in {FULL_SETTINGS_TABLE.name}"
    read = variables_read(SETTINGS.read_text())
    assert sorted(set(documented) - read) == [], "documented but not read by settings.py"
    assert sorted(read - set(documented)) == [], "read by settings.py but not documented"


# The checks themselves fail on what they are meant to catch. -----------------------------


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "ideas").mkdir()
    (tmp_path / "ideas" / "__init__.py").write_text("")
    (tmp_path / "ideas" / "anonymity.py").write_text("def clock():\n    pass\n")
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Small wards\n\n## Small wards\n")
    return tmp_path


def _readme(repo, text):
    (repo / "README.md").write_text(text)
    return repo / "README.md"


def test_a_missing_file_or_heading_is_a_broken_link(repo):
    readme = _readme(
        repo,
        "[ok](docs/guide.md#small-wards) [ok too](docs/guide.md#small-wards-1) "
        "[web](https://example.org/x) [here](#title)\n# Title\n"
        "[gone](docs/gone.md) [no heading](docs/guide.md#large-wards)\n"
        "```\n[in a code block](docs/ignored.md)\n```\n",
    )
    assert broken_links(readme, repo) == [
        "README.md:3: docs/gone.md (no such file)",
        "README.md:3: docs/guide.md#large-wards (no heading #large-wards in guide.md)",
    ]


def test_a_stale_path_or_reference_in_backticks_is_found(repo):
    readme = _readme(
        repo,
        "`ideas/anonymity.py` `ideas/` `/<org>/ideas/new/` `http://x/y` "
        "`ideas/gone.py` `users/mfa.py` `ideas.anonymity.clock()` `ideas.anonymity.stamp` "
        "`ideas.views` `improvewell.W001`\n",
    )
    assert missing_paths(readme, repo) == [
        "README.md:1: `ideas/gone.py` does not exist",
        "README.md:1: `users/mfa.py` does not exist",
    ]
    assert unresolved_references(readme, repo) == [
        "README.md:1: `ideas.anonymity.stamp`: stamp is not defined in anonymity.py",
        "README.md:1: `ideas.views`: no such module",
    ]


def test_a_documented_variable_that_settings_do_not_read_is_found(repo):
    readme = _readme(
        repo,
        "## Configuration\n\n| Variable | What |\n|---|---|\n| `DEBUG` | on |\n"
        "| `NOT_READ` | no |\n\nAfter the table.\n| `LATER` | not in it |\n",
    )
    assert settings_table(readme) == ["DEBUG", "NOT_READ"]
    read = variables_read('DEBUG = env.bool("DEBUG", default=False)\nX = env("OTHER")\n')
    assert read == {"DEBUG", "OTHER"}
    assert [name for name in settings_table(readme) if name not in read] == ["NOT_READ"]
