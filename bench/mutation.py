"""Mutation testing of the rule modules (issue 12): one command, a score per module.

    python bench/mutation.py                 # every rule module
    python bench/mutation.py deadlines rates # only these (names below)
    python bench/mutation.py --report        # print the scores of the last run, run nothing
    python bench/mutation.py --again         # after new tests: only the mutants the last run left
    nice -n 19 python bench/mutation.py walk --max-children 1   # on a shared machine

mutmut 3 (``[tool.mutmut]`` in pyproject.toml) copies ``assignment/`` and ``supervision/`` into
``mutants/``, mutates only the rule modules, maps each function to the fast SQLite tests that reach it
(one pass over the tests named there), then runs each mutant against only those tests. The scores are
printed per module and written to ``bench/out/mutation.json``; every survivor is listed with the
command that shows its diff (``mutmut show NAME``). Survivors that no test can kill are explained in
``bench/MUTATION.md``; any other survivor needs a new test.

Naming modules mutates only their files: mutmut is run with ``only_mutate`` narrowed to them (mutmut's
name patterns alone would still generate, count and show all ~3,200 mutants of every rule module), and
the other modules' results already in ``mutants/`` are kept, so modules can be run one by one.
A run of every module starts from a fresh ``mutants/`` (``--keep`` reuses it and the cached results)
so the copy is the tree as it is now. Needs the test extra (``pip install -c constraints.txt -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> the mutant names (an fnmatch pattern) of that rule's module, in the order a run takes them
# (each module its own mutmut run, so a run stopped early leaves whole modules judged).
MODULES = {
    "score_rules": "supervision.scoring.rules.*",  # totals, N/A, grade bands, vetoes, the sample
    "score_files": "supervision.scoring.files.*",  # score_settled: the appeal window
    "deadlines": "assignment.deadlines.*",  # the one deadline calculator and its table of limits
    "workdays": "assignment.workdays.*",  # working days, holidays, make-up days
    "eligibility": "assignment.rotation.who_may_take.*",  # who may take a case: kind, experience, ...
    "rates": "supervision.subsidies.rates.*",  # subsidy amounts
    "archive": "supervision.subsidies.archive.*",  # the one archive check
    "pool_clock": "assignment.rotation.pool_clock.*",  # the rotation order: keys, turns, parking
    "walk": "assignment.rotation.walk.*",  # the walk in key order, ties to the lowest id
    "assign": "assignment.rotation.assign.*",  # rotation, the window, designation, continuation
    "score_sheets": "supervision.scoring.sheets.*",  # the score computation and the review flow
}

KILLED = {1, 3}  # pytest failed (3: an error inside pytest, which the mutant caused)
TIMEOUT = {36, 24, -24, 152, 255}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}


def module_file(name: str) -> str:
    """The file of a module: ``assignment.deadlines.*`` -> ``assignment/deadlines.py``."""
    return MODULES[name].removesuffix(".*").replace(".", "/") + ".py"


def run_mutmut(files: list[str], names: list[str], max_children: int) -> int:
    """One mutmut run (in this process) that mutates only ``files`` and tests only ``names``.

    The mutated copies of ``files`` are made afresh (mutmut would otherwise take a plain copy left by a
    run of another module for an already-mutated file) and the test map is collected again (it holds
    only the functions mutated when it was made); every module's results (``*.py.meta``) are kept."""
    import mutmut.__main__ as mutmut_main
    from mutmut.configuration import config

    # Functions bench/MUTATION.md explains whole (``NAME__mutmut_*``: run once at import, before mutmut
    # can switch a mutant on) are left out: each of their mutants would run its tests for nothing.
    known, collect = explained(), mutmut_main.collect_source_file_mutation_data

    def collect_unexplained(*, mutant_names):
        mutants, by_path = collect(mutant_names=mutant_names)
        return [m for m in mutants if not is_explained(m[1], {k for k in known if k.endswith("*")})], by_path

    mutmut_main.collect_source_file_mutation_data = collect_unexplained
    os.chdir(ROOT)
    for file in files:
        (ROOT / "mutants" / file).unlink(missing_ok=True)
    (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    config().only_mutate = files
    try:
        mutmut_main._run(names, max_children)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return 0


def status(exit_code) -> str:
    if exit_code in KILLED:
        return "killed"
    if exit_code in TIMEOUT:
        return "timeout"  # the mutant looped: the tests caught it
    return STATUS.get(exit_code, "suspicious")


def results() -> dict[str, dict]:
    """{module file: {"mutants": n, "killed": n, "score": %, "survived": [names], ...}} from the meta
    files mutmut keeps beside each mutated module."""
    out = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        by_status: dict[str, list[str]] = {}
        for mutant, code in sorted(codes.items()):
            by_status.setdefault(status(code), []).append(mutant)
        checked = len(by_status.get("killed", [])) + len(by_status.get("timeout", []))
        judged = checked + len(by_status.get("survived", [])) + len(by_status.get("no tests", []))
        path = str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")
        out[path] = {
            "mutants": len(codes),
            "killed": checked,
            "score": round(100 * checked / judged, 1) if judged else None,
            **{k: v for k, v in by_status.items() if k not in ("killed", "timeout")},
        }
    return out


def explained() -> set[str]:
    """The mutants bench/MUTATION.md explains (equivalent: no behaviour changes), by their full names;
    ``NAME__mutmut_*`` explains every mutant of one function (code run once, when its module is
    imported, which mutmut cannot switch a mutant into)."""
    notes = ROOT / "bench" / "MUTATION.md"
    return set(re.findall(r"[\w.]+__mutmut_(?:\d+|\*)", notes.read_text())) if notes.exists() else set()


def is_explained(mutant: str, known: set[str]) -> bool:
    return mutant in known or mutant.rpartition("__mutmut_")[0] + "__mutmut_*" in known


def report(found: dict[str, dict]) -> int:
    """Print the scores and every mutant left; the number left that the notes do not explain."""
    known = explained()
    print(f"\n{'module':<40} {'mutants':>7} {'killed':>6} {'score':>6}  left (explained)")
    left = 0
    for path, r in found.items():
        rest = {k: len(v) for k, v in r.items() if isinstance(v, list)}
        ok = sum(1 for v in r.values() if isinstance(v, list) for m in v if is_explained(m, known))
        left += sum(rest.values()) - ok
        r["explained"] = ok
        score = "-" if r["score"] is None else f"{r['score']}%"
        print(f"{path:<40} {r['mutants']:>7} {r['killed']:>6} {score:>6}  {rest or ''} ({ok})")
    whole = {k for k in known if k.endswith("*")}
    for r in found.values():
        for kind in ("survived", "no tests", "suspicious", "not checked"):
            for mutant in r.get(kind, []):
                if mutant not in known and is_explained(mutant, whole):
                    continue  # a function explained whole: one line below
                note = " (explained in bench/MUTATION.md)" if is_explained(mutant, known) else ""
                print(f"  {kind}: mutmut show {mutant}{note}")
    for name in sorted(whole):
        print(f"  every mutant of {name.removesuffix('__mutmut_*')} (explained in bench/MUTATION.md)")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "mutation.json").write_text(json.dumps(found, indent=1))
    print(f"\n{left} mutant(s) left that no test kills and bench/MUTATION.md does not explain")
    return left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=", ".join(MODULES))
    parser.add_argument("--report", action="store_true", help="only print the last run's scores")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ and its cached results")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run once more only the mutants the last run left (after new tests), keeping the rest",
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # FILE... : NAME...: one mutmut run
    args = parser.parse_args()
    if args.child:
        split = args.child.index(":")
        return run_mutmut(args.child[:split], args.child[split + 1 :], args.max_children)
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown module(s) {', '.join(sorted(unknown))}; choose from {', '.join(MODULES)}")
    os.chdir(ROOT)
    if not args.report:
        if not (args.keep or args.again or args.modules):
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        env = {**os.environ, "LEGALAID_TEST_DATABASE_URL": ""}  # SQLite: the fast tests
        command = [sys.executable, __file__, "--max-children", str(args.max_children), "--child"]
        runs = {m: ([module_file(m)], [MODULES[m]]) for m in args.modules or MODULES}
        if args.again:
            done_before, known = results(), explained()
            again = {}
            for m, (files, _) in runs.items():
                left = [
                    mutant
                    for kind in ("survived", "no tests", "suspicious", "not checked")
                    for mutant in done_before.get(files[0], {}).get(kind, [])
                    if not is_explained(mutant, known)
                ]
                if left:
                    again[m] = (files, left)
            runs = again
        for module, (files, names) in runs.items():
            print(f"== {module}", flush=True)
            done = subprocess.run([*command, *files, ":", *names], env=env)
            if done.returncode:
                print(f"mutmut stopped with exit code {done.returncode}", file=sys.stderr)
                return done.returncode
    found = results()
    if args.modules:
        wanted = tuple(MODULES[m].removesuffix("*") for m in args.modules)
        found = {
            k: v
            for k, v in found.items()
            if (k.removesuffix(".py").replace("/", ".") + ".").startswith(wanted)
        }
    left = report(found)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
