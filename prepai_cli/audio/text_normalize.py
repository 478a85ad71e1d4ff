"""Rewrites interviewer text so the TTS voice reads it the way an interviewer would say it."""

from __future__ import annotations

import re

# Spelled-out or respelled forms for terms a TTS voice mangles; whole words only, case-sensitive.
_TERMS: dict[str, str] = {
    "CI/CD": "C I C D", "k8s": "Kubernetes", "K8s": "Kubernetes", "SQL": "sequel", "NoSQL": "no sequel",
    "JSON": "jason", "API": "A P I", "APIs": "A P Is", "AWS": "A W S", "GCP": "G C P", "CPU": "C P U",
    "GPU": "G P U", "URL": "U R L", "HTTP": "H T T P", "HTTPS": "H T T P S", "DNS": "D N S", "CDN": "C D N",
    "SDE": "S D E", "SDK": "S D K", "TTL": "T T L", "LRU": "L R U", "BFS": "B F S", "DFS": "D F S",
    "RPC": "R P C", "gRPC": "G R P C", "IAM": "I A M", "VPC": "V P C", "EC2": "E C 2", "S3": "S 3",
    "SLA": "S L A", "SLO": "S L O", "QPS": "Q P S", "RPS": "R P S", "p99": "P 99", "p95": "P 95", "p50": "P 50",
    "STAR": "star", "OK": "okay", "UI": "U I", "UX": "U X", "ID": "I D", "IDs": "I Ds", "CV": "C V",
}
_ABBREVIATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\be\.g\.,?", re.IGNORECASE), "for example,"),
    (re.compile(r"\bi\.e\.,?", re.IGNORECASE), "that is,"),
    (re.compile(r"\betc\.", re.IGNORECASE), "et cetera."),
    (re.compile(r"\bvs\.?(?=\s)", re.IGNORECASE), "versus"),
    (re.compile(r"\bapprox\.", re.IGNORECASE), "approximately"),
]
_UNITS = {"ms": "milliseconds", "s": "seconds", "GB": "gigabytes", "MB": "megabytes", "KB": "kilobytes",
          "TB": "terabytes", "k": "thousand", "K": "thousand", "M": "million", "B": "billion", "x": "times"}
_BIG_O = re.compile(r"\b([OΘΩ])\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_POWER = re.compile(r"\b(\w+)\s*\^\s*(\w+)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_MONEY = re.compile(r"\$(\d+(?:[.,]\d+)*)(\s*(?:k|K|M|B)\b)?")
_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)\s*(ms|GB|MB|KB|TB|k|K|M|B|x)\b")
_OPERATORS = [("<=", " less than or equal to "), (">=", " greater than or equal to "), ("!=", " not equal to "),
              ("==", " equals "), ("->", " to "), ("=>", " gives "), ("&", " and "), ("+", " plus ")]
_MARKUP = re.compile(r"[`*_#>|]+")
_TERM_PATTERN = re.compile(r"(?<![\w/])(" + "|".join(re.escape(t) for t in sorted(_TERMS, key=len, reverse=True)) + r")(?![\w/])")


def _big_o(match: re.Match[str]) -> str:
    letter = {"O": "O", "Θ": "theta", "Ω": "omega"}[match.group(1)]
    inner = match.group(2).strip()
    inner = re.sub(r"\blog\s*\(?\s*(\w+)\s*\)?", r"log \1", inner)
    inner = inner.replace("*", " times ").replace("+", " plus ")
    inner = _POWER.sub(_power, inner)
    return f"{letter} of {inner}"


def _power(match: re.Match[str]) -> str:
    base, exponent = match.group(1), match.group(2)
    if exponent == "2":
        return f"{base} squared"
    if exponent == "3":
        return f"{base} cubed"
    return f"{base} to the {exponent}"


def _money(match: re.Match[str]) -> str:
    amount = match.group(1).replace(",", "")
    scale = (match.group(2) or "").strip()
    return f"{amount} {_UNITS[scale]} dollars" if scale else f"{amount} dollars"


def normalize_for_speech(text: str) -> str:
    out = _MARKUP.sub(" ", text)
    out = _BIG_O.sub(_big_o, out)
    for pattern, replacement in _ABBREVIATIONS:
        out = pattern.sub(replacement, out)
    out = _PERCENT.sub(r"\1 percent", out)
    out = _MONEY.sub(_money, out)
    out = _UNIT.sub(lambda m: f"{m.group(1)} {_UNITS[m.group(2)]}", out)
    out = _POWER.sub(_power, out)
    out = _TERM_PATTERN.sub(lambda m: _TERMS[m.group(1)], out)
    for symbol, words in _OPERATORS:
        out = out.replace(symbol, words)
    # "read/write" → "read or write"; a slash between numbers is a fraction and stays for the voice.
    out = re.sub(r"(?<=[A-Za-z])/(?=[A-Za-z])", " or ", out)
    out = re.sub(r"\s+([,.;:!?])", r"\1", out)
    out = re.sub(r"\.\.+", ".", out)
    return re.sub(r"\s+", " ", out).strip()
