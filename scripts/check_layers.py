#!/usr/bin/env python3
"""Checks PruneLab's include layering; exits 1 and names each violation.

Rules (docs/architecture.md):
  * engine/ is a stack of folders, bottom to top: core, data, models, interop, training,
    pruning, compaction, export, session. A file includes engine headers only from its own
    folder or from folders below it.
  * widgets/ include no engine header at all (they take plain data).
  * app/gui/ includes engine headers only from session/ and core/, and nothing it reaches
    through its quoted includes may include a LibTorch header (torch/, ATen/, c10/, caffe2/):
    the window sees the engine through the torch-free session API.
  * engine/ includes nothing from app/ or widgets/, and no Qt header.
Usage: check_layers.py [ROOT]
"""
import os
import re
import sys

STACK = ["core", "data", "models", "interop", "training", "pruning", "compaction", "export",
         "session"]
RANK = {name: i for i, name in enumerate(STACK)}
QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ANGLED = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)
TORCH = ("torch/", "ATen/", "c10/", "caffe2/")
QT = re.compile(r"^Q[A-Za-z]+$|^Qt[A-Za-z]*/")
SOURCE = (".h", ".cpp", ".hpp", ".cc")


def sources(root, top):
    for folder, _, files in os.walk(os.path.join(root, top)):
        for name in sorted(files):
            if name.endswith(SOURCE):
                yield os.path.relpath(os.path.join(folder, name), root)


def includes(root, path, cache={}):
    if path not in cache:
        try:
            with open(os.path.join(root, path), encoding="utf-8") as f:
                text = f.read()
        except OSError:
            text = ""
        cache[path] = (QUOTED.findall(text), ANGLED.findall(text))
    return cache[path]


def resolve(root, name):
    """A quoted include as a path from the root ("engine/core/version.h" is generated)."""
    if os.path.exists(os.path.join(root, name)):
        return name
    return None


def engine_folder(path):
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "engine":
        return parts[1]
    return None


def check(root):
    problems = []
    for path in sources(root, "engine"):
        folder = engine_folder(path)
        quoted, angled = includes(root, path)
        if folder is None:
            if os.path.basename(path) != "pch.h":
                problems.append(f"{path}: engine files live in one of the folders {', '.join(STACK)}")
            continue
        if folder not in RANK:
            problems.append(f"{path}: '{folder}' is not a layer ({', '.join(STACK)})")
            continue
        for name in quoted:
            if name.startswith(("app/", "widgets/")):
                problems.append(f"{path}: includes {name} (the engine knows nothing of the app)")
                continue
            target = engine_folder(name)
            if target is None:
                continue
            if target not in RANK:
                problems.append(f"{path}: includes {name} from an unknown layer '{target}'")
            elif RANK[target] > RANK[folder]:
                problems.append(f"{path}: includes {name}, but {target}/ sits above {folder}/")
        for name in angled:
            if QT.match(name):
                problems.append(f"{path}: includes <{name}> (the engine is Qt-free)")

    for top in ("widgets", "app/gui"):
        for path in sources(root, top):
            quoted, _ = includes(root, path)
            for name in quoted:
                if not name.startswith("engine/"):
                    continue
                if top == "widgets":
                    problems.append(f"{path}: includes {name} (widgets take plain data, no engine)")
                elif engine_folder(name) not in ("session", "core"):
                    problems.append(f"{path}: includes {name} (the window uses engine/session/ and engine/core/ only)")
            # Follow every quoted include: no path may reach LibTorch.
            seen, todo, parent = {path}, [path], {path: None}
            while todo:
                current = todo.pop()
                quoted, angled = includes(root, current)
                for name in angled:
                    if name.startswith(TORCH):
                        chain, node = [], current
                        while node:
                            chain.append(node)
                            node = parent[node]
                        problems.append(f"{path}: reaches <{name}> via {' <- '.join(chain)}")
                for name in quoted:
                    found = resolve(root, name)
                    if found and found not in seen:
                        seen.add(found)
                        parent[found] = current
                        todo.append(found)
    return problems


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    problems = check(root)
    for problem in problems:
        print(f"layering: {problem}", file=sys.stderr)
    if problems:
        print(f"layering: {len(problems)} violation(s); see docs/architecture.md", file=sys.stderr)
        return 1
    print("layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
