#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/fuzz_*.c).

Every seed is made from what the repository holds, at build or test time:
the CSV fixtures of tests/data, the string literals of the unit tests
(tests/unit/*.c: the e-mails, phones, dates, names and CSV texts they
check), rows of tools/gen_sample.py, and workbooks built from those rows
(by this script's own minimal writer, and by openpyxl and XlsxWriter when
Debian's python3 has them). Each seed starts with the option bytes its
target reads (see the comment at the top of each fuzz_*.c).

    fuzz_seeds.py --out DIR TARGET...   (csv xlsx xmlscan mapping fields date opts wire, or all)

writes DIR/TARGET/<sha1 of the seed>; a seed already there is kept.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["csv", "xlsx", "xmlscan", "mapping", "fields", "date", "opts", "wire"]
PART_SEP = b"#PART#\n"   # fuzz_xlsx.c FZ_PART_SEP
RS, US = "\x1e", "\x1f"  # fuzz_mapping.c records and fields
SYSTEM_PYTHON = "/usr/bin/python3"

# --- what the repository holds ------------------------------------------------

_LITERAL = re.compile(rb'"((?:[^"\\\n]|\\.)*)"')
_BETWEEN = re.compile(rb"^\s*$")
_COMMENT = re.compile(rb"/\*.*?\*/|//[^\n]*", re.S)


def _unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        e = body[i + 1:i + 2]
        i += 2
        simple = {b"n": 10, b"r": 13, b"t": 9, b"\\": 92, b'"': 34, b"'": 39, b"a": 7,
                  b"b": 8, b"f": 12, b"v": 11, b"?": 63}
        if e in simple:
            out.append(simple[e])
        elif e == b"x":
            m = re.match(rb"[0-9A-Fa-f]+", body[i:])
            out.append(int(m.group(0), 16) & 0xFF if m else 0)
            i += len(m.group(0)) if m else 0
        elif e.isdigit():
            m = re.match(rb"[0-7]{0,2}", body[i:])
            out.append(int(e + m.group(0), 8) & 0xFF)
            i += len(m.group(0))
        else:
            out += e
    return bytes(out)


def c_strings(*names):
    """The string literals of tests/unit/NAME (adjacent ones joined, as C does)."""
    seen, found = set(), []
    for name in names:
        path = os.path.join(ROOT, "tests", "unit", name)
        if not os.path.exists(path):
            continue
        src = _COMMENT.sub(b" ", open(path, "rb").read())
        lines = [ln for ln in src.split(b"\n") if not ln.lstrip().startswith(b"#include")]
        src = b"\n".join(lines)
        cur, last_end = None, None
        for m in _LITERAL.finditer(src):
            if cur is not None and _BETWEEN.match(src[last_end:m.start()]):
                cur += _unescape(m.group(1))
            else:
                if cur is not None and cur not in seen:
                    seen.add(cur)
                    found.append(cur)
                cur = _unescape(m.group(1))
            last_end = m.end()
        if cur is not None and cur not in seen:
            seen.add(cur)
            found.append(cur)
    return found


def fixture_files():
    out = []
    data = os.path.join(ROOT, "tests", "data")
    for d, _, files in sorted(os.walk(data)):
        for f in sorted(files):
            if f.endswith((".csv", ".txt", ".tsv")):
                out.append(os.path.join(d, f))
    return out


def decode(raw):
    for enc in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(enc)
            if enc == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return text
        except UnicodeDecodeError:
            pass
    if raw[:1] == b"\x00" or raw[1:2] == b"\x00":
        return raw.decode("utf-16-be" if raw[:1] == b"\x00" else "utf-16-le", "replace")
    return raw.decode("cp1252", "replace")


def table(text):
    """Rows of a CSV text, whatever its delimiter (the most common of , ; tab |)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("sep=")]
    head = "\n".join(lines[:20])
    delim = max(",;\t|", key=head.count)
    return [row for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]


def sample_csv(rows, seed, delimiter=",", encoding="utf-8", newline="crlf"):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "s.csv")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_sample.py"),
                        "--rows", str(rows), "--seed", str(seed), "--delimiter", delimiter,
                        "--encoding", encoding, "--newline", newline, "--out", out],
                       check=True)
        return open(out, "rb").read()


def tables():
    """Every table the fixtures and gen_sample give, as lists of rows of str."""
    out = [table(decode(open(p, "rb").read())) for p in fixture_files()]
    out.append(table(sample_csv(40, 3).decode("utf-8")))
    out.append(table(sample_csv(40, 4, ";").decode("utf-8")))
    return [t for t in out if t]


# --- the seeds of each target ----------------------------------------------------

def seeds_csv():
    files = [open(p, "rb").read() for p in fixture_files()]
    files += [sample_csv(30, 1), sample_csv(30, 2, ";", "cp1252", "lf"),
              sample_csv(20, 5, "tab", "utf-16"), sample_csv(20, 6, "|", "utf-8-sig")]
    for f in files:
        yield b"\x00\x00" + f[:16384]
        yield b"\x00\x03" + f[:4096]          # small limits, resume after row 1
    for s in c_strings("test_csv.c", "test_csv_header.c", "test_csv_stream.c",
                       "test_csv_corpus.c"):
        if len(s) >= 4 and (b"\n" in s or b"," in s or b";" in s):
            yield b"\x00\x00" + s
            yield b"\x00\x05" + s             # small limits, resume after row 2


def _col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _esc(v):
    v = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", v)
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def own_parts(rows, shared=True):
    """The parts fuzz_xlsx.c zips, in its order, for a sheet of rows (text, numbers, a date)."""
    strings, index, out = [], {}, []
    for r, row in enumerate(rows[:60]):
        cells = []
        for c, v in enumerate(row[:30]):
            ref = "%s%d" % (_col(c), r + 1)
            if re.fullmatch(r"-?\d{1,15}(\.\d+)?", v):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            elif not shared:
                cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, _esc(v)))
            else:
                if v not in index:
                    index[v] = len(strings)
                    strings.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, index[v]))
        if r == 1:
            cells.append('<c r="%s2" s="1"><v>45358.5</v></c>' % _col(len(row)))
        out.append('<row r="%d">%s</row>' % (r + 1, "".join(cells)))
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s"><dimension ref="A1:%s%d"/>'
             "<sheetData>%s</sheetData></worksheet>" % (ns, _col(29), len(out), "".join(out)))
    sst = '<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
        ns, len(strings), len(strings), "".join("<si><t>%s</t></si>" % _esc(s) for s in strings))
    styles = ('<styleSheet xmlns="%s"><numFmts count="1"><numFmt numFmtId="164" '
              'formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>' % ns)
    wb = ('<workbook xmlns="%s" xmlns:r="%s"><workbookPr date1904="0"/><sheets><sheet name="Feuil1" '
          'sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, rel))
    return [sheet, sst, styles, wb]


def own_xlsx(parts):
    """A whole .xlsx of the parts own_parts() gives (the other parts as fuzz_xlsx.c's defaults)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    names = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
             "xl/workbook.xml"]
    extra = {
        "xl/_rels/workbook.xml.rels":
            '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%s/styles" '
            'Target="styles.xml"/><Relationship Id="rId3" Type="%s/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>' % (pkg, rel, rel, rel),
        "_rels/.rels": '<Relationships xmlns="%s"><Relationship Id="rId1" '
                       'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
                       % (pkg, rel),
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, p in zip(names, parts):
            z.writestr(n, p)
        for n, p in extra.items():
            z.writestr(n, p)
    return buf.getvalue()


def zip_parts(data):
    """A workbook's parts in fuzz_xlsx.c's order (a part it lacks: left to the default)."""
    order = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
             "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels",
             "[Content_Types].xml"]
    z = zipfile.ZipFile(io.BytesIO(data))
    have = set(z.namelist())
    parts = []
    for n in order:
        if n not in have:
            break
        parts.append(z.read(n))
    return PART_SEP.join(parts)


LIB_BOOKS = r"""
import datetime, json, sys
tables, out = json.load(open(sys.argv[1])), sys.argv[2]
n = 0
try:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as bad
    for rows in tables:
        wb = Workbook()
        ws = wb.active
        ws.title = "Feuil1"
        for row in rows[:40]:
            ws.append([int(v) if v.isdigit() and len(v) < 12 else bad.sub("", v) for v in row])
        ws.cell(row=2, column=len(rows[0]) + 1, value=datetime.datetime(2024, 3, 7, 10, 20))
        hidden = wb.create_sheet("Cachée")
        hidden.sheet_state = "hidden"
        hidden.append(["x"])
        wb.create_sheet("Feuil2").append(["Nom", "E-mail"])
        wb.save("%s/%d.xlsx" % (out, n)); n += 1
except ImportError:
    pass
try:
    import xlsxwriter
    for rows in tables:
        wb = xlsxwriter.Workbook("%s/%d.xlsx" % (out, n), {"strings_to_numbers": True})
        ws = wb.add_worksheet("Leads")
        for r, row in enumerate(rows[:40]):
            ws.write_row(r, 0, row)
        ws.write_datetime(1, len(rows[0]), datetime.datetime(2024, 3, 7),
                          wb.add_format({"num_format": "dd/mm/yyyy"}))
        wb.close(); n += 1
except ImportError:
    pass
"""


def library_books(tabs):
    """Workbooks written by openpyxl and XlsxWriter (Debian's python3), if present."""
    python = SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "tables.json")
        json.dump([t[:40] for t in tabs], open(src, "w"))
        subprocess.run([python, "-c", LIB_BOOKS, src, tmp], check=True)
        return [open(os.path.join(tmp, f), "rb").read()
                for f in sorted(os.listdir(tmp)) if f.endswith(".xlsx")]


def seeds_xlsx():
    tabs = tables()
    for rows in tabs:
        for shared in (True, False):
            parts = own_parts(rows, shared)
            yield b"\x01" + PART_SEP.join(p.encode("utf-8") for p in parts)
            yield b"\x00" + own_xlsx(parts)
    yield b"\x25" + PART_SEP.join(p.encode() for p in own_parts(tabs[0]))  # deflated, resume
    for book in library_books(tabs):
        yield b"\x00" + book
        yield b"\x01" + zip_parts(book)
        yield b"\x08" + book                 # sheet "1"


def seeds_xmlscan():
    """The XML of the sheets and shared strings fuzz_xlsx zips, and the scanner's test documents."""
    for rows in tables():
        for shared in (True, False):
            for part in own_parts(rows, shared)[:2]:
                yield b"\x00" + part.encode("utf-8")
                yield b"\x06" + part.encode("utf-8")
    for s in c_strings("test_xmlscan.c"):
        if s.startswith(b"<") or s.startswith(b"\xef") or s.startswith(b"\xff"):
            yield b"\x00" + s


def records(rows):
    return RS.join(US.join(r) for r in rows).encode("utf-8")


def seeds_mapping():
    for rows in tables():
        rows = rows[:60]
        yield b"\x00" + records(rows)
        yield b"\x04" + records(rows[1:])    # no header
        if rows and rows[0]:
            saved = json.dumps({rows[0][0]: "email", rows[0][-1]: None}, ensure_ascii=False)
            over = "%s=%s" % ("phone", "2")
            yield b"\x03" + saved.encode() + RS.encode() + over.encode() + RS.encode() + \
                records(rows)
            yield b"\x08" + records(rows)    # region BE


def seeds_fields():
    strings = c_strings("test_validate.c", "test_phone.c", "test_phone_agree.c",
                        "test_phone_region.c", "test_normalise.c", "test_field.c",
                        "test_fullname.c", "test_region.c", "test_mapping.c")
    for s in strings:
        if not s or len(s) > 300:
            continue
        digits = sum(c in b"0123456789" for c in s)
        if b"@" in s:
            yield b"\x00\x00" + s
            yield b"\x08\x00" + s
            yield b"\x09\x00" + s.split(b"@")[-1]
        elif digits * 2 >= len(s.strip()):
            yield b"\x01\x00" + s
            yield b"\x01\x01" + s
            yield b"\x08\x00" + s
            if len(s) <= 10:
                yield b"\x07\x00" + s
                yield b"\x07\x01" + s
        else:
            for sel in (2, 3, 4, 5, 6):
                yield bytes([sel, 0]) + s


def seeds_date():
    strings = [s for s in c_strings("test_date.c") if 0 < len(s) <= 64 and b"\n" not in s]
    for s in strings:
        yield b"\x00" + s
    for i in range(0, len(strings), 8):
        yield b"\x01" + b"\n".join(strings[i:i + 8])
        yield b"\x02" + b"\n".join(strings[i:i + 8])


def seeds_opts():
    base = {
        "version": 1, "file_name": "leads.csv", "source_path": "/srv/import/leads.csv",
        "reader": {"format": "csv", "encoding": "utf-8", "delimiter": 59, "header": -1,
                   "max_field": 0, "max_row": 0, "max_columns": 0, "max_inflated": 0},
        "map": [["email", "Courriel"], ["phone", "3"]], "mapping_name": "crm",
        "no_remember": False, "region": "BE", "match": ["email", "phone"],
        "on_duplicate": "skip", "overwrite": False, "reassign": False, "assign": "none",
        "assignees": [], "max_size": 0,
    }
    variants = [base]
    v = json.loads(json.dumps(base))
    v.update(on_duplicate="update", overwrite=True, assign="round-robin",
             assignees=["a@example.fr", "Bruno"], max_invalid={"percent": True, "value": 5.0})
    v["reader"].update(format="xlsx", sheet="Feuil2", header=1, max_field=1024)
    variants.append(v)
    v = json.loads(json.dumps(base))
    v.update(assign="column", assign_column="Commercial", region=None, match=["external_id"],
             region_source="inferred", region_reason="87 % des e-mails en .ch")
    v["reader"].update(encoding="windows-1252", delimiter=9, header=0, max_columns=8)
    variants.append(v)
    for v in variants:
        yield json.dumps(v, ensure_ascii=False).encode("utf-8")
        yield json.dumps(v, ensure_ascii=False, indent=1).encode("utf-8")


def seeds_wire():
    """The requests of the reader's unit test, with a few head limits and piece sizes."""
    strings = [s for s in c_strings("test_http_wire.c") if b"HTTP/" in s or b"\r\n" in s]
    for s in strings:
        for limit, seed in ((252, 1), (16, 7), (0, 200)):
            yield bytes([limit, seed]) + s


# Seeds kept at most per target (evenly spread over what the sources give):
# a replay under ASan and libFuzzer's first pass stay short.
MAX_SEEDS = 3000

SEEDS = {"csv": seeds_csv, "xlsx": seeds_xlsx, "xmlscan": seeds_xmlscan, "mapping": seeds_mapping,
         "fields": seeds_fields, "date": seeds_date, "opts": seeds_opts,
         "wire": seeds_wire}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("targets", nargs="+", choices=TARGETS + ["all"])
    a = ap.parse_args(argv)
    for t in TARGETS if "all" in a.targets else a.targets:
        d = os.path.join(a.out, t)
        os.makedirs(d, exist_ok=True)
        seeds = list(dict.fromkeys(SEEDS[t]()))
        if len(seeds) > MAX_SEEDS:
            seeds = [seeds[i * len(seeds) // MAX_SEEDS] for i in range(MAX_SEEDS)]
        n = 0
        for seed in seeds:
            path = os.path.join(d, hashlib.sha1(seed).hexdigest())
            if not os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(seed)
            n += 1
        print("fuzz_seeds: %s: %d graines dans %s" % (t, n, d))


if __name__ == "__main__":
    main()
