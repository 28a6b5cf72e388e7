#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs virtioctl once and checks exit status, stdout against a golden file, JSON validity and stderr.
"""Usage: cli_check.py EXE [--exit N] [--golden FILE] [--json] [--stderr-re RE]
                          [--stdout-re RE] [--stdin FILE] -- ARGS...

--golden compares stdout byte for byte (set VIRTIOCTL_UPDATE_GOLDEN=1 to
rewrite the file after reviewing a deliberate change).  --json requires stdout
to be JSON; whenever ARGS ask for JSON (--json, -j, --pretty, -p), stdout is
validated against the verb's schema in docs/schema (an error document too).  --stderr-re / --stdout-re search with a regular expression.
Every failure prints one line saying what was expected and what was seen."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import json_schema  # noqa: E402

JSON_FLAGS = {'--json', '-j', '--pretty', '-p'}


def main():
    argv = sys.argv[1:]
    if '--' not in argv or not argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = argv.index('--')
    opts, args = argv[:sep], argv[sep + 1:]
    exe = opts.pop(0)
    want_exit, golden, want_json, stdin_file = 0, None, False, None
    stderr_res, stdout_res = [], []
    while opts:
        o = opts.pop(0)
        if o == '--exit':
            want_exit = int(opts.pop(0))
        elif o == '--golden':
            golden = opts.pop(0)
        elif o == '--json':
            want_json = True
        elif o == '--stderr-re':
            stderr_res.append(opts.pop(0))
        elif o == '--stdout-re':
            stdout_res.append(opts.pop(0))
        elif o == '--stdin':
            stdin_file = opts.pop(0)
        else:
            print(f'cli_check: unknown option {o}', file=sys.stderr)
            return 2
    env = dict(os.environ, NO_COLOR='1', LC_ALL='C')
    stdin = open(stdin_file, 'rb') if stdin_file else subprocess.DEVNULL
    p = subprocess.run([exe] + args, stdin=stdin, capture_output=True, env=env, timeout=120)
    out, err = p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    cmd = ' '.join(['virtioctl'] + args)
    fails = []
    if p.returncode != want_exit:
        fails.append(f'{cmd}: exit {p.returncode}, expected {want_exit}; stderr: {err.strip()[:300]}')
    if p.returncode < 0:
        fails.append(f'{cmd}: killed by signal {-p.returncode}')
    for r in stderr_res:
        if not re.search(r, err):
            fails.append(f'{cmd}: stderr does not match /{r}/: {err.strip()[:300]!r}')
    for r in stdout_res:
        if not re.search(r, out, re.M):
            fails.append(f'{cmd}: stdout does not match /{r}/: {out[:300]!r}')
    asked_json = any(a in JSON_FLAGS for a in (args[:args.index('--')] if '--' in args else args))
    if want_json or (asked_json and out.strip()):
        verb = json_schema.verb_of(args)
        try:
            json_schema.check(verb or 'error', out)
        except json_schema.Invalid as e:
            fails.append(f'{cmd}: {e}')
    if asked_json and p.returncode not in (0, 1) and not out.strip():
        fails.append(f'{cmd}: exit {p.returncode} under --json but no {{"error": ...}} document on stdout')
    if golden:
        if os.environ.get('VIRTIOCTL_UPDATE_GOLDEN') == '1':
            with open(golden, 'w') as f:
                f.write(out)
        else:
            with open(golden) as f:
                want = f.read()
            if out != want:
                ol, wl = out.splitlines(), want.splitlines()
                for i in range(max(len(ol), len(wl))):
                    a = wl[i] if i < len(wl) else '<end>'
                    b = ol[i] if i < len(ol) else '<end>'
                    if a != b:
                        fails.append(f'{cmd}: differs from {os.path.basename(golden)} at line {i + 1}: '
                                     f'expected {a!r}, got {b!r}')
                        break
    for f in fails:
        print(f)
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
