#!/usr/bin/env python3
"""The app's two languages define the same resources, of the same kind, with the same placeholders.

Usage: strings_match.py values/strings.xml values-zh-rCN/strings.xml
A placeholder missing in one language would crash the app at getString() time (or drop a number silently), and a
<plurals> in one file but a <string> in the other fails only on the phone.
"""
import re
import sys
import xml.etree.ElementTree as ET

PLACEHOLDER = re.compile(r"%(\d+\$)?[-#+ 0,(]*\d*(?:\.\d+)?[a-zA-Z]")


def resources(path):
    out = {}
    for el in ET.parse(path).getroot():
        name = el.get("name")
        if el.tag == "string":
            texts = [el.text or ""]
        elif el.tag == "plurals":
            texts = [item.text or "" for item in el]
        else:
            continue
        out[name] = (el.tag, {m.group(0) for t in texts for m in PLACEHOLDER.finditer(t.replace("%%", ""))})
    return out


def main():
    a, b = resources(sys.argv[1]), resources(sys.argv[2])
    problems = [f"only in {sys.argv[1]}: {n}" for n in sorted(a.keys() - b.keys())]
    problems += [f"only in {sys.argv[2]}: {n}" for n in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        (kind_a, ph_a), (kind_b, ph_b) = a[name], b[name]
        if kind_a != kind_b:
            problems.append(f"{name}: <{kind_a}> in one language, <{kind_b}> in the other")
        elif ph_a != ph_b:
            problems.append(f"{name}: placeholders {sorted(ph_a)} against {sorted(ph_b)}")
    for p in problems:
        print(p)
    print(f"{len(a.keys() & b.keys())} resources in both languages, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
