"""Every ``twin`` command line and YAML snippet that README.md and docs/*.md show exists as shown.

A new planner copies commands and YAML from the pages; an option renamed in the code, or a key the
schema now refuses, must fail here rather than in their terminal. No engine runs: commands are
checked against the Typer app object (sub-commands, options, number of positional arguments), YAML
snippets against the same validators the commands use.

What is read
------------
* Fenced code blocks of every language except ``python``, ``csv`` and ``yaml``: each line starting
  with ``twin`` (or ``$ twin``, or ``... && twin`` inside a ``# =`` comment) begins a command; the
  indented lines after it belong to it (a synopsis: options in ``[...]``, alternatives with ``|``,
  descriptions after three spaces). Every ``-x`` / ``--option`` written in it must be an option of
  the named command (of one of the alternatives). A command written out in full (no ``[``, ``|``,
  ``...``, no continuation lines) is also parsed by the command's own parser: unknown options,
  options missing their value and too many or too few positional arguments fail. Repository
  paths a command names (``data_samples/...``, ``tests/...``) must exist.
* Inline code spans ```twin ...```: the sub-command and the options named.
* ``yaml`` blocks: a whole scenario (``name`` and ``inputs``) with
  :func:`twin.scenario.schema.parse_scenario`; a section of a scenario (``soil:``, ``energy:``, a
  list of what-if operations) merged into a minimal scenario and validated the same way; a soil
  column spec, a soil-year spec, an ingest defaults file and a zone spec's section with their
  own validators.

A block that is deliberately partial or shows an error is marked in the page with a comment on the
line before it (blank lines allowed between)::

    <!-- docs-test: skip (why) -->

A marker without a reason, or one that marks no block, fails.
"""

from __future__ import annotations

import copy
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
import yaml

from twin.cli.main import app

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
_SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(.*?)-->")
_OPTION = re.compile(r"(?<![\w.:'-])(--?[A-Za-z][A-Za-z0-9-]*)")
_INLINE = re.compile(r"(?<!`)`(twin\s[^`]*)`(?!`)")
#: Options of ``twin`` itself, taken by every command (docs/progress.md).
_GLOBAL = {"-q", "--quiet", "-v", "--verbose", "--help", "--version"}
_NOT_COMMANDS = {"python", "csv", "yaml", "yml", "json", "toml", "ini"}


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    lines: list[str]
    skip: str | None  # the reason given in a docs-test: skip marker before the block

    def where(self, offset: int = 0) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line + 1 + offset}"


def _blocks(page: Path) -> tuple[list[Block], list[tuple[int, str]], str]:
    """The fenced blocks of ``page``, its skip markers that mark no block, and its prose (the
    page with the blocks' lines blanked: line numbers kept)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks, stray, prose = [], [], []
    fence, start, body, pending = None, 0, [], None
    for i, line in enumerate(lines, 1):
        if fence is None:
            m = _FENCE.match(line)
            if m:
                fence, start, body = m.group(2), i, []
                lang = m.group(3).lower()
                prose.append("")
                continue
            skip = _SKIP.search(line)
            if skip:
                if pending is not None:
                    stray.append(pending)
                pending = (i, skip.group(1).strip())
            elif line.strip() and pending is not None:
                stray.append(pending)
                pending = None
            prose.append(line)
        elif line.strip().startswith(fence[0] * len(fence)) and line.strip().strip(fence[0]) == "":
            reason = pending[1] if pending is not None else None
            if pending is not None and not reason.strip("() "):
                stray.append((pending[0], "(no reason given)"))
            blocks.append(Block(page, start, lang, body, reason))
            fence, pending = None, None
            prose.append("")
        else:
            body.append(line)
            prose.append("")
    if pending is not None:
        stray.append(pending)
    return blocks, stray, "\n".join(prose)


ALL = {page: _blocks(page) for page in PAGES}


# --- the command line -------------------------------------------------------------------------

ROOT = typer.main.get_command(app)


def _is_group(cmd) -> bool:
    return getattr(cmd, "commands", None) is not None


def _leaves(cmd) -> list:
    return [leaf for sub in cmd.commands.values() for leaf in _leaves(sub)] if _is_group(cmd) else [cmd]


def _options(cmd) -> set[str]:
    names = set(_GLOBAL)
    for leaf in _leaves(cmd):
        for p in leaf.params:
            if p.param_type_name == "option":
                names.update(p.opts)
                names.update(p.secondary_opts)
    return names


def _resolve(words: list[str]) -> tuple[list, list[str]]:
    """The commands named by the leading words (alternatives ``a|b``; ``...`` after a group: all
    its commands) and the words left over."""
    current, rest = [ROOT], list(words)
    while rest and all(_is_group(c) for c in current):
        word = rest[0]
        if word.startswith("-"):
            break
        rest.pop(0)
        if word in ("...", "…"):
            current = [leaf for c in current for leaf in _leaves(c)]
            break
        found = []
        for alt in word.split("|"):
            for c in current:
                if alt not in c.commands:
                    raise LookupError(f"no command {alt!r} (commands: {', '.join(c.commands)})")
                found.append(c.commands[alt])
        current = found
    return current, rest


def _head_words(head: str) -> list[str]:
    """Words of a command's head with ``a | b`` joined into ``a|b``."""
    words: list[str] = []
    raw = head.split()
    i = 0
    while i < len(raw):
        if raw[i] == "|" and words and i + 1 < len(raw):
            words[-1] = f"{words[-1]}|{raw[i + 1]}"
            i += 2
            continue
        words.append(raw[i])
        i += 1
    return words


@dataclass
class Command:
    where: str
    head: str  # the command as typed (before a description or comment)
    text: str  # head, continuation lines and their descriptions: where options are looked for
    concrete: bool  # written out in full: parsed by the command's parser


def _strip_comment(line: str) -> str:
    """``line`` without a shell ``#`` comment (a ``#`` outside quotes after a space)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def _split_head(line: str) -> str:
    """A synopsis line's command, before the description (three spaces or more)."""
    return re.split(r"\s{3,}", line.strip(), maxsplit=1)[0]


def _block_commands(block: Block) -> list[Command]:
    out: list[Command] = []
    current: dict | None = None
    lines = block.lines

    def close():
        if current is not None:
            text = " ".join(current["text"])
            concrete = (not current["more"] and not re.search(r"\[|\||\.\.\.|…", current["head"]))
            out.append(Command(current["where"], current["head"], text, concrete))

    i = 0
    while i < len(lines):
        line, offset = lines[i], i
        while line.rstrip().endswith("\\") and i + 1 < len(lines):  # shell continuation
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i].strip()
        i += 1
        stripped = line.strip()
        if stripped.startswith("$ "):
            stripped = stripped[2:].strip()
        comment_cmd = re.search(r"#\s*=.*?&&\s*(twin\s.*)$", stripped)
        if stripped.startswith("twin ") or stripped == "twin" or comment_cmd:
            close()
            body = comment_cmd.group(1) if comment_cmd else stripped
            head = _split_head(_strip_comment(body)).strip()
            current = {"where": block.where(offset), "head": head, "text": [head], "more": False}
            if block.lang in ("", "text", "console"):  # a synopsis's description names options too
                current["text"].append(body[len(head):] if not comment_cmd else "")
        elif current is not None and line[:1].isspace() and stripped:
            current["text"].append(_strip_comment(line) if block.lang in ("bash", "sh", "shell") else line)
            current["more"] = True
        else:
            close()
            current = None
    close()
    return out


def _doc_commands() -> list[Command]:
    commands = []
    for page, (blocks, _, prose) in ALL.items():
        for block in blocks:
            if block.skip is None and block.lang not in _NOT_COMMANDS:
                commands.extend(_block_commands(block))
        for m in _INLINE.finditer(prose):
            line = prose[: m.start()].count("\n") + 1
            text = " ".join(m.group(1).split())
            commands.append(Command(f"{page.relative_to(REPO)}:{line} `{text}`", text, text, False))
    return commands


COMMANDS = _doc_commands()


def check_command(command: Command) -> list[str]:
    """What is wrong with ``command`` (empty if nothing)."""
    words = _head_words(command.head)[1:]
    try:
        cmds, rest = _resolve(words)
    except LookupError as exc:
        return [f"{command.where}: {command.head!r}: {exc}"]
    known = set().union(*(_options(c) for c in cmds))
    problems = [f"{command.where}: {command.head!r}: no option {opt} (options: {', '.join(sorted(known - _GLOBAL))})"
                for opt in dict.fromkeys(_OPTION.findall(command.text)) if opt not in known]
    problems += [f"{command.where}: {command.head!r}: no such file in the repository: {name}"
                 for token in command.head.split() for name in _braces(token.strip("[]'\"\\(").rstrip("):,;."))
                 if name.startswith(_TOP) and not (REPO / name).exists()]
    if problems or not command.concrete or len(cmds) != 1 or _is_group(cmds[0]):
        if not problems and command.concrete and not words:
            return []
        if not problems and command.concrete and _is_group(cmds[0]):
            return [f"{command.where}: {command.head!r}: names a group, not a command"]
        return problems
    return _parse(command, cmds[0], rest)


def _parse(command: Command, cmd, args: list[str]) -> list[str]:
    """Parse ``args`` with ``cmd``'s own parser (no conversion of values, nothing run)."""
    from twin.cli.main import global_flags_first

    try:
        argv = shlex.split(" ".join(args))
    except ValueError as exc:
        return [f"{command.where}: {command.head!r}: not a shell line ({exc})"]
    argv = [a for a in global_flags_first(argv) if a not in ("--quiet", "--verbose")] if argv else argv
    ctx = cmd.context_class(cmd, info_name=cmd.name)
    try:
        values, extra, _ = cmd.make_parser(ctx).parse_args(args=list(argv))  # the parser empties its list
    except Exception as exc:  # the vendored click's UsageError family
        return [f"{command.where}: {command.head!r}: {getattr(exc, 'message', exc)}"]
    if extra:
        return [f"{command.where}: {command.head!r}: unexpected extra argument(s) {extra}"]
    missing = [p.name.upper() for p in cmd.params
               if p.param_type_name == "argument" and p.required and values.get(p.name) in (None, ())]
    if missing:
        return [f"{command.where}: {command.head!r}: missing argument(s) {', '.join(missing)}"]
    return []


def _braces(token: str) -> list[str]:
    """``token`` with a shell brace list expanded (``a_{x,y}.txt`` -> ``a_x.txt``, ``a_y.txt``)."""
    m = re.match(r"(.*?)\{([^{}]*,[^{}]*)\}(.*)", token)
    return [name for part in m.group(2).split(",") for name in _braces(m.group(1) + part + m.group(3))] if m else [token]


def test_the_pages_show_commands():
    """The extraction finds the pages' commands (a parser that finds none checks nothing)."""
    heads = {c.head for c in COMMANDS}
    assert "twin run -o results" in heads  # README, "Two commands"
    assert any(c.head.startswith("twin traffic assign --net") for c in COMMANDS)
    assert sum(c.concrete for c in COMMANDS) >= 20
    assert len(COMMANDS) >= 80


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_commands_exist_as_written(page):
    """Every command of the page names existing sub-commands and options (and parses)."""
    name = str(page.relative_to(REPO))
    problems = [p for c in COMMANDS if c.where.startswith(name) for p in check_command(c)]
    assert not problems, "\n".join(problems)


def test_skip_markers_mark_a_block_and_say_why():
    stray = [f"{page.relative_to(REPO)}:{line}: {reason or '(no reason given)'}"
             for page, (_, markers, _) in ALL.items() for line, reason in markers]
    assert not stray, "docs-test skip markers that mark no block or give no reason:\n" + "\n".join(stray)


def test_a_wrong_option_or_command_is_caught():
    """The checker itself: a renamed option, a missing value, an extra argument, a bad command."""
    ok = Command("x", "twin run my.yaml -o out --samples 20", "twin run my.yaml -o out --samples 20", True)
    assert check_command(ok) == []
    for head in ("twin run my.yaml --sample 20", "twin run my.yaml -o", "twin run a.yaml b.yaml",
                 "twin energy runn SCENE", "twin traffic", "twin energy simulate"):
        assert check_command(Command("x", head, head, True)), head
    for head in ("twin soil column tests/soil_data/celia.yaml", "twin traffic access data_samples/stgilles_{streets,roads}_osm2013.geojson"):
        assert check_command(Command("x", head, head, True)), head
    assert _braces("d/s_{a,b}_c.geojson") == ["d/s_a_c.geojson", "d/s_b_c.geojson"]
    synopsis = "twin solar pv [--tilt T] [--azimut A]"
    assert check_command(Command("x", synopsis, synopsis, False))
    alt = "twin scenario validate|schema [--allow-no-effect]"
    assert check_command(Command("x", alt, alt, False)) == []


# --- YAML snippets ------------------------------------------------------------------------------

_BASE_SCENARIO = {"name": "docs-snippet", "inputs": {"files": ["buildings.geojson"]},
                  "domains": ["energy", "traffic", "soil"]}


def _merge(base: dict, update: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in update.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def validate_yaml(data) -> str:
    """Validate a YAML snippet with the validator of what it is; return what it was taken for."""
    from twin.scenario.schema import Scenario, parse_scenario

    if isinstance(data, list) and data and all(isinstance(d, dict) and "op" in d for d in data):
        parse_scenario({**_BASE_SCENARIO, "whatifs": [{"name": "docs", "modifications": data}]})
        return "what-if operations"
    if not isinstance(data, dict):
        raise AssertionError("not a mapping or a list of what-if operations")
    if "name" in data and "inputs" in data:
        parse_scenario(data)
        return "scenario"
    if "materials" in data and "layers" in data:
        from twin.soil.column import parse_column_spec

        parse_column_spec(data)
        return "soil column spec"
    if {"scene", "weather"} <= set(data):
        from twin.soil.year import YearOptions
        from twin.soil.year_spec import YearSpec

        YearSpec.model_validate(data)
        YearOptions.parse(data.get("options", {}))
        return "soil year spec"
    if set(data) <= set(Scenario.model_fields):
        parse_scenario(_merge(_BASE_SCENARIO, data))
        return "scenario section"
    from twin.ingest.defaults import load_defaults

    if set(data) <= set(load_defaults()):
        load_defaults(data)
        return "ingest defaults"
    from twin.energy.spec import spec_from_dict

    bestest = yaml.safe_load((REPO / "tests" / "energy_data" / "bestest_600.yaml").read_text(encoding="utf-8"))
    if set(data) <= set(bestest) | {"calendar"}:
        spec_from_dict({**bestest, **data})  # the snippet's sections replace the case's
        return "zone spec section"
    raise AssertionError(f"not a scenario, a scenario section, a soil spec, ingest defaults or a zone spec (keys {sorted(data)})")


YAML_BLOCKS = [b for page in PAGES for b in ALL[page][0] if b.lang in ("yaml", "yml") and b.skip is None]


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=lambda b: b.where(-1))
def test_yaml_snippet_validates(block):
    data = yaml.safe_load("\n".join(block.lines))
    try:
        validate_yaml(data)
    except Exception as exc:  # TwinError, pydantic's ValidationError, AssertionError
        pytest.fail(f"{block.where(-1)}: the YAML snippet does not validate: {exc}\n"
                    "(fix the page, or mark a deliberately partial snippet with <!-- docs-test: skip (reason) -->)")


def test_a_wrong_yaml_key_is_caught():
    """The checker itself: a misspelt key of each kind of snippet fails."""
    from twin.errors import TwinError

    assert validate_yaml({"soil": {"method": "year"}}) == "scenario section"
    with pytest.raises(TwinError):
        validate_yaml({"soil": {"method": "year", "spinup_dayz": 3}})
    with pytest.raises(TwinError):
        validate_yaml([{"op": "deseal", "select": {"where": {"cover_class": "parking"}}, "sealed_fractio": 0.1}])
    with pytest.raises(AssertionError, match="not a scenario"):
        validate_yaml({"not_a_known_key": 1})


# --- links and file names -----------------------------------------------------------------------

_LINK = re.compile(r"\]\(([^)\s]+)\)")
_CODE = re.compile(r"(?<!`)`([^`\s]+)`(?!`)")
_TOP = ("twin/", "kernels/", "tests/", "scenarios/", "scripts/", "benchmarks/", "data_samples/", "docs/",
        "notebooks/", ".ci/")
#: Names written in code spans that are not files of this repository, and why.
_ELSEWHERE = {
    "bestest_cases.md": "../shared/reference/bestest_cases.md (shared reference data)",
    "docs/bestest_cases/Case600.md": "a file of VICUS-Software/vicus-validation, cited",
    "docs/bestest_cases/Case650.md": "a file of VICUS-Software/vicus-validation, cited",
    "tests/testfao56.py": "a file of pyet-org/pyet, cited",
    "twin/kernels": "the installed name of kernels/",
}


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lstrip("#").strip()).lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


def _anchors(page: Path) -> set[str]:
    prose = ALL[page][2] if page in ALL else page.read_text(encoding="utf-8")
    return {_slug(line) for line in prose.splitlines() if line.startswith("#")}


def _exists(name: str) -> bool:
    """A repository path, or a module path with a dotted name after it (``kernels/x.Name``)."""
    if (REPO / name).exists():
        return True
    folder, _, last = name.rpartition("/")
    return "." in last and (REPO / folder / (last.split(".")[0] + ".py")).exists()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_and_file_names_exist(page):
    """Markdown links (and their anchors), pages named in code spans (``energy.md``,
    ``docs/soil.md``) and repository paths in code spans (``twin/data/stock_priors.yaml``) exist."""
    prose = ALL[page][2]
    problems = []
    for m in _LINK.finditer(prose):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        line = prose[: m.start()].count("\n") + 1
        if not file.exists():
            problems.append(f"{page.name}:{line}: link to {target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            problems.append(f"{page.name}:{line}: link to {target}: no heading with that anchor")
    for m in _CODE.finditer(prose):
        name = m.group(1).rstrip(".,;:)").split("::")[0].split("#")[0]
        if name in _ELSEWHERE or any(c in name for c in "*{}<>[]$"):
            continue
        line = prose[: m.start()].count("\n") + 1
        if re.fullmatch(r"[a-z0-9_]+\.md", name):
            if not ((REPO / "docs" / name).exists() or (REPO / name).exists()):
                problems.append(f"{page.name}:{line}: `{name}`: no such page in docs/")
        elif name.startswith(_TOP) and not _exists(name):
            problems.append(f"{page.name}:{line}: `{name}`: no such file in the repository")
    assert not problems, "\n".join(problems)


def test_a_broken_link_is_caught(tmp_path):
    """The checker itself: the slug of a heading, a path that exists and one that does not."""
    assert _slug("### Options and tables") == "options-and-tables"
    assert _slug("## `twin run`: the report") == "twin-run-the-report"
    assert _exists("kernels/traffic_bush.BushRows") and _exists("twin/data/stock_priors.yaml")
    assert not _exists("twin/data/stock_prior.yaml")


def test_skip_markers_are_read(tmp_path):
    """A marker skips the next block and carries its reason; one without a reason, or before prose,
    is reported."""
    page = tmp_path / "p.md"
    page.write_text("<!-- docs-test: skip (shows an error) -->\n\n```bash\ntwin run --nope\n```\n"
                    "<!-- docs-test: skip -->\n```yaml\na: 1\n```\n"
                    "<!-- docs-test: skip (stray) -->\ntext\n```bash\ntwin run\n```\n", encoding="utf-8")
    blocks, stray, _ = _blocks(page)
    assert [b.skip for b in blocks] == ["(shows an error)", "", None]
    assert [line for line, _ in stray] == [6, 10]
