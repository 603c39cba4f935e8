"""Run the OCI runtime-tools validation programs against one runtime and compare with known failures.

The suite itself (Go code) is built outside this repository; see docs/conformance.md. This runner only
executes the built programs the way the suite expects, reads their TAP output and tells apart the failures
we already know about (conformance/known-failures) from new ones.

    python conformance/runtime_tools.py --validation-dir /var/tmp/runtime-tools-src --runtime pyrunc
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pathlib
import shutil
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
KNOWN_FAILURES = HERE / "known-failures"


@dataclasses.dataclass
class Assertion:
    number: int
    ok: bool
    description: str
    directive: str = ""  # "skip" or "todo", lowercased, when present
    diagnostic: list[str] = dataclasses.field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.directive == "skip"

    @property
    def failed(self) -> bool:
        # A TODO failure is by definition expected by the suite's authors.
        return not self.ok and self.directive != "todo"


@dataclasses.dataclass
class TapResult:
    planned: int | None = None
    plan_skip: str = ""
    assertions: list[Assertion] = dataclasses.field(default_factory=list)
    bail_out: str = ""
    # YAML blocks that follow no assertion. Several programs report their only error this way and
    # then print `1..0` and exit 0, which plain TAP counts as a pass.
    orphan_diagnostics: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ProgramResult:
    name: str
    exit_status: int | None  # None when it timed out
    tap: TapResult
    seconds: float
    stderr: str
    # Failures not covered by known-failures, and known failures that did not happen.
    unexpected: list[str] = dataclasses.field(default_factory=list)
    expected: list[str] = dataclasses.field(default_factory=list)
    fixed: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    strict: bool = False  # count silent errors (see silent_errors) as failures

    @property
    def passed(self) -> int:
        return sum(1 for a in self.tap.assertions if a.ok and not a.skipped)

    @property
    def failed(self) -> int:
        return sum(1 for a in self.tap.assertions if a.failed)

    @property
    def skipped(self) -> int:
        return sum(1 for a in self.tap.assertions if a.skipped)

    @property
    def problem(self) -> str:
        """A failure of the program as a whole, beyond its individual assertions."""
        if self.exit_status is None:
            return "timed out"
        if self.tap.bail_out:
            return f"bailed out: {self.tap.bail_out}"
        if self.tap.planned is None:
            # The *_fail programs print nothing and exit 0 when the runtime rightly refused the config.
            if self.exit_status == 0 and not self.tap.assertions:
                return ""
            return f"no TAP plan (exit status {self.exit_status})"
        if self.tap.planned != len(self.tap.assertions):
            return f"planned {self.tap.planned} assertions, ran {len(self.tap.assertions)}"
        if self.exit_status != 0 and self.failed == 0:
            return f"exit status {self.exit_status} with no failing assertion"
        return ""

    @property
    def silent_errors(self) -> list[str]:
        """Errors the program reported only in a YAML block outside any assertion."""
        return [" ".join(d.split()) for d in self.tap.orphan_diagnostics if '"error"' in d or "error:" in d]

    @property
    def fully_passing(self) -> bool:
        return not self.problem and self.failed == 0 and not (self.strict and self.silent_errors)


def parse_tap(text: str) -> TapResult:
    """Parse TAP version 12/13 as written by github.com/mndrix/tap-go (plans, ok/not ok, YAML blocks)."""
    result = TapResult()
    in_yaml = False
    orphan = False
    last_was_plan = False
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if in_yaml:
            if stripped == "...":
                in_yaml = False
            elif result.assertions and not orphan:
                result.assertions[-1].diagnostic.append(stripped)
            else:
                result.orphan_diagnostics[-1] += stripped + "\n"
            continue
        if stripped == "---" and line.startswith(" "):
            in_yaml = True
            orphan = not result.assertions or last_was_plan
            if orphan:
                result.orphan_diagnostics.append("")
            continue
        last_was_plan = False
        if line.startswith("1.."):
            count, _, rest = line[3:].partition("#")
            try:
                planned = int(count.strip())
            except ValueError:
                continue
            # Some programs print several TAP streams (one header and plan each): count them all.
            result.planned = (result.planned or 0) + planned
            last_was_plan = True
            if rest.strip().lower().startswith("skip"):
                result.plan_skip = rest.strip()[4:].strip()
            continue
        if line.startswith("Bail out!"):
            result.bail_out = line[len("Bail out!"):].strip() or "bail out"
            continue
        ok = line.startswith("ok")
        if not (ok or line.startswith("not ok")):
            continue
        body = line[2:] if ok else line[6:]
        body, _, directive_text = body.partition(" # ")
        if not directive_text and body.lstrip().startswith("#"):
            # "ok 1 # skip reason" leaves an empty description before the directive.
            directive_text = body.lstrip()[1:]
            body = ""
        parts = body.strip().split(" ", 1)
        try:
            number = int(parts[0])
            description = parts[1] if len(parts) > 1 else ""
        except ValueError:
            number = len(result.assertions) + 1
            description = body.strip()
        description = description.removeprefix("- ").strip()
        word = directive_text.strip().split(" ", 1)[0].lower()
        directive = word if word in ("skip", "todo") else ""
        result.assertions.append(Assertion(number, ok, description, directive))
    return result


@dataclasses.dataclass
class KnownFailure:
    program: str
    assertion: int | None  # None: any failure of the program, including the program as a whole
    runtimes: tuple[str, ...]  # empty: every runtime
    reason: str

    def applies(self, runtime_name: str) -> bool:
        return not self.runtimes or runtime_name in self.runtimes


def load_known_failures(path: pathlib.Path) -> list[KnownFailure]:
    """Lines: `program[:N] [only=rt1,rt2] reason`; `#` starts a comment; blank lines ignored."""
    out: list[KnownFailure] = []
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(None, 1)
        target = fields[0]
        rest = fields[1] if len(fields) > 1 else ""
        runtimes: tuple[str, ...] = ()
        if rest.startswith("only="):
            only, _, rest = rest.partition(" ")
            runtimes = tuple(x for x in only[5:].split(",") if x)
        if not rest.strip():
            raise SystemExit(f"{path}:{lineno}: a known failure needs a reason")
        program, _, number = target.partition(":")
        out.append(KnownFailure(program, int(number) if number else None, runtimes, rest.strip()))
    return out


def classify(result: ProgramResult, known: list[KnownFailure], runtime_name: str) -> None:
    mine = [k for k in known if k.program == result.name and k.applies(runtime_name)]
    whole = [k for k in mine if k.assertion is None]
    by_number = {k.assertion: k for k in mine if k.assertion is not None}
    seen: set[int] = set()
    for a in result.tap.assertions:
        if not a.failed:
            continue
        label = f"{result.name}:{a.number} {a.description}"
        if a.number in by_number:
            seen.add(a.number)
            result.expected.append(f"{label} ({by_number[a.number].reason})")
        elif whole:
            result.expected.append(f"{label} ({whole[0].reason})")
        else:
            result.unexpected.append(label)
    if result.problem:
        label = f"{result.name}: {result.problem}"
        if whole:
            result.expected.append(f"{label} ({whole[0].reason})")
        elif by_number and result.failed:
            # The program stopped after a known failing assertion; the stop is part of that failure.
            result.expected.append(label)
        else:
            result.unexpected.append(label)
    for error in result.silent_errors:
        label = f"{result.name}: error outside any assertion: {error[:300]}"
        if not result.strict:
            result.warnings.append(label)
        elif whole:
            result.expected.append(f"{label} ({whole[0].reason})")
        else:
            result.unexpected.append(label)
    for number, k in by_number.items():
        if number not in seen:
            result.fixed.append(f"{result.name}:{number} ({k.reason})")
    if whole and result.fully_passing:
        result.fixed.append(f"{result.name} ({whole[0].reason})")


def find_programs(validation_dir: pathlib.Path) -> list[tuple[str, pathlib.Path]]:
    """Each `validation/<name>/<name>.t` (the Makefile's layout), or `<name>.t` directly in the dir."""
    found: dict[str, pathlib.Path] = {}
    for path in sorted(validation_dir.glob("validation/*/*.t")) + sorted(validation_dir.glob("*.t")):
        if path.parent.name == "util":
            continue
        found.setdefault(path.stem, path)
    return sorted(found.items())


def cleanup_leftovers(runtime: str) -> None:
    """Remove containers a timed-out program left behind (its own cleanup never ran).

    Only containers whose bundle is one of the suite's temporary bundles (`$TMPDIR/ocitest*`) are touched:
    the runtime's default state root may hold other people's containers.
    """
    import json
    import tempfile

    prefix = str(pathlib.Path(tempfile.gettempdir()) / "ocitest")
    listing = subprocess.run([runtime, "list", "-f", "json"], capture_output=True, text=True, timeout=30)
    try:
        entries = json.loads(listing.stdout or "[]") or []
    except ValueError:
        return
    for entry in entries:
        if str(entry.get("bundle", "")).startswith(prefix):
            subprocess.run([runtime, "delete", "--force", entry["id"]], capture_output=True, timeout=30)
            shutil.rmtree(entry["bundle"], ignore_errors=True)


def run_program(name: str, path: pathlib.Path, cwd: pathlib.Path, env: dict[str, str],
                timeout: float) -> ProgramResult:
    start = time.monotonic()
    # Each program is its own process group so that a timeout can end everything it started.
    proc = subprocess.Popen([str(path)], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        status: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        status = None
    return ProgramResult(name, status, parse_tap(out), time.monotonic() - start, err)


def runtime_name_of(runtime: str) -> str:
    return pathlib.Path(runtime).name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--validation-dir", required=True, type=pathlib.Path,
                        help="a built runtime-tools tree (runtimetest, rootfs-<arch>.tar.gz, "
                             "validation/*/*.t)")
    parser.add_argument("--runtime", required=True, help="runtime binary (name on PATH or path)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per program (default 120)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these programs")
    parser.add_argument("--known-failures", type=pathlib.Path, default=KNOWN_FAILURES)
    parser.add_argument("--runtime-name", help="name matched by `only=` in known-failures "
                        "(default: the binary's file name)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failing assertion's YAML")
    parser.add_argument("--strict", action="store_true",
                        help="count errors that a program reports outside any assertion (then prints "
                             "1..0 and exits 0) as failures; by default they are warnings")
    args = parser.parse_args(argv)

    if os.geteuid() != 0:
        parser.error("the validation suite must run as root")
    runtime = shutil.which(args.runtime) or args.runtime
    if not os.access(runtime, os.X_OK):
        parser.error(f"runtime {args.runtime!r} not found or not executable")
    vdir = args.validation_dir.resolve()
    if not (vdir / "runtimetest").is_file():
        parser.error(f"{vdir}/runtimetest is missing: build the suite first (docs/conformance.md)")
    programs = find_programs(vdir)
    if args.only:
        wanted = set(args.only)
        missing = wanted - {name for name, _ in programs}
        if missing:
            parser.error("no such program: " + ", ".join(sorted(missing)))
        programs = [(n, p) for n, p in programs if n in wanted]
    if not programs:
        parser.error(f"no validation programs under {vdir}")
    known = load_known_failures(args.known_failures)
    name = args.runtime_name or runtime_name_of(runtime)

    env = dict(os.environ, RUNTIME=runtime)
    results: list[ProgramResult] = []
    for prog, path in programs:
        res = run_program(prog, path, vdir, env, args.timeout)
        res.strict = args.strict
        classify(res, known, name)
        results.append(res)
        verdict = "PASS" if res.fully_passing else ("FAIL" if res.unexpected else "KNOWN")
        print(f"{verdict:5} {prog:40} {res.passed:3} ok {res.failed:3} not ok {res.skipped:3} skip"
              f" {res.seconds:6.1f}s" + (f"  [{res.problem}]" if res.problem else ""), flush=True)
        for line in res.unexpected:
            print(f"      unexpected: {line}")
        for line in res.warnings:
            print(f"      warning: {line}")
        if args.verbose:
            for a in res.tap.assertions:
                if a.failed:
                    print(f"      not ok {a.number} {a.description}")
                    for d in a.diagnostic:
                        print(f"        {d}")
            if res.stderr.strip():
                print("      stderr: " + res.stderr.strip().replace("\n", "\n              "))
        if res.exit_status is None:
            cleanup_leftovers(runtime)

    total = len(results)
    full = sum(1 for r in results if r.fully_passing)
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    unexpected = [u for r in results for u in r.unexpected]
    fixed = [f for r in results for f in r.fixed]
    print()
    print(f"runtime: {runtime} ({name})")
    print(f"programs fully passing: {full} of {total}")
    print(f"assertions: {passed} passed, {failed} failed, {skipped} skipped")
    print(f"known failures seen: {sum(len(r.expected) for r in results)}; unexpected: {len(unexpected)}")
    warnings = [w for r in results for w in r.warnings]
    if warnings:
        print(f"programs that passed by TAP but reported an error outside any assertion: {len(warnings)} "
              "(--strict counts them as failures)")
    if fixed:
        print("known failures that did not happen (consider removing them from known-failures):")
        for f in fixed:
            print(f"  {f}")
    if unexpected:
        print("unexpected failures:")
        for u in unexpected:
            print(f"  {u}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
