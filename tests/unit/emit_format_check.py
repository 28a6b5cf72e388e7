#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The compiler rejects an emit_*() text format that does not match the argument type the emitter passes.
"""Usage: emit_format_check.py SOURCE_ROOT CC [CC ARGS...]

Compiles (syntax only) a call with a matching format, which must pass, and
calls with wrong formats, each of which must fail with -Werror=format."""
import os
import subprocess
import sys
import tempfile

GOOD = r'''
#include "emit.h"
void f(struct emit *e);
void f(struct emit *e)
{
	emit_uint(e, "a", "%llu %%", 1);
	emit_uint(e, "a", NULL, 1);
	emit_int(e, "b", "%lld", -1);
	emit_hex(e, "c", "0x%04llx", 2);
	emit_str(e, "d", 1 ? "%s" : NULL, "x");
	emit_bool(e, "e", "%-3s", 1);
	emit_hex128(e, "f", "%s", 1, 2);
}
'''
BAD = ['emit_uint(e, "a", "%u", 1);', 'emit_str(e, "d", "%d", "x");', 'emit_hex(e, "c", "%s", 2);',
       'emit_bool(e, "e", "%d", 1);', 'emit_int(e, "b", "%llu %llu", 1);']


def compiles(cc, root, body):
    with tempfile.NamedTemporaryFile('w', suffix='.c', delete=False) as f:
        f.write(body)
    try:
        p = subprocess.run(cc + ['-std=c11', '-fsyntax-only', '-Wall', '-Werror=format', '-I',
                                 os.path.join(root, 'ring_decode'), f.name], capture_output=True, text=True)
        return p.returncode == 0, p.stderr
    finally:
        os.unlink(f.name)


def main():
    root, cc = sys.argv[1], sys.argv[2:]
    fails = []
    ok, err = compiles(cc, root, GOOD)
    if not ok:
        fails.append(f'matching formats are refused: {err.strip()[:400]}')
    for call in BAD:
        ok, _ = compiles(cc, root, GOOD.replace('emit_uint(e, "a", NULL, 1);', call))
        if ok:
            fails.append(f'a wrong format compiles: {call}')
    for m in fails:
        print(m)
    print(f'{1 + len(BAD)} snippets, {len(fails)} failures')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
