#!/usr/bin/env python3
"""Probes prunelab-cli with bad input, as an attacker and a careless user would, and counts what
went wrong per class of input: crashes (killed by a signal), hangs (no exit within the time
limit), files lost (a file the command was not asked to write changed or vanished, or an output
left half-written) and unclear messages (a refusal whose message is empty, longer than three
lines, shows a C++ backtrace or an internal assertion, or names neither the bad file nor the
bad option). A case that is accepted (exit 0) when it should have been refused also counts as
unclear. Prints the markdown table for docs/reliability.md.

    bench/reliability.py BUILD_DIR [--jobs N]
"""
import argparse
import concurrent.futures
import gzip
import hashlib
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import time

TIME_LIMIT = 120  # seconds per case: a data set read and a tiny training take a few
SMALL = ["--train-limit", "64", "--test-limit", "32"]


class Case:
    def __init__(self, kind, name, args, names=(), expect_ok=False, interrupt=None, setup=None):
        self.kind = kind          # the class in the table
        self.name = name
        self.args = args          # CLI arguments (after prunelab-cli)
        self.names = names        # a refusal must mention one of these (file, option, value)
        self.expect_ok = expect_ok
        self.interrupt = interrupt  # (signal, seconds) sent while running
        self.setup = setup        # called before running (fresh files)


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def snapshot(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue  # a FIFO would block the reader
            try:
                with open(path, "rb") as f:
                    out[path] = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                out[path] = "unreadable"
    return out


def make_cases(work, cli):
    cases = []
    rng = random.Random(16)
    ckpt = os.path.join(work, "model.pt")
    subprocess.run([cli, "train", "convnet", "--epochs", "1", *SMALL, "--out", ckpt],
                   check=True, capture_output=True)
    good = open(ckpt, "rb").read()
    script = os.path.join(work, "mlp.pt")
    subprocess.run(["/usr/bin/python3", "-c",
                    "import sys, torch, torch.nn as nn; torch.jit.script(nn.Sequential("
                    "nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))).save(sys.argv[1])", script],
                   check=True)
    good_script = open(script, "rb").read()
    out = os.path.join(work, "out", "result.pt")
    os.makedirs(os.path.dirname(out), exist_ok=True)

    # --- models: every command that reads a MODEL, with broken files ---
    bad_models = {
        "missing": None, "empty": b"", "text": b"not a model at all\n",
        "truncated half": good[: len(good) // 2], "truncated tail": good[:-100],
        "zip of nothing": b"PK\x05\x06" + b"\0" * 18,
    }
    for i in range(40):
        flipped = bytearray(good)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        bad_models[f"checkpoint byte flip {i}"] = bytes(flipped)
    for i in range(30):
        flipped = bytearray(good_script)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        bad_models[f"TorchScript byte flip {i}"] = bytes(flipped)
    for label, data in bad_models.items():
        path = os.path.join(work, "models", label.replace(" ", "_") + ".pt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if data is not None:
            write(path, data)
        for command in (["info", path], ["eval", path, *SMALL],
                        ["prune", path, "--rate", "0.5", *SMALL, "--out", out]):
            # A flip that changes nothing read (padding, a timestamp) may load: both are fine
            # as long as what loads is the same model; the checks in tests/ prove that part.
            cases.append(Case("models", f"{command[0]} {label}", command, names=[path],
                              expect_ok=None if "flip" in label else False))
    fifo = os.path.join(work, "models", "fifo.pt")
    os.mkfifo(fifo)
    for command in (["info", fifo], ["eval", fifo, *SMALL]):
        cases.append(Case("models", f"{command[0]} FIFO", command, names=[fifo]))
    cases.append(Case("models", "info a directory", ["info", work], names=[work]))
    cases.append(Case("models", "info /dev/zero", ["info", "/dev/zero"], names=["/dev/zero"]))
    pickle = os.path.join(work, "models", "state_dict.pt")
    subprocess.run(["/usr/bin/python3", "-c", "import sys, torch; torch.save({'w': torch.ones(2)}, sys.argv[1])",
                    pickle], check=True)
    cases.append(Case("models", "a torch.save pickle", ["info", pickle], names=[pickle]))
    cases.append(Case("models", "TorchScript, no input shape", ["eval", script, *SMALL], names=[script, "input-shape"]))
    cases.append(Case("models", "wrong --input-shape", ["info", script, "--input-shape", "3,28,28"], names=[script, "3×28×28", "3,28,28"]))

    # --- data ---
    data_dir = os.path.join(work, "data")
    def idx_dir(name, images, labels, test_images=None, test_labels=None):
        folder = os.path.join(data_dir, name)
        os.makedirs(folder, exist_ok=True)
        write(os.path.join(folder, "train-images-idx3-ubyte"), images)
        write(os.path.join(folder, "train-labels-idx1-ubyte"), labels)
        write(os.path.join(folder, "t10k-images-idx3-ubyte"), test_images or images)
        write(os.path.join(folder, "t10k-labels-idx1-ubyte"), test_labels or labels)
        return folder
    ok_images = idx([8, 28, 28], bytes(8 * 784))
    ok_labels = idx([8], bytes(range(8)))
    data_cases = {
        "truncated images": idx_dir("trunc", ok_images[:-10], ok_labels),
        "wrong magic": idx_dir("magic", b"\1\2" + ok_images[2:], ok_labels),
        "float IDX": idx_dir("float", b"\0\0\x0d\3" + ok_images[4:], ok_labels),
        "count mismatch": idx_dir("count", ok_images, idx([7], bytes(7))),
        "label 255": idx_dir("label", ok_images, idx([8], bytes([255] * 8))),
        "huge header": idx_dir("huge", idx([2**31 - 1, 28, 28], b""), ok_labels),
        "five dimensions": idx_dir("dims", b"\0\0\x08\x05" + b"\0\0\0\1" * 5, ok_labels),
        "missing folder": os.path.join(data_dir, "nope"),
    }
    bomb = os.path.join(data_dir, "bomb")
    os.makedirs(bomb, exist_ok=True)
    with gzip.open(os.path.join(bomb, "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(idx([2_000_000, 28, 28], b""))
        chunk = bytes(784 * 1000)
        for _ in range(2000):
            f.write(chunk)
    write(os.path.join(bomb, "train-labels-idx1-ubyte"), idx([2_000_000], bytes(2_000_000)))
    write(os.path.join(bomb, "t10k-images-idx3-ubyte"), ok_images)
    write(os.path.join(bomb, "t10k-labels-idx1-ubyte"), ok_labels)
    for label, folder in data_cases.items():
        cases.append(Case("data", f"mnist {label}", ["eval", ckpt, "--data", "mnist:" + folder, *SMALL],
                          names=[folder]))
    cases.append(Case("data", "1.5 GB gzip IDX under --max-memory 100M",
                      ["eval", ckpt, "--data", "mnist:" + bomb, "--max-memory", "100M"], names=[bomb]))
    cases.append(Case("data", "1.5 GB gzip IDX, limited", ["eval", ckpt, "--data", "mnist:" + bomb,
                      "--val-fraction", "0", "--train-limit", "100", "--test-limit", "8"], expect_ok=True))
    for spec in ["synthetic:1,100000,100000", "synthetic:0,28,28", "synthetic:-1", "synthetic:a,b,c",
                 "cifar10:" + data_dir, "images:" + data_dir, "tensors:" + ckpt, "tensors:/nonexistent.pt",
                 "bogus", "mnist:" + fifo]:
        cases.append(Case("data", f"--data {spec}", ["eval", ckpt, "--data", spec, *SMALL],
                          names=[spec.split(":", 1)[-1], spec, spec.split(":", 1)[0]]))
    cases.append(Case("data", "synthetic --train-limit 1e12",
                      ["train", "lenet300", "--data", "synthetic:1,8,8", "--train-limit", "1000000000000",
                       "--out", out], names=["train-limit", "1000000000000"]))

    # --- numbers: every numeric option, out of range or not a number ---
    numbers = {
        "--epochs": ["0", "-1", "4294967297", "1e3", "nan", "x"],
        "--batch": ["0", "-5", "9223372036854775807", "1.5"],
        "--lr": ["-1", "nan", "inf", "0", "x"],
        "--seed": ["-1", "18446744073709551616", "x"],
        "--threads": ["0", "-2", "100000"],
        "--train-limit": ["-1", "x", "1.5"],
        "--val-fraction": ["1", "-0.1", "nan", "2"],
    }
    for option, values in numbers.items():
        for value in values:
            # --threads 0 means every core: a valid value.
            cases.append(Case("numbers", f"train {option} {value}",
                              ["train", "lenet300", "--data", "synthetic:1,28,28", *SMALL, option, value,
                               "--out", out], names=[option],
                              expect_ok=None if (option, value) == ("--threads", "0") else False))
    for option, values in {"--rate": ["1.5", "-0.1", "nan", "x", "1"], "--threshold": ["nan", "x"],
                           "--steps": ["0", "-1", "x"], "--calibration-batches": ["0", "-1"],
                           "--round-to": ["7", "0"], "--max-layer-rate": ["0", "1.5"],
                           "--finetune-epochs": ["-1", "x"], "--layer-rate": ["fc1=2", "nosuch=0.5", "fc1"]}.items():
        for value in values:
            args = ["prune", ckpt, *SMALL, option, value, "--out", out]
            if option != "--rate":
                args += ["--rate", "0.5"] if option not in ("--threshold", "--layer-rate") else []
            # 100% leaves each layer one element (refused only where that is impossible);
            # --round-to 0 is the default, no rounding.
            expect = (option, value) in (("--rate", "1"), ("--round-to", "0"))
            cases.append(Case("numbers", f"prune {option} {value}", args, names=[option, value.split("=")[0]],
                              expect_ok=None if expect else False))

    # --- recipes ---
    recipe_dir = os.path.join(work, "recipes")
    os.makedirs(recipe_dir, exist_ok=True)
    base_recipe = {"format": "prunelab-recipe", "format_version": 2, "model": ckpt, "data": "fashion-mnist",
                   "train_limit": 64, "test_limit": 32, "criterion": "l1", "granularity": "weight",
                   "allocation": {"rate": 0.5}, "exports": {"checkpoint": "r.pt"}}
    victim = write(os.path.join(work, "victim.txt"), b"an unrelated file\n")
    variants = {
        "absolute export": {"exports": {"report": victim}},
        "../ export": {"exports": {"report": "../victim.txt"}},
        "deep nesting": None,
        "unknown field": {"frobnicate": 1},
        "rate 1.5": {"allocation": {"rate": 1.5}},
        "rate string": {"allocation": {"rate": "half"}},
        "no exports": {"exports": {}},
        "newer version": {"format_version": 99},
        "unknown criterion": {"criterion": "psychic"},
        "export to /dev/null": {"exports": {"checkpoint": "/dev/null"}},
        "model missing": {"model": "/nonexistent.pt"},
        "optimizer bogus": {"finetune": {"epochs": 1, "optimizer": "bogus"}},
    }
    for label, change in variants.items():
        path = os.path.join(recipe_dir, label.replace(" ", "_").replace("/", "_") + ".json")
        if change is None:
            write(path, b"[" * 100000 + b"]" * 100000)
        else:
            recipe = json.loads(json.dumps(base_recipe))
            recipe.update(change)
            write(path, json.dumps(recipe).encode())
        cases.append(Case("recipes", label, ["run", path], names=[path]))
    for label in ["empty", "not json", "truncated"]:
        path = os.path.join(recipe_dir, label.replace(" ", "_") + ".json")
        write(path, {"empty": b"", "not json": b"{model: x}", "truncated": json.dumps(base_recipe).encode()[:40]}[label])
        cases.append(Case("recipes", label, ["run", path], names=[path]))

    # --- outputs ---
    keep = os.path.join(work, "keep.pt")
    def fresh_keep():
        write(keep, good)
    for label, target in {"/dev/null": "/dev/null", "/dev/full": "/dev/full", "a directory": work,
                          "a FIFO": fifo, "missing folder": "/nonexistent/dir/x.pt", "the input": keep}.items():
        cases.append(Case("outputs", f"prune --out {label}",
                          ["prune", keep, "--rate", "0.5", *SMALL, "--out", target], names=[target],
                          setup=fresh_keep))
    cases.append(Case("outputs", "export --state-dict over its MODEL",
                      ["export", keep, "--state-dict", keep], names=[keep], setup=fresh_keep))
    cases.append(Case("outputs", "export the same file twice",
                      ["export", keep, "--state-dict", out + ".a", "--masks", out + ".a"], names=[out + ".a"],
                      setup=fresh_keep))
    cases.append(Case("outputs", "export, last output unwritable",
                      ["export", keep, "--state-dict", out + ".sd", "--report", "/nonexistent/r.json"],
                      names=["/nonexistent/r.json"], setup=fresh_keep))
    cases.append(Case("outputs", "train --out over its MODEL",
                      ["train", keep, "--epochs", "1", *SMALL, "--out", keep], names=[keep], setup=fresh_keep))

    # --- signals ---
    for delay in (0.5, 1.5, 3.0):
        cases.append(Case("signals", f"SIGINT after {delay} s of train", ["train", "lenet300", "--epochs", "3",
                          "--train-limit", "4000", "--out", keep], interrupt=(signal.SIGINT, delay),
                          setup=fresh_keep, expect_ok=None))
        cases.append(Case("signals", f"SIGKILL after {delay} s of prune", ["prune", keep, "--rate", "0.5",
                          "--finetune-epochs", "1", "--train-limit", "4000", "--test-limit", "200", "--out", keep + ".out"],
                          interrupt=(signal.SIGKILL, delay), setup=fresh_keep, expect_ok=None))
    return cases


def unclear(message, names):
    text = message.strip()
    if not text:
        return "no message"
    if "frame #" in text or "INTERNAL ASSERT" in text or "Exception raised from" in text:
        return "C++ backtrace"
    if text.count("\n") > 2:
        return "longer than three lines"
    if names and not any(str(n) in text for n in names):
        return "names neither the file nor the option"
    return None


def run_case(case, cli, work):
    if case.setup:
        case.setup()
    before = snapshot(work)
    start = time.monotonic()
    process = subprocess.Popen([cli, *case.args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=work, start_new_session=True)
    try:
        if case.interrupt:
            sig, delay = case.interrupt
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                process.send_signal(sig)
        out, err = process.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return case, "hang", f"no exit within {TIME_LIMIT} s"
    code = process.returncode
    err = err.decode(errors="replace")
    after = snapshot(work)
    # Files the command was asked to write may change, unless one is also what it reads.
    output_flags = {"--out", "--state-dict", "--masks", "--report", "--save-recipe", "--io-sample",
                    "--netron", "--plot", "--csv"}
    outputs = {case.args[i + 1] for i, a in enumerate(case.args[:-1]) if a in output_flags}
    outputs.discard(case.args[1] if len(case.args) > 1 else None)
    lost = [p for p, digest in before.items() if p not in outputs and after.get(p) != digest]
    killed = case.interrupt and case.interrupt[0] == signal.SIGKILL
    temporaries = [p for p in after if p not in before and os.path.basename(p).startswith(".")
                   and ".tmp" in os.path.basename(p)]
    if not killed:  # a killed save may leave one; the next write there removes it
        lost += [p + " (temporary left behind)" for p in temporaries]
    if lost:
        return case, "file lost", ", ".join(lost)
    if case.interrupt:
        sig = case.interrupt[0]
        if code < 0 and -code != sig:
            return case, "crash", f"signal {-code}"
        return case, "ok", ""
    if code < 0:
        return case, "crash", f"signal {-code}: {err[-300:]}"
    if case.expect_ok is True:
        return (case, "ok", "") if code == 0 else (case, "unclear", "refused: " + err.strip()[:200])
    if code == 0:
        if case.expect_ok is None:
            return case, "ok", ""
        return case, "unclear", "accepted with exit 0"
    problem = unclear(err, case.names)
    return (case, "unclear", f"{problem}: {err.strip()[:300]}") if problem else (case, "ok", "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cli = os.path.abspath(os.path.join(args.build, "app", "prunelab-cli"))
    with tempfile.TemporaryDirectory() as work:
        cases = make_cases(work, cli)
        results = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            # Cases that share files (outputs, signals) run one at a time; the rest in parallel.
            shared = [c for c in cases if c.setup]
            results += list(pool.map(lambda c: run_case(c, cli, work), [c for c in cases if not c.setup]))
            results += [run_case(c, cli, work) for c in shared]
    kinds = []
    for case, _, _ in results:
        if case.kind not in kinds:
            kinds.append(case.kind)
    print("| class | cases | crashes | hangs | files lost | unclear messages |")
    print("|---|---|---|---|---|---|")
    totals = [0] * 5
    for kind in kinds:
        rows = [r for r in results if r[0].kind == kind]
        counts = [len(rows)] + [sum(1 for r in rows if r[1] == k) for k in ("crash", "hang", "file lost", "unclear")]
        totals = [a + b for a, b in zip(totals, counts)]
        print(f"| {kind} | " + " | ".join(map(str, counts)) + " |")
    print("| **all** | " + " | ".join(f"**{t}**" for t in totals) + " |")
    print()
    for case, verdict, detail in results:
        if verdict != "ok":
            print(f"- {verdict}: {case.kind} / {case.name}: {detail}")
    return 0 if totals[1] == totals[2] == totals[3] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
