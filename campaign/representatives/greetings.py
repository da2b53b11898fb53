"""How a letter greets an office holder: "Dear Senator Klobuchar", by office and family name."""
from __future__ import annotations

# Written after a family name, never part of it ("Robert P. Casey Jr.").
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v", "md", "phd", "esq", "dds", "mp", "msp", "ms", "mla"}
# Words that belong to the family name that follows them ("Chris Van Hollen", "Rosa de la Cruz").
_PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "di", "da", "das", "dos", "du",
              "la", "le", "st", "st.", "ter", "ten", "bin", "al", "el", "mac"}


def family_name(name: str) -> str:
    """The family name in a full name as usually written, first name first; "" for no name."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _SUFFIXES:
        words.pop()
    if not words:
        return ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def greeting(title: str, name: str) -> str:
    """The letter's first line: office and family name where there is a title, else the name."""
    if title and (family := family_name(name)):
        return f"Dear {title} {family},"
    return f"Dear {name.strip()}," if name.strip() else "Dear Sir or Madam,"
