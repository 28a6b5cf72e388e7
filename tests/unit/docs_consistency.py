#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Fails when help text, man pages and bash/zsh/fish completions disagree on commands or options.
"""Usage: docs_consistency.py VIRTIOCTL SOURCE_ROOT

The binary's help is generated from each verb's option table; the man pages
and completion scripts are written by hand.  This test extracts the command
and option sets from all five and reports every difference, one line each."""
import os
import re
import subprocess
import sys

LONG = re.compile(r'(?<![\w-])--([a-z0-9][a-z0-9-]*)(?![\w])')


def run(exe, *args):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise SystemExit(f'virtioctl {" ".join(args)}: exit {p.returncode}: {p.stderr.strip()}')
    return p.stdout


def help_commands(exe):
    out = run(exe, 'help')
    m = re.search(r'^Commands:\n(.*?)\n\n', out, re.S | re.M)
    return [l.split()[0] for l in m.group(1).splitlines() if l.strip()]


def help_section_opts(text, title):
    m = re.search(rf'^{title}:\n(.*?)(?:\n\n|\Z)', text, re.S | re.M)
    if not m:
        return set()
    return {LONG.search(l).group(1) for l in m.group(1).splitlines() if LONG.search(l)}


def man_section(path, name):
    text = open(path).read()
    m = re.search(rf'^\.SH "?{name}"?\n(.*?)(?=^\.SH |\Z)', text, re.S | re.M)
    return m.group(1) if m else ''


def man_tp_items(section):
    """The line after each .TP, with roff escapes for '-' undone."""
    lines = section.splitlines()
    return [lines[i + 1].replace('\\-', '-') for i, l in enumerate(lines[:-1]) if l.startswith('.TP')]


def man_opts(section):
    return {m.group(1) for item in man_tp_items(section) for m in LONG.finditer(item)}


def bash_words(text, var):
    m = re.search(rf'^\s*{re.escape(var)}="([^"]*)"', text, re.M)
    return None if m is None else {w[2:] if w.startswith("--") else w for w in m.group(1).split()}


def zsh_opts(text, func):
    m = re.search(rf'^{re.escape(func)}\(\) \{{\n(.*?)^\}}', text, re.S | re.M)
    if not m:
        return None
    return {x for x in re.findall(r"--([a-z0-9][a-z0-9-]*)(?==|\[|\})", m.group(1))}


def zsh_commands(text):
    m = re.search(r'^_virtioctl_commands\(\) \{\n(.*?)^\}', text, re.S | re.M)
    return set(re.findall(r"'([a-z-]+):", m.group(1))) if m else None


def fish_opts(text, cond):
    opts = set()
    for l in text.splitlines():
        if not l.startswith('complete -c virtioctl'):
            continue
        has_cond = f"__fish_seen_subcommand_from {cond}'" in l if cond else ' -n ' not in l
        if has_cond:
            opts |= set(re.findall(r' -l (\S+)', l))
    return opts


def fish_commands(text):
    cmds = set()
    for l in text.splitlines():
        if '__virtioctl_needs_command' in l:
            m = re.search(r" -a '?([a-z-]+)'?", l)
            if m:
                cmds.add(m.group(1))
    return cmds


def main():
    exe, root = sys.argv[1], sys.argv[2]
    errors = []

    def same(what, where, got, want):
        if got is None:
            errors.append(f'{what}: missing in {where}')
            return
        for x in sorted(want - got):
            errors.append(f'{what}: {x} missing in {where}')
        for x in sorted(got - want):
            errors.append(f'{what}: {x} in {where} but not in the help text')

    commands = help_commands(exe)
    verbs = [c for c in commands if c != 'help']
    bash = open(os.path.join(root, 'completions/virtioctl.bash')).read()
    zsh = open(os.path.join(root, 'completions/_virtioctl')).read()
    fish = open(os.path.join(root, 'completions/virtioctl.fish')).read()
    main_man = os.path.join(root, 'man/virtioctl.8')

    cmd_set = set(commands)
    man_cmds = {item.split()[1] for item in man_tp_items(man_section(main_man, 'COMMANDS'))
                if item.startswith('.B ')}
    same('commands', 'virtioctl.8', man_cmds, cmd_set)
    same('commands', 'bash completion', bash_words(bash, '_virtioctl_commands'), cmd_set)
    same('commands', 'zsh completion', zsh_commands(zsh), cmd_set)
    same('commands', 'fish completion', fish_commands(fish), cmd_set)

    globals_ = help_section_opts(run(exe, verbs[0], '--help'), 'Global options')
    same('global options', 'virtioctl.8', man_opts(man_section(main_man, 'GLOBAL OPTIONS')), globals_)
    same('global options', 'bash completion', bash_words(bash, '_virtioctl_global_opts'), globals_)
    same('global options', 'zsh completion', zsh_opts(zsh, '_virtioctl_global'), globals_)
    same('global options', 'fish completion', fish_opts(fish, None), globals_)

    for v in verbs:
        text = run(exe, v, '--help')
        opts = help_section_opts(text, 'Options')
        if help_section_opts(text, 'Global options') != globals_:
            errors.append(f'{v}: its global options differ from {verbs[0]}\'s')
        page = os.path.join(root, f'man/virtioctl-{v}.8')
        if not os.path.exists(page):
            errors.append(f'{v}: no man page man/virtioctl-{v}.8')
        else:
            same(f'{v} options', f'virtioctl-{v}.8', man_opts(man_section(page, 'OPTIONS')), opts)
        same(f'{v} options', 'bash completion', bash_words(bash, f'_virtioctl_opts_{v}'), opts)
        same(f'{v} options', 'zsh completion', zsh_opts(zsh, f'_virtioctl_{v}'), opts)
        same(f'{v} options', 'fish completion', fish_opts(fish, v), opts)

    # Every page must also render without groff warnings (bad macros, escapes, fonts).
    for page in sorted(f for f in os.listdir(os.path.join(root, 'man')) if f.endswith('.8')):
        p = subprocess.run(['groff', '-man', '-ww', '-z', os.path.join(root, 'man', page)],
                           capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'))
        for line in (p.stderr.strip().splitlines() if p.stderr.strip() else []):
            errors.append(f'{page}: groff: {line}')
        if p.returncode != 0 and not p.stderr.strip():
            errors.append(f'{page}: groff exited {p.returncode}')

    for e in errors:
        print(e)
    print(f'{len(verbs)} commands checked, {len(errors)} disagreements')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
