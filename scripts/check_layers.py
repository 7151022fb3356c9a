#!/usr/bin/env python3
"""check_layers.py — the folders of src/ form layers, and includes only go down.

Each folder of src/ has a rank (LAYERS below, lowest first). A file may
include the private headers of its own folder, and the public headers
(include/leadimport/*.h) of its own folder or of a folder of a LOWER rank:
never one of its rank or above (that is how a cycle across folders starts).
Each public header belongs to one folder (OWNER); a new header must be added
to the table, so that its place in the layers is a decision, not an accident.

A folder's *Int.h headers are its own: no other folder includes them. Its
other headers under src/<folder>/ ("pipeline/pipeline.h") are the interface
it gives the library's upper layers, and follow the same downward rule.
Also refused: two files of src/ with the same name (sniff.c doing two
different jobs in two folders).

With a build folder (check_layers.py ROOT BUILD), the same rule is checked
on the objects of the library: a symbol a folder's objects use must be
defined in its own folder or a lower one (nm), so that no header can hide
a call upward.

Exit 0 when clean, 1 with one French line per problem otherwise.
"""
import os
import re
import sys
from collections import defaultdict

# Lowest first. Folders of one rank must not include each other.
LAYERS = [
    ["util"],                 # buffers, errors, messages, hashing, files, the state vocabulary
    ["read", "lead"],         # row readers; fields, mapping, validation
    ["store"],                # the database, behind an operations table
    ["blob", "users"],        # stored files (a folder, or the database); accounts and their rules
    ["pipeline"],             # the pipeline: parse, commit, assignment, key set, report, revert
    ["jobs"],                 # the machinery: queue, workers, one-shot and review runs, cleanup
    ["http"],                 # the HTTP front end: routing, auth plumbing, answers
    ["cli"],                  # the command line: parse, call, print (serve starts http)
]

# The folder each public header belongs to.
OWNER = {
    "buf.h": "util", "error.h": "util", "hash.h": "util", "infile.h": "util",
    "msg.h": "util", "messages.def": "util", "outfile.h": "util", "slice.h": "util",
    "text.h": "util", "state.h": "util", "sign.h": "util",
    "reader.h": "read",
    "date.h": "lead", "field.h": "lead", "mapping.h": "lead", "region.h": "lead",
    "validate.h": "lead",
    "users.h": "users", "session.h": "users",
    "store.h": "store", "blob.h": "blob",
    "import.h": "pipeline", "jobjson.h": "jobs", "review.h": "jobs", "upload.h": "jobs",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def symbols(build, rank):
    """Calls between folders, read from the library's objects with nm."""
    import subprocess
    base = os.path.join(build, "CMakeFiles", "leadcore.dir", "src")
    if not os.path.isdir(base):
        return [f"objets introuvables dans {base} (construisez d'abord)"]
    defined, used = {}, defaultdict(set)
    for folder in sorted(os.listdir(base)):
        for name in sorted(os.listdir(os.path.join(base, folder))):
            if not name.endswith(".o"):
                continue
            out = subprocess.run(["nm", "-P", os.path.join(base, folder, name)],
                                 capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) < 2 or not parts[0].startswith("li_"):
                    continue
                if parts[1] == "U":
                    used[folder].add(parts[0])
                elif parts[1] in "TDBR":
                    defined[parts[0]] = folder
    problems = []
    for folder, syms in sorted(used.items()):
        for sym in sorted(syms):
            owner = defined.get(sym)
            if owner and owner != folder and rank.get(owner, 99) >= rank.get(folder, 99):
                problems.append(f"src/{folder} appelle {sym} de src/{owner} : un appel doit descendre")
    return problems


def main(root, build=None):
    src = os.path.join(root, "src")
    rank = {d: i for i, layer in enumerate(LAYERS) for d in layer}
    problems = []
    names = defaultdict(list)
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        if folder not in rank:
            problems.append(f"dossier src/{folder} absent des couches (scripts/check_layers.py, LAYERS)")
            continue
        for name in sorted(os.listdir(path)):
            file = os.path.join(path, name)
            if not os.path.isfile(file):
                continue
            names[name].append(f"src/{folder}/{name}")
            with open(file, encoding="utf-8", errors="replace") as f:
                for no, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    where = f"src/{folder}/{name}:{no}"
                    if inc.startswith("leadimport/"):
                        header = inc[len("leadimport/"):]
                        owner = OWNER.get(header)
                        if owner is None:
                            problems.append(f"{where}: en-tête public {inc} sans dossier (OWNER)")
                        elif owner != folder and rank.get(owner, 99) >= rank[folder]:
                            problems.append(
                                f"{where}: {folder} (couche {rank[folder]}) inclut {inc} "
                                f"de {owner} (couche {rank.get(owner)}) : une inclusion doit descendre")
                    elif "/" in inc and not inc.startswith(folder + "/"):
                        other = inc.split("/")[0]
                        if inc.endswith("Int.h"):
                            problems.append(f"{where}: en-tête privé d'un autre dossier : {inc}")
                        elif rank.get(other, 99) >= rank[folder]:
                            problems.append(
                                f"{where}: {folder} (couche {rank[folder]}) inclut {inc} "
                                f"(couche {rank.get(other)}) : une inclusion doit descendre")
    for name, where in sorted(names.items()):
        if len(where) > 1:
            problems.append(f"même nom de fichier dans plusieurs dossiers : {', '.join(where)}")
    if build:
        problems += symbols(build, rank)
    for p in problems:
        print(f"couches : {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else here,
                  sys.argv[2] if len(sys.argv) > 2 else None))
