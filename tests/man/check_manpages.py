#!/usr/bin/python3
"""The generated man pages cover the C API and render cleanly.

    check_manpages.py MAN_DIR MAP_FILE HEADER_DIR

- every symbol of svipc.map has MAN_DIR/<symbol>.3: a page naming it, or a
  .so link to one;
- every page has the sections a section-3 reader expects;
- every error code that a function's header comment names appears in that
  function's part of the page's ERRORS section (the comments are read here
  with a plain regex of their own, not with the generator's parser, so a
  parser that drops text cannot hide it);
- `man --warnings -l` and `groff -ww -man -z` render every page and link
  without a single warning.
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from check_symbols import mapped  # noqa: E402  (one parser of svipc.map)

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "ERRORS", "EXAMPLE", "SEE ALSO"]


def plain(roff):
    """roff source to searchable text: escapes and fonts removed."""
    text = roff.replace("\\-", "-").replace("\\e", "\\")
    text = re.sub(r"\\f[BIRP]", "", text)
    return re.sub(r'^\.(B|BR|BI|I|IR|RB|TP|PP|SS|SH)\b ?', "", text, flags=re.M).replace('"', "")


def sections(roff):
    parts = re.split(r'^\.SH "?([^"\n]+)"?$', roff, flags=re.M)
    return {name.strip(): body for name, body in zip(parts[1::2], parts[2::2])}


def documented_errors(header_dir):
    """{function: set of codes} from each SVIPC_API declaration's /** */ comment."""
    codes = {}
    for header in pathlib.Path(header_dir).glob("*.h*"):
        for m in re.finditer(r"/\*\*((?:(?!\*/).)*)\*/\s*SVIPC_API[^;(]*?\b(svipc_\w+)\s*\(",
                             header.read_text(), flags=re.S):
            codes[m.group(2)] = set(re.findall(r"-(E[A-Z0-9]{2,})\b", m.group(1)))
    return codes


def page_of(man_dir, symbol, problems):
    path = man_dir / (symbol + ".3")
    if not path.exists():
        problems.append(f"{symbol}: no page {path.name}")
        return None
    text = path.read_text()
    link = re.fullmatch(r"\.so man3/(\w+\.3)\n", text)
    if link:
        target = man_dir / link.group(1)
        if not target.exists() or target.read_text().startswith(".so"):
            problems.append(f"{symbol}: .so link to {link.group(1)}, which is not a page")
            return None
        path, text = target, target.read_text()
    name = sections(text).get("NAME", "")
    if not re.search(rf"\b{symbol}\b", plain(name)):
        problems.append(f"{symbol}: {path.name} does not name it in NAME")
    return path


def render(man_dir, problems):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="0")
    with tempfile.TemporaryDirectory() as root:
        for page in sorted(man_dir.glob("*.[37]")):
            section_dir = pathlib.Path(root) / ("man" + page.suffix[1:])
            section_dir.mkdir(exist_ok=True)
            (section_dir / page.name).symlink_to(page.resolve())
        rendered = {}
        for page in sorted(pathlib.Path(root).glob("man*/*")):
            rel = str(page.relative_to(root))
            for cmd in (["man", "--warnings", "-l", rel], ["groff", "-ww", "-man", "-z", "-Tutf8", rel]):
                run = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
                if run.returncode != 0 or run.stderr.strip():
                    problems.append(f"{rel}: {' '.join(cmd[:2])}: exit {run.returncode}: {run.stderr.strip()}")
                elif cmd[0] == "man":
                    rendered[rel] = run.stdout
        # a .so link renders as its page does (man resolved it), and no page is empty
        for rel, text in rendered.items():
            link = re.fullmatch(r"\.so (man3/\w+\.3)\n", (pathlib.Path(root) / rel).read_text())
            if link and text != rendered.get(link.group(1)):
                problems.append(f"{rel}: man -l does not render {link.group(1)} through the .so link")
            if len(text.split()) < 20:
                problems.append(f"{rel}: renders as almost nothing")


def main():
    man_dir, map_file, header_dir = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    problems = []
    symbols = sorted(mapped(map_file))
    errors = documented_errors(header_dir)
    pages = {}
    for symbol in symbols:
        path = page_of(man_dir, symbol, problems)
        if path:
            pages.setdefault(path, []).append(symbol)
    for path, names in sorted(pages.items()):
        secs = sections(path.read_text())
        problems += [f"{path.name}: no {s} section" for s in SECTIONS if s not in secs]
        error_parts = re.split(r"^\.SS (svipc_\w+)\(\)$", secs.get("ERRORS", ""), flags=re.M)
        by_function = dict(zip(error_parts[1::2], error_parts[2::2]))
        for name in names:
            if name not in by_function:
                problems.append(f"{path.name}: ERRORS has no part for {name}")
                continue
            listed = set(re.findall(r"\b(E[A-Z0-9]{2,})\b", plain(by_function[name])))
            for code in sorted(errors.get(name, set()) - listed):
                problems.append(f"{path.name}: {name}: -{code} is in its header comment but not in ERRORS")
    if not (man_dir / "libsvipc.7").exists():
        problems.append("no libsvipc.7 overview")
    render(man_dir, problems)
    for p in problems:
        print(p)
    print(f"{len(symbols)} symbols, {len(pages)} pages, "
          f"{sum(len(c) for c in errors.values())} documented error codes checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
