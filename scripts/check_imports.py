"""Fail on an import statement inside a function body in app/ (docs/ARCHITECTURE.md).

An import moved into a function to dodge an import cycle is still a cycle: import-linter
(``make contracts``) cannot see it as one, and the module's real dependencies hide in its body.
A function-level import is allowed only for a reason other than a cycle (an optional, heavy
dependency that only some configurations load) and must say so on its line:

    from app.sms.channels.twilio_channel import TwilioChannel  # function-level import: optional SDK

For an import written over several lines, the comment may be on any of its lines.
Run by ``make contracts`` (and so by ``.ci/run``).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The reason must say something: "# function-level import:" alone is not a reason.
ALLOWED = re.compile(r"#\s*function-level import:\s*\S")
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def function_level_imports(source: str) -> list[tuple[int, str]]:
    """``(line, statement)`` for every import inside a function body (at any depth, including
    methods and nested functions) whose lines carry no ``# function-level import: <reason>``."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                span = lines[child.lineno - 1 : (child.end_lineno or child.lineno)]
                if not any(ALLOWED.search(line) for line in span):
                    found.append((child.lineno, lines[child.lineno - 1].strip()))
            visit(child, in_function or isinstance(child, FUNCTIONS))

    visit(tree, False)
    return found


def check(folder: Path) -> list[str]:
    """One line per offending import under ``folder``: ``path:line: statement``."""
    problems = []
    for path in sorted(folder.rglob("*.py")):
        for line, statement in function_level_imports(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(folder.parent)}:{line}: {statement}")
    return problems


def main() -> int:
    problems = check(ROOT / "app")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"{len(problems)} import(s) inside a function: move them to the top of the module "
            "(break the cycle instead), or say why on the line with "
            "'# function-level import: <reason>'.",
            file=sys.stderr,
        )
        return 1
    print("no function-level imports without a reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
