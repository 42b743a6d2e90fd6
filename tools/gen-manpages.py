#!/usr/bin/python3
"""Generate the section-3 pages of the C API and libsvipc(7) from the public headers.

The headers are the one source: every function's synopsis, description, return
value and error list is its declaration and the /** ... */ comment right above
it; a page's introduction is its header's leading comment; the constants and
structs a page shows are copied from the header; the EXAMPLE of a page is
doc/examples/man/<page>.c, a program the test suite compiles and runs. This
script only decides which functions share a page (FAMILIES) and the layout.

    gen-manpages.py --list                           names of the files it writes
    gen-manpages.py --pages                          the family pages (each has an example)
    gen-manpages.py SOURCE_ROOT OUT_DIR VERSION      write them into OUT_DIR

A function declared in a header but in no family (or the reverse) is an error,
so a new function cannot ship without a page.
"""
import pathlib
import re
import sys

# (page, one-line summary, header, functions, kernel pages for SEE ALSO).
# The page is named after its first function; every other function gets a
# .so link to it.
FAMILIES = [
    ("svipc_shm_open", "open, close and remove System V shared memory segments", "shm.h",
     ["svipc_shm_open", "svipc_shm_open_id", "svipc_shm_close", "svipc_shm_id", "svipc_shm_size",
      "svipc_shm_remove", "svipc_shm_remove_id"], ["shmget(2)", "shmctl(2)", "ipcs(1)", "ipcrm(1)"]),
    ("svipc_shm_attach", "attach and detach shared memory segments, also into a caller's buffer", "shm.h",
     ["svipc_shm_attach", "svipc_shm_attach_into", "svipc_shm_detach", "svipc_page_size",
      "svipc_shm_attach_alignment"],
     ["shmat(2)", "shmdt(2)", "madvise(2)", "sysconf(3)"]),
    ("svipc_shm_stat", "inspect a shared memory segment and change its mode or owner", "shm.h",
     ["svipc_shm_stat", "svipc_shm_stat_id", "svipc_shm_set_mode", "svipc_shm_set_owner"], ["shmctl(2)"]),
    ("svipc_sem_open", "open, close and remove System V semaphore sets", "sem.h",
     ["svipc_sem_open", "svipc_sem_open_id", "svipc_sem_close", "svipc_sem_id", "svipc_sem_nsems",
      "svipc_sem_created", "svipc_sem_remove", "svipc_sem_remove_id"], ["semget(2)", "semctl(2)", "semop(2)"]),
    ("svipc_sem_p", "P, V, atomic operation lists and crash-safe locks on semaphores", "sem.h",
     ["svipc_sem_p", "svipc_sem_v", "svipc_sem_ops", "svipc_sem_lock", "svipc_sem_unlock", "svipc_sem_p_call",
      "svipc_sem_v_call"],
     ["semop(2)", "semtimedop(2)"]),
    ("svipc_sem_value", "read and set semaphore values and wait counts", "sem.h",
     ["svipc_sem_value", "svipc_sem_set_value", "svipc_sem_values", "svipc_sem_set_values",
      "svipc_sem_waiting", "svipc_sem_waiting_zero", "svipc_sem_last_pid"], ["semctl(2)"]),
    ("svipc_sem_stat", "inspect a semaphore set and change its mode or owner", "sem.h",
     ["svipc_sem_stat", "svipc_sem_stat_id", "svipc_sem_set_mode", "svipc_sem_set_owner"], ["semctl(2)"]),
    ("svipc_msg_open", "open, close and remove System V message queues", "msg.h",
     ["svipc_msg_open", "svipc_msg_open_id", "svipc_msg_close", "svipc_msg_id", "svipc_msg_remove",
      "svipc_msg_remove_id"], ["msgget(2)", "msgctl(2)"]),
    ("svipc_msg_send", "send and receive messages, with timeouts", "msg.h",
     ["svipc_msg_send", "svipc_msg_receive", "svipc_msg_send_call", "svipc_msg_receive_call"],
     ["msgsnd(2)", "msgrcv(2)"]),
    ("svipc_msg_stat", "inspect a message queue and change its capacity or mode", "msg.h",
     ["svipc_msg_stat", "svipc_msg_stat_id", "svipc_msg_set_capacity", "svipc_msg_set_mode"], ["msgctl(2)"]),
    ("svipc_channel_open", "open, close, remove and inspect latest-value channels", "channel.h",
     ["svipc_channel_open", "svipc_channel_open_key", "svipc_channel_close", "svipc_channel_remove",
      "svipc_channel_remove_name", "svipc_channel_stat", "svipc_channel_payload_size"],
     ["shmget(2)", "semget(2)"]),
    ("svipc_channel_publish", "publish, read and wait for the newest value of a channel", "channel.h",
     ["svipc_channel_publish", "svipc_channel_bind_publish", "svipc_channel_publish_bound", "svipc_channel_read",
      "svipc_channel_bind_read", "svipc_channel_read_bound",
      "svipc_channel_wait", "svipc_channel_wait_read", "svipc_channel_read_history", "svipc_channel_latest",
      "svipc_channel_set_spin", "svipc_channel_now_ns"], ["futex(2)", "clock_gettime(2)", "membarrier(2)"]),
    ("svipc_channel_open_schema", "self-describing channels: open with a schema; read a channel's name and schema",
     "channel.h", ["svipc_channel_open_schema", "svipc_channel_name", "svipc_channel_schema"],
     ["svipc_channel_open(3)", "svipc_admin_channel_describe(3)", "svipc(1)"]),
    ("svipc_channel_peek", "zero-copy read of a channel's newest value, validated after use", "channel.h",
     ["svipc_channel_peek", "svipc_channel_peek_valid"], ["shmat(2)"]),
    ("svipc_channel_loan", "loaned publish: write a channel value in place, then commit or abandon it", "channel.h",
     ["svipc_channel_loan", "svipc_channel_commit", "svipc_channel_abandon"], ["svipc_channel_acquire(3)"]),
    ("svipc_channel_acquire", "pinned read: a channel's newest value in place, kept from publishers until released",
     "channel.h", ["svipc_channel_acquire", "svipc_channel_release"], ["svipc_channel_loan(3)", "membarrier(2)"]),
    ("svipc_list_shm", "list System V IPC objects, limits and usage, as ipcs does", "admin.h",
     ["svipc_list_shm", "svipc_list_sem", "svipc_list_msg", "svipc_limits", "svipc_usage"],
     ["ipcs(1)", "lsipc(1)", "proc(5)", "shmctl(2)", "semctl(2)", "msgctl(2)"]),
    ("svipc_find_orphans", "find System V IPC objects nobody uses any more; recognise and describe channels",
     "admin.h", ["svipc_find_orphans", "svipc_admin_channel_stat", "svipc_admin_channel_describe"],
     ["ipcrm(1)", "proc(5)", "shmctl(2)"]),
    ("svipc_strerror", "describe an error code; this thread's detail message of the last failure", "error.h",
     ["svipc_strerror", "svipc_last_error_message"], ["errno(3)", "strerror(3)"]),
    ("svipc_key_from_name", "derive System V IPC keys from a name or a file", "key.h",
     ["svipc_key_from_name", "svipc_key_from_path"], ["ftok(3)"]),
    ("svipc_version", "the version of the loaded library", "version.h.in",
     ["svipc_version", "svipc_version_string"], []),
]

# Pages of this project every page refers to besides its family's own.
# svipc(7) is taken: Debian's manpages package ships it as a link to sysvipc(7)
OVERVIEW = "libsvipc(7)"
ERROR_CODE = re.compile(r"-?\bE[A-Z0-9]{2,}\b")


class Function:
    def __init__(self, name, declaration, comment, header):
        self.name, self.declaration, self.comment, self.header = name, declaration, comment, header

    @property
    def sentences(self):
        return split_sentences(" ".join(self.comment.split()))

    def error_text(self):
        """The comment from its first "Errors" sentence on; without one, the
        sentences that name an error code (e.g. "or -EINVAL for a NULL handle")."""
        sentences = self.sentences
        start = next((i for i, s in enumerate(sentences) if s.startswith("Errors")), None)
        if start is None:
            return " ".join(s for s in sentences if ERROR_CODE.search(s))
        return " ".join(sentences[start:])

    def description_text(self):
        """The comment up to its "Errors" sentences, paragraphs and lists kept."""
        kept = []
        for line in self.comment.splitlines():
            cut = re.search(r"(^|(?<=[.;:)]) )Errors\b", line)
            if cut:
                line = line[:cut.start()].rstrip()
                if line:
                    kept.append(line)
                break
            kept.append(line)
        return "\n".join(kept).strip()

    def return_text(self):
        sentences = self.sentences
        said = [s for s in sentences if re.search(r"\b[Rr]eturns?\b", s) and not s.startswith("Errors")]
        if said:
            return " ".join(said)
        first = sentences[0] if sentences else ""
        if not re.match(r"(Create|Open|Release|Attach|Map|Detach|Mark|Fill|Change|Derive|P|V|Apply|Mutex|"
                        r"Unlock|Set|Copy|Remove|Publish|Bind|Wait|Read|Zero-copy|After|List|As|Find|Static|Whether)\b",
                        first):
            return first  # the comment opens by naming the value: "The segment's shmid, or -EINVAL ..."
        if self.declaration.startswith("int "):
            return "0 on success, a negative errno value on failure."
        return first


def split_sentences(text):
    # a sentence ends at ". " followed by a capital, a '-' code or an opening
    # parenthesis; "e.g." and "i.e." never end one
    parts = re.split(r"(?<!e\.g)(?<!i\.e)(?<=[.;:])\s+(?=Errors\b)|(?<!e\.g)(?<!i\.e)(?<=\.)\s+(?=[A-Z(*\-])", text)
    return [p.strip() for p in parts if p.strip()]


def strip_comment(raw):
    """Text of a /* */ or /** */ comment without the markers, indentation kept relative."""
    body = re.sub(r"^/\*\*?", "", raw)
    body = re.sub(r"\*/$", "", body)
    lines = [re.sub(r"^\s*\*(?!/) ?", "", line) for line in body.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    return "\n".join(l[indent:] for l in lines)


class Header:
    def __init__(self, path, version):
        self.path = path
        self.name = path.name
        text = path.read_text()
        # version.h.in: the values meson's configure_file puts in
        parts = dict(zip(("MAJOR", "MINOR", "PATCH"), version.split(".")))
        text = re.sub(r"@SVIPC_VERSION_(MAJOR|MINOR|PATCH)@", lambda m: parts[m.group(1)], text)
        text = text.replace("@SVIPC_VERSION_STRING@", f'"{version}"')
        lead = re.match(r"\s*(/\*.*?\*/)", text, flags=re.S)
        self.intro = strip_comment(lead.group(1)) if lead else ""
        # the first paragraph, "svipc — topic.", is the overview's heading
        first, _, rest = self.intro.partition("\n\n")
        self.topic = re.sub(r"^svipc\s*\S\s*", "", " ".join(first.split())).strip()
        self.intro = rest.strip()
        self.functions = {}
        for m in re.finditer(r"(/\*\*(?:(?!\*/).)*\*/)\s*(SVIPC_API\s+[^;{]*?\b(svipc_\w+)\s*\([^;]*\);)", text,
                             flags=re.S):
            declaration = " ".join(m.group(2).replace("SVIPC_API", "", 1).split())
            declaration = declaration.replace("( ", "(").replace(" )", ")")
            self.functions[m.group(3)] = Function(m.group(3), declaration, strip_comment(m.group(1)), self.name)
        self.constants = self.read_constants(text)
        self.includes = re.findall(r"#include <svipc/([\w.]+)>", text)
        self.structs = {m.group(2): m.group(0) for m in re.finditer(
            r"(/\*\*(?:(?!\*/).)*\*/\s*)?typedef struct (svipc_\w+) \{.*?\} \2;", text, flags=re.S)}

    @staticmethod
    def read_constants(text):
        """{name: (value, doc, functions)} of every #define SVIPC_X: doc from its
        /**< */ (which may run on over further lines) or a /** */ right above;
        functions are those a group comment above a run of defines names,
        "/* Attach flags (svipc_shm_attach, svipc_shm_attach_into). */"."""
        constants, group, doc_above = {}, set(), ""
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if not line:
                group, doc_above = set(), ""
            elif line.startswith("/*"):
                block = [line]
                while "*/" not in block[-1] and i + 1 < len(lines):
                    i += 1
                    block.append(lines[i].strip())
                body = strip_comment("\n".join(block))
                if line.startswith("/**"):
                    doc_above = body
                else:
                    group = set(re.findall(r"\bsvipc_\w+", body))
            else:
                m = re.match(r"#\s*define\s+(SVIPC_[A-Z0-9_]+)\s+(.*?)\s*(?:/\*\*<(.*))?$", line)
                if m and not m.group(1).endswith("_H"):
                    doc = m.group(3)
                    if doc is not None:
                        while "*/" not in doc and i + 1 < len(lines):
                            i += 1
                            doc += " " + lines[i].strip()
                        doc = doc.split("*/")[0]
                    else:
                        doc = doc_above
                    constants.setdefault(m.group(1), (m.group(2), " ".join(doc.split()), group))
                if not line.startswith("#"):
                    doc_above = ""
            i += 1
        return constants


# ---- roff -----------------------------------------------------------------

def esc(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)


def line_start(text):
    """A text line that roff must not take for a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def marked(text):
    """Escape text; bold svipc names, error codes and SVIPC_ constants."""
    out = esc(text)
    out = re.sub(r"\b(svipc_\w+\(\))", r"\\fB\1\\fR", out)
    out = re.sub(r"(\\-E[A-Z0-9]{2,})\b", r"\\fB\1\\fR", out)
    out = re.sub(r"\b(SVIPC_[A-Z0-9_]+)\b", r"\\fB\1\\fR", out)
    return line_start(out)


def paragraphs(text):
    """Comment text to roff: blank-line paragraphs, "- " bullets (continued by
    indented lines), other indented lines verbatim (tables in the comments)."""
    out, para, literal = [], [], []
    mode = "text"

    def flush():
        if para:
            out.append(marked(" ".join(para)))
            para.clear()
        if literal:
            out.extend([".PP", ".RS 4", ".nf"] + [line_start(esc(l)) for l in literal] + [".fi", ".RE"])
            literal.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
            out.append(".PP")
            mode = "text"
        elif line.startswith("- "):
            flush()
            out.append(".IP \\(bu 2")
            para.append(line[2:].strip())
            mode = "bullet"
        elif line.startswith(" ") and mode == "bullet":
            para.append(line.strip())
        elif line.startswith(" "):
            if para:
                out.append(marked(" ".join(para)))
                para.clear()
            literal.append(line.rstrip())
            mode = "literal"
        else:
            if mode != "text":
                flush()
                out.append(".PP")
                mode = "text"
            para.append(line.strip())
    flush()
    while out and out[-1] == ".PP":
        out.pop()
    while out and out[0] == ".PP":
        out.pop(0)
    return out


def synopsis_call(declaration):
    """A declaration as .BI: types bold, parameter names italic."""
    m = re.match(r"(.*?\()(.*)\);$", declaration)
    head, params = m.group(1), m.group(2)
    pieces = [head]
    args = [p.strip() for p in params.split(",")] if params.strip() != "void" else ["void"]
    for i, arg in enumerate(args):
        name = re.search(r"(\w+)$", arg)
        if arg == "void" or not name:
            pieces[-1] += arg
        else:
            pieces[-1] += arg[:name.start()]
            pieces.append(name.group(1))
            pieces.append("")
        pieces[-1] += ", " if i + 1 < len(args) else ");"
    quoted = " ".join('"' + esc(p) + '"' for p in pieces)
    return ".BI " + quoted


def error_items(text):
    """ "Errors: -EINVAL a; -ENOENT b" as one tagged paragraph per code (or run
    of codes, "-EACCES, -EIDRM as for ..."); text without codes stays prose."""
    text = re.sub(r"^Errors:?\s*", "", text)
    out = []
    for item in re.split(r";\s+(?=-E[A-Z0-9]{2,})", text):
        m = re.match(r"(-E[A-Z0-9]{2,}(?:,\s*-E[A-Z0-9]{2,})*)\b,?\s*(.*)", item, flags=re.S)
        if m:
            out += [".TP", ".B " + esc(m.group(1).strip().rstrip(",")), marked(m.group(2).strip() or ".")]
        else:
            out += [".PP", marked(item)]
    return out


def see_also_line(refs):
    out = []
    for i, ref in enumerate(refs):
        name, section = re.match(r"(.+)\((\w+)\)", ref).groups()
        out.append(f".BR {esc(name)} ({section}){',' if i + 1 < len(refs) else ''}")
    return out


def family_page(page, summary, header, names, kernel, headers, all_pages, example, version):
    functions = [header.functions[n] for n in names]
    text = [f'.TH {page.upper()} 3 "" "svipc {version}" "svipc Library Functions"',
            ".SH NAME", ", ".join(f"{esc(n)}" for n in names) + " \\- " + esc(summary),
            ".SH SYNOPSIS", ".nf", ".B #include <svipc/svipc.h>", ".fi", ".PP",
            "Link with", ".BR \\-lsvipc", "(\\fBpkg\\-config \\-\\-cflags \\-\\-libs svipc\\fR).", ".PP"]
    text += [".nh", ".ad l"]  # no hyphenated parameter names, ragged right
    for f in functions:
        text += [synopsis_call(f.declaration), ".PP"]
    text.pop()
    # constants and structs the family's comments mention (or its signatures use)
    mentioned = " ".join(f.comment + " " + f.declaration for f in functions)
    structs = [s for name, s in header.structs.items() if re.search(rf"\b{name}\b", mentioned)]
    if structs:
        text += [".PP", ".nf"] + [line_start(esc(l)) for s in structs for l in (s + "\n").splitlines()] + [".fi"]
    constants = {}
    # a constant defined in several headers is described as the page's own
    # header, then the headers it includes, describe it
    near = [header] + [headers[n] for n in header.includes if n in headers]
    for h in near + [h for h in headers.values() if h not in near]:
        for name, (value, doc, group) in h.constants.items():
            if (re.search(rf"\b{name}\b", mentioned) or group & set(names)) and name not in constants:
                constants[name] = (value, doc)
    text += [".ad", ".hy", ".SH DESCRIPTION"] + paragraphs(header.intro)
    for f in functions:
        text += [".SS " + f"{esc(f.name)}()"] + paragraphs(f.description_text())
    if constants:
        text += [".SS Constants"]
        for name, (value, doc) in sorted(constants.items(), key=lambda kv: kv[0]):
            text += [".TP", f".B {esc(name)}", marked(f"{value}" + (f": {doc}" if doc else ""))]
    text += [".SH RETURN VALUE"]
    if any(f.error_text() for f in functions):
        text += ["Fallible calls return a negative errno value on failure and record a message naming the call "
                 "and the cause, which",
                 ".BR svipc_last_error_message (3)",
                 "returns; output parameters are written only on success."]
    for f in functions:
        text += [".TP", f".BR {esc(f.name)} ()", marked(f.return_text())]
    text += [".SH ERRORS",
             "Each function's errors as its header documents them; codes with one meaning throughout the "
             "library are described in",
             ".BR libsvipc (7)."]
    for f in functions:
        errors = f.error_text()
        text += [".SS " + f"{esc(f.name)}()"] + error_items(errors or "None.")
        refs = re.findall(r"(?:as for|as|of) (svipc_\w+)\(\)", errors)
        same_as = re.match(r"(svipc_\w+)\(", f.comment)  # "svipc_sem_p(call->sem, ...): same ... errors"
        if same_as and re.search(r"\bsame (results and )?errors\b", errors, flags=re.I):
            refs.insert(0, same_as.group(1))
        for ref in dict.fromkeys(refs):
            other = next((h.functions[ref] for h in headers.values() if ref in h.functions), None)
            if other is not None and other.name != f.name:
                text += [".PP", marked(f"Those of {ref}():")] + error_items(other.error_text())
    text += [".SH EXAMPLE", ".EX"] + [line_start(esc(l)) for l in example.rstrip("\n").splitlines()] + [".EE"]
    refs = [OVERVIEW] + [p + "(3)" for p in all_pages if p != page and
                         re.search(rf"\b{p}\b", " ".join(f.comment for f in functions))] + kernel
    text += [".SH SEE ALSO"] + see_also_line(list(dict.fromkeys(refs)))
    return "\n".join(text) + "\n"


def overview_page(headers, version):
    text = [f'.TH LIBSVIPC 7 "" "svipc {version}" "svipc"', ".SH NAME",
            "libsvipc \\- System V IPC for C and Python: shared memory, semaphores, message queues, channels",
            ".SH SYNOPSIS", ".nf", ".B #include <svipc/svipc.h>", ".fi", ".PP",
            "Link with", ".BR \\-lsvipc", "(\\fBpkg\\-config \\-\\-cflags \\-\\-libs svipc\\fR).",
            ".SH DESCRIPTION",
            "libsvipc gives C programs, and Python programs through ctypes, the System V IPC objects of",
            ".BR sysvipc (7)",
            "behind a stable C ABI: opaque handles, fixed\\-width types, one error convention.",
            "Every object is a real System V object that",
            ".BR ipcs (1)",
            "lists and",
            ".BR ipcrm (1)",
            "removes; the",
            ".BR svipc (1)",
            "command lists, inspects and cleans them."]
    order = ["error.h", "key.h", "shm.h", "sem.h", "msg.h", "channel.h", "admin.h"]
    for name in order:
        h = headers[name]
        text += [".SS " + esc(h.topic[:1].upper() + h.topic[1:].rstrip("."))] + paragraphs(h.intro)
        pages = [p for p, _, hdr, _, _ in FAMILIES if hdr == name]
        text += [".PP", "Pages:"] + see_also_line([p + "(3)" for p in pages])
    text += [".SH FILES", ".TP", ".I /usr/include/svipc/", "the headers;",
             ".I svipc.h", "includes all of them.", ".TP", ".I /proc/sysvipc/",
             "where the kernel lists the objects of the IPC namespace.", ".SH SEE ALSO"]
    text += see_also_line(["svipc(1)"] + [p + "(3)" for p, *_ in FAMILIES] +
                          ["sysvipc(7)", "ipc_namespaces(7)", "ipcs(1)", "ipcrm(1)", "lsipc(1)"])
    return "\n".join(text) + "\n"


def load_headers(root, version):
    inc = root / "include" / "svipc"
    return {p.name: Header(p, version) for p in sorted(inc.iterdir()) if p.name.endswith((".h", ".h.in"))}


def outputs():
    files = ["libsvipc.7"]
    for page, _, _, names, _ in FAMILIES:
        files += [n + ".3" for n in names]
    return files


def main(argv):
    if argv[1:] == ["--list"]:
        print("\n".join(outputs()))
        return 0
    if argv[1:] == ["--pages"]:
        print("\n".join(p for p, *_ in FAMILIES))
        return 0
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    root, out, version = pathlib.Path(argv[1]), pathlib.Path(argv[2]), argv[3]
    headers = load_headers(root, version)
    declared = {n for h in headers.values() for n in h.functions}
    paged = [n for _, _, _, names, _ in FAMILIES for n in names]
    problems = [f"{n}: declared in a header but on no page (add it to FAMILIES)" for n in sorted(declared - set(paged))]
    problems += [f"{n}: in FAMILIES but declared with no /** */ comment in any header" for n in paged
                 if n not in declared]
    problems += [f"{n}: on two pages" for n in sorted({n for n in paged if paged.count(n) > 1})]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    all_pages = [p for p, *_ in FAMILIES]
    for page, summary, header, names, kernel in FAMILIES:
        example = (root / "doc" / "examples" / "man" / (page + ".c")).read_text()
        (out / (page + ".3")).write_text(
            family_page(page, summary, headers[header], names, kernel, headers, all_pages, example, version))
        for n in names[1:]:
            (out / (n + ".3")).write_text(f".so man3/{page}.3\n")
    (out / "libsvipc.7").write_text(overview_page(headers, version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
