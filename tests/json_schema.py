#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Validates a virtioctl JSON document against docs/schema/VERB.json; importable by any test, or run from a shell.
"""Usage: json_schema.py VERB FILE   (FILE '-' reads stdin)
       json_schema.py --every-verb VIRTIOCTL

Exits 0 when FILE holds one JSON document valid for `virtioctl VERB --json`
(its result, or an error object {"error": ..., "exit": N}); otherwise prints
the first problem with its JSON path and exits 1.  --every-verb checks that
every command `VIRTIOCTL help` lists has a schema, and that every schema is
itself valid.  See docs/json.md."""
import json
import os
import sys
import warnings

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'docs', 'schema')
_validators = {}


class Invalid(Exception):
    """The document is not JSON, or not valid for the verb's schema."""


def _load(name):
    with open(os.path.join(SCHEMA_DIR, name)) as f:
        return json.load(f)


def _validator(verb):
    """One validator per verb, with common.json resolvable as a relative $ref."""
    if verb in _validators:
        return _validators[verb]
    path = os.path.join(SCHEMA_DIR, verb + '.json')
    if not os.path.exists(path):
        raise Invalid(f'no schema for `{verb}`: add docs/schema/{verb}.json (see docs/json.md)')
    schema, common = _load(verb + '.json'), _load('common.json')
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    try:  # jsonschema >= 4.18 resolves references through `referencing`
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            [(n + '.json', Resource.from_contents(s)) for n, s in (('common', common), (verb, schema))])
        v = cls(schema, registry=registry)
    except ImportError:  # Debian 12's jsonschema 4.10
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            resolver = jsonschema.RefResolver(base_uri=f'file://{SCHEMA_DIR}/', referrer=schema,
                                              store={'common.json': common, f'file://{SCHEMA_DIR}/common.json': common})
            v = cls(schema, resolver=resolver)
    _validators[verb] = v
    return v


def _path(err):
    return '$' + ''.join(f'[{p}]' if isinstance(p, int) else f'.{p}' for p in err.absolute_path)


def check(verb, text):
    """Parses text (str, or an already-parsed document) and validates it; returns the document or raises Invalid."""
    if isinstance(text, (str, bytes)):
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise Invalid(f'`{verb}` output is not JSON ({e}): {text[:200]!r}') from None
    else:
        doc = text
    if isinstance(doc, dict) and 'error' in doc:
        verb_for_doc = 'error'
    else:
        verb_for_doc = verb
    errors = list(_validator(verb_for_doc).iter_errors(doc))
    if errors:
        # The deepest error inside oneOf/anyOf says more than "not valid under any of the given schemas".
        e = jsonschema.exceptions.best_match(errors)
        while e.context:
            e = jsonschema.exceptions.best_match(e.context)
        msg = e.message if len(e.message) < 300 else e.message[:300] + '...'
        raise Invalid(f'`{verb}` JSON does not follow docs/schema/{verb_for_doc}.json at {_path(e)}: {msg}')
    return doc


def verb_of(args):
    """The verb in a virtioctl argument list: the first word that is not a global option, or None."""
    takes_value = {'--color'}
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in takes_value:
            skip = True
            continue
        if a.startswith('-'):
            continue
        return a
    return None


def every_verb(exe):
    """Every command has docs/schema/VERB.json, and every schema file is a valid schema."""
    import re
    import subprocess
    out = subprocess.run([exe, 'help'], capture_output=True, text=True, timeout=30).stdout
    verbs = re.findall(r'^  ([a-z][a-z-]*) ', out.split('Commands:', 1)[1].split('\n\n', 1)[0], re.M)
    fails = [f'`{v}` has no docs/schema/{v}.json' for v in verbs
             if v != 'help' and not os.path.exists(os.path.join(SCHEMA_DIR, v + '.json'))]
    for f in sorted(os.listdir(SCHEMA_DIR)):
        if f.endswith('.json') and f != 'common.json':
            try:
                _validator(f[:-5])
            except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError) as e:
                fails.append(f'docs/schema/{f}: not a valid schema: {str(e)[:200]}')
    for m in fails:
        print(m)
    print(f'{len(verbs) - 1} commands, {len(fails)} schema problems')
    return 1 if fails or len(verbs) < 2 else 0


def main(argv):
    if len(argv) == 3 and argv[1] == '--every-verb':
        return every_verb(argv[2])
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    verb, name = argv[1], argv[2]
    text = sys.stdin.read() if name == '-' else open(name).read()
    try:
        check(verb, text)
    except Invalid as e:
        print(f'json_schema: {name}: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
