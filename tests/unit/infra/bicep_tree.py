"""What a Bicep file declares and references, read from pycep-parser's syntax tree.

pycep's JSON output turns an identifier and a string literal into the same Python string, so
this walks its Lark tree instead, where an identifier is a ``STRING`` token and a literal a
``QUOTED_INTERPOLATION`` token. Expressions inside ``'${...}'`` are parsed and walked too.
Walking ``a.b.c``, only ``a`` is a reference; ``b`` and ``c`` are its members (kept, so that
``module.outputs.x`` can be checked against the module's outputs). Loop and lambda variables
are in scope inside their loop or lambda only. ``loadJsonContent('f.json').a.b`` is kept as a
JsonAccess, so the keys can be checked against the file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from lark import Token, Tree
from pycep import BicepParser

# Top-level statements this reader understands; anything else fails loudly rather than being
# skipped (a construct it cannot read is a construct it does not check).
_DECLARATIONS = {"param", "var", "resource", "module", "output"}
_IGNORED_TOP = {"scope", "metadata"}
# Subtrees holding no expressions: types, resource types, module paths, object keys.
_NO_EXPRESSIONS = {"data_type", "type_api_pair", "module_path", "key", "int_type", "true", "false",
                   "null", "multi_line_string"}


@dataclass(frozen=True)
class Reference:
    name: str
    members: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class JsonAccess:
    """``loadJsonContent('<path>')`` followed by ``.members``."""

    path: str
    members: tuple[str, ...]
    line: int


@dataclass
class Declaration:
    kind: str
    name: str
    line: int
    tree: Tree
    decorators: dict[str, Tree] = field(default_factory=dict)

    @property
    def value(self) -> Tree | None:
        """The expression after '=': a param's default, a var's or output's value, a resource's body."""
        last = self.tree.children[-1]
        return last if isinstance(last, Tree) else None

    @property
    def module_path(self) -> str | None:
        if self.kind != "module":
            return None
        return str(self.tree.children[2].children[0]).strip("'")


@dataclass
class BicepFile:
    path: Path
    declarations: list[Declaration]
    references: list[Reference]
    json_accesses: list[JsonAccess]

    def named(self, kind: str) -> dict[str, Declaration]:
        return {d.name: d for d in self.declarations if d.kind == kind}


@functools.cache
def _parser() -> BicepParser:
    return BicepParser()


def parse_json(path: Path) -> dict:
    """pycep's own reading of the file (raises on a syntax error): the 'it parses' check."""
    return _parser().parse(file_path=path)


def read(path: Path) -> BicepFile:
    """Declarations and references of one Bicep file."""
    tree = _parser().lark_parser.parse(path.read_text(encoding="utf-8"))
    declarations, found = [], []
    for statement in tree.children:
        if not isinstance(statement, Tree):
            continue
        if statement.data in _IGNORED_TOP:
            continue
        if statement.data not in _DECLARATIONS:
            raise AssertionError(f"{path.name}: bicep_tree.py does not understand '{statement.data}'")
        name_token = next(c for c in statement.children if isinstance(c, Token))
        declarations.append(Declaration(statement.data, str(name_token), name_token.line, statement,
                                        _decorators(statement.children[0])))
        for child in statement.children:
            if isinstance(child, Tree):
                found.extend(walk(child, frozenset(), name_token.line))
    return BicepFile(path, declarations, [f for f in found if isinstance(f, Reference)],
                     [f for f in found if isinstance(f, JsonAccess)])


def _decorators(node: object) -> dict[str, Tree]:
    if not isinstance(node, Tree) or node.data != "decorators":
        return {}
    found = {}
    for decorator in node.children:
        name, *argument = decorator.children
        found[str(name)] = argument[0] if argument else None
    return found


def loaded_json_path(node: Tree) -> str | None:
    """'f.json' for the expression ``loadJsonContent('f.json')``, else None."""
    if node.data == "operator":
        return loaded_json_path(node.children[0])
    if node.data != "function" or str(node.children[0]) != "loadJsonContent(" or len(node.children) != 2:
        return None
    try:
        value = literal(node.children[1])
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def literal(node: Tree) -> object:
    """The Python value of a literal expression (string, int, bool, array of literals)."""
    if node.data == "string" and node.children[0].type == "QUOTED_INTERPOLATION":
        return str(node.children[0])[1:-1]
    if node.data == "int_type":
        return int(node.children[0])
    if node.data in ("true", "false"):
        return node.data == "true"
    if node.data == "array":
        return [literal(child) for child in node.children if isinstance(child, Tree)]
    raise ValueError(f"not a literal: {node.data}")


def walk(node: Tree, scope: frozenset[str], line: int) -> list[Reference | JsonAccess]:
    """Every reference in an expression tree; names in ``scope`` (loop, lambda variables) are local."""
    kind = node.data
    if kind in _NO_EXPRESSIONS:
        return []
    if kind == "string":
        token = node.children[0]
        if token.type == "STRING":
            return [] if str(token) in scope else [Reference(str(token), (), token.line or line)]
        return _interpolations(str(token), scope, token.line or line)
    if kind in ("property_accessor", "index_accessor"):
        head, members, indexes = _chain(node)
        found = []
        if isinstance(head, Tree) and head.data == "string" and head.children[0].type == "STRING":
            name = str(head.children[0])
            if name not in scope:
                found.append(Reference(name, tuple(members), head.children[0].line or line))
        elif (json_path := loaded_json_path(head)) is not None:
            found.append(JsonAccess(json_path, tuple(members), line))
        else:
            found.extend(walk(head, scope, line))
        for index in indexes:
            found.extend(walk(index, scope, line))
        return found
    if kind == "nested_resource_accessor":
        return walk(node.children[0], scope, line)
    if kind == "loop":
        header, *rest = node.children
        names = frozenset(str(c) for c in header.children if isinstance(c, Token))
        found = walk(header.children[-1], scope, line)
        for child in rest:
            if isinstance(child, Tree):
                found.extend(walk(child, scope | names, line))
        return found
    if kind == "lambda_expression":
        *params, body = node.children
        names = frozenset(str(p.children[0]) for p in params)
        return walk(body, scope | names, line)
    found = []
    for child in node.children:  # operator, conditional, function, object, pair, array, decorators...
        if isinstance(child, Tree):
            found.extend(walk(child, scope, line))
    return found


def _chain(node: Tree) -> tuple[Tree, list[str], list[Tree]]:
    """``a.b[i].c`` -> (a, [b, c], [i]): the head expression, member names, index expressions."""
    if node.data == "operator":
        return _chain(node.children[0])
    if node.data == "property_accessor":
        head, members, indexes = _chain(node.children[0])
        more, more_indexes = _members(node.children[1])
        return head, members + more, indexes + more_indexes
    if node.data == "index_accessor":
        head, members, indexes = _chain(node.children[0])
        return head, members, indexes + [node.children[1]]
    return node, [], []


def _members(node: Tree) -> tuple[list[str], list[Tree]]:
    """The right side of a '.', which pycep nests to the right: names only, plus index expressions."""
    if node.data == "operator":
        return _members(node.children[0])
    if node.data == "string":
        return [str(node.children[0])], []
    if node.data == "property_accessor":
        left, left_indexes = _members(node.children[0])
        right, right_indexes = _members(node.children[1])
        return left + right, left_indexes + right_indexes
    if node.data == "index_accessor":
        names, indexes = _members(node.children[0])
        return names, indexes + [node.children[1]]
    if node.data == "function":  # a function's result, e.g. x.split(...): not a member name
        return [], [node]
    raise AssertionError(f"bicep_tree.py does not understand '{node.data}' after a '.'")


def _interpolations(text: str, scope: frozenset[str], line: int) -> list[Reference]:
    """References inside the ``${...}`` parts of a quoted string."""
    found = []
    for expression in interpolated_expressions(text):
        tree = _parser().lark_parser.parse(f"var interpolated = {expression}\n")
        found.extend(walk(tree.children[0].children[-1], scope, line))
    return found


def interpolated_expressions(text: str) -> list[str]:
    """The expressions of a Bicep string's ``${...}`` parts (braces and quotes inside respected)."""
    expressions, index = [], 0
    while (start := text.find("${", index)) != -1:
        if start > 0 and text[start - 1] == "\\":  # '\${' is a literal dollar-brace
            index = start + 2
            continue
        depth, position, in_quote = 1, start + 2, False
        while depth:
            char = text[position]
            if char == "'":
                in_quote = not in_quote
            elif not in_quote:
                depth += {"{": 1, "}": -1}.get(char, 0)
            position += 1
        expressions.append(text[start + 2:position - 1])
        index = position
    return expressions
