"""What characters codes and names may hold — one rule, stated as regular expressions.

A *code* (SKU, warehouse, supplier, customer, channel and connector ids, barcodes) is
1–64 visible characters, with single inner spaces allowed (``A B``): no control
characters (``NUL``, tab, newline), no format or bidi characters (``U+200B`` zero-width
space, ``U+202E`` right-to-left override, ``U+FEFF``), no other spaces (``U+00A0``,
``U+3000``), no lone surrogates, and no space at either end. Such characters are
invisible on a screen or a label and make two codes that look alike differ; some
(``NUL``, surrogates) PostgreSQL cannot store at all.

A *name* (product, warehouse and party names, a contact, a carrier) is 1–200 characters
of anything but control characters and lone surrogates, not beginning or ending with
whitespace; a free-text field (``contact``) may hold line breaks.

The character table is written out (Unicode 14 categories Cc, Cf, Cs, Zs, Zl, Zp) rather
than computed from :mod:`unicodedata`, so the rule — and the patterns published in the
OpenAPI document — do not change with the Python version the hub runs on. The patterns
are valid both as Python and as ECMA-262 regular expressions: BMP characters are written
as ``\\uXXXX`` escapes and the few astral ones as literal characters.
"""

from __future__ import annotations

import re

__all__ = [
    "CODE_MAX",
    "CODE_PATTERN",
    "NAME_MAX",
    "check_code",
    "check_name",
    "name_pattern",
]

CODE_MAX = 64
NAME_MAX = 200

# Code points that are not visible: control, format (incl. bidi), surrogate, and every
# separator; U+0020 (space) is among them and allowed back between visible characters.
_INVISIBLE: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0020), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x1680, 0x1680),
    (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F),
    (0x3000, 0x3000), (0xD800, 0xDFFF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip
_SURROGATES = (0xD800, 0xDFFF)
# Control characters (Cc) and lone surrogates (Cs): never in any text.
_CONTROL: tuple[tuple[int, int], ...] = ((0x0000, 0x001F), (0x007F, 0x009F), (0xD800, 0xDFFF))
# Whitespace that may not open or close a name (Python's and ECMA-262's \s agree on none of
# the C0 separators, so the set is written out).
_SPACES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x0020), (0x00A0, 0x00A0), (0x1680, 0x1680), (0x2000, 0x200A), (0x2028, 0x2029),
    (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)  # fmt: skip


def _char(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else chr(cp)


def _class(ranges: tuple[tuple[int, int], ...], *, negate: bool = True, keep: tuple[int, ...] = ()) -> str:
    parts = []
    for low, high in ranges:
        if (low, high) == _SURROGATES and negate:
            # A published pattern cannot name surrogates (ECMA-262 with the u flag, Rust's regex
            # and so most validators refuse the range); lone surrogates are refused before any
            # pattern is applied (hub.api.routing), and the checks below test for them apart.
            continue
        for a, b in _split(low, high, keep):
            parts.append(_char(a) if a == b else f"{_char(a)}-{_char(b)}")
    return f"[{'^' if negate else ''}{''.join(parts)}]"


def _split(low: int, high: int, keep: tuple[int, ...]) -> list[tuple[int, int]]:
    """``low..high`` without the code points in ``keep``."""
    pieces, start = [], low
    for cp in sorted(k for k in keep if low <= k <= high):
        if start <= cp - 1:
            pieces.append((start, cp - 1))
        start = cp + 1
    if start <= high:
        pieces.append((start, high))
    return pieces


_VISIBLE = _class(_INVISIBLE)

#: A code: visible characters with single spaces between them (1–64 in all: ``CODE_MAX``).
CODE_PATTERN = f"^{_VISIBLE}+(?: {_VISIBLE}+)*$"


def name_pattern(*, newlines: bool = False) -> str:
    """A name: no control characters (but ``\\n`` where ``newlines``), not opening or closing with whitespace."""
    keep = (0x0A,) if newlines else ()
    edge = _class(_CONTROL + _SPACES)
    inner = _class(_CONTROL, keep=keep)
    return f"^{edge}(?:{inner}*{edge})?$"


_NO_SURROGATE = "(?!.*[\ud800-\udfff])"
_CODE = re.compile(_NO_SURROGATE + CODE_PATTERN, re.DOTALL)
_NAME = re.compile(_NO_SURROGATE + name_pattern(), re.DOTALL)
_TEXT = re.compile(_NO_SURROGATE + name_pattern(newlines=True), re.DOTALL)
_FIRST_BAD = re.compile(_class(_INVISIBLE, negate=False))
_FIRST_CONTROL = re.compile(_class(_CONTROL, negate=False))


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def check_code(value: str, *, limit: int = CODE_MAX) -> str:
    """``value`` if it is a valid code of at most ``limit`` characters, else ``ValueError`` saying why."""
    if _CODE.fullmatch(value) and len(value) <= limit:
        return value
    if not value:
        raise ValueError("must not be empty")
    if len(value) > limit:
        raise ValueError(f"at most {limit} characters")
    if value[0] == " " or value[-1] == " ":
        raise ValueError("must not begin or end with a space")
    bad = _FIRST_BAD.search(value.replace(" ", "x"))
    if bad is not None:
        raise ValueError(f"holds an invisible character ({_describe(bad.group())}): codes are visible characters")
    raise ValueError("must not hold two spaces in a row")  # pragma: no cover - the pattern allows any other string


def check_name(value: str, *, newlines: bool = False) -> str:
    """``value`` if it is a valid name (free text when ``newlines``), else ``ValueError``."""
    pattern = _TEXT if newlines else _NAME
    if pattern.fullmatch(value) and len(value) <= NAME_MAX:
        return value
    if not value:
        raise ValueError("must not be empty")
    if len(value) > NAME_MAX:
        raise ValueError(f"at most {NAME_MAX} characters")
    control = _FIRST_CONTROL.search(value.replace("\n", " ") if newlines else value)
    if control is not None:
        raise ValueError(f"holds a control character ({_describe(control.group())})")
    raise ValueError("must not begin or end with whitespace")
