#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# top's textfile read by the real thing: Debian's prometheus-node-exporter on a loopback port, scraped over HTTP.
"""Usage: top_prometheus.py VIRTIOCTL PROM_FIXTURE

Starts node_exporter with only the textfile collector, pointed at a
temporary directory; writes there (1) the metrics of a hand-built model
with every metric kind (prom_fixture) and (2) what `top --textfile`
writes on this host; scrapes /metrics and checks the samples with their
labels and values, and node_textfile_scrape_error 0.  Exits 77 without
node_exporter."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

exe, fixture = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
exporter = shutil.which('prometheus-node-exporter') or shutil.which('node_exporter')
if not exporter:
    print('prometheus-node-exporter is not installed (scripts/install-deps.sh)')
    sys.exit(77)
fails = []


def fail(msg):
    fails.append(msg)
    print('FAIL:', msg)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def scrape(port):
    with urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=10) as r:
        return r.read().decode()


def samples(text):
    """{(name, frozenset(labels)): value} of every sample line."""
    out = {}
    for line in text.splitlines():
        if line.startswith('#') or not line.strip():
            continue
        m = re.match(r'([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$', line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ''))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def want(s, name, labels, value):
    key = (name, frozenset(labels.items()))
    if key not in s:
        fail(f'{name}{labels} missing')
    elif s[key] != value:
        fail(f'{name}{labels} = {s[key]}, expected {value}')


tmp = tempfile.mkdtemp(prefix='virtioctl-prom-')
port = free_port()
proc = subprocess.Popen([exporter, '--collector.disable-defaults', '--collector.textfile',
                         f'--collector.textfile.directory={tmp}', f'--web.listen-address=127.0.0.1:{port}'],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
try:
    subprocess.run([fixture, os.path.join(tmp, 'fixture.prom')], check=True, timeout=30)
    if [f for f in os.listdir(tmp) if f != 'fixture.prom']:
        fail(f'temporary files left behind: {os.listdir(tmp)}')
    top = subprocess.run([exe, 'top', '--source', 'procfs', '-n', '2', '-d', '0.3',
                          '--textfile', os.path.join(tmp, 'host.prom')],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    if top.returncode != 0 or top.stdout:
        fail(f'top --textfile without a terminal: exit {top.returncode}, stdout {top.stdout[:200]!r}')
    for _ in range(50):
        try:
            text = scrape(port)
            break
        except OSError:
            time.sleep(0.2)
    else:
        raise SystemExit(f'node_exporter did not answer: {proc.stderr.read() if proc.poll() is not None else ""}')
    s = samples(text)
    if s.get(('node_textfile_scrape_error', frozenset())) != 0:
        fail(f'node_textfile_scrape_error is {s.get(("node_textfile_scrape_error", frozenset()))}:\n{text[:2000]}')
    blk = {'device': 'virtio1', 'type': 'blk', 'queue': '0', 'name': 'req.0'}
    for name, v in [('virtioctl_vq_kicks_total', 80), ('virtioctl_vq_kicks_suppressed_total', 20),
                    ('virtioctl_vq_interrupts_total', 90), ('virtioctl_vq_interrupts_spurious_total', 4),
                    ('virtioctl_vq_completed_requests_total', 97), ('virtioctl_vq_stalls_total', 1),
                    ('virtioctl_vq_in_flight', 3), ('virtioctl_vq_free_descriptors', 253),
                    ('virtioctl_vq_latency_seconds_count', 97),
                    ('virtioctl_vq_latency_seconds_sum', (90 * 20000 + 7 * 1500000) / 1e9)]:
        want(s, name, blk, v)
    want(s, 'virtioctl_vq_latency_seconds_bucket', {**blk, 'le': '1.6384e-05'}, 0)
    want(s, 'virtioctl_vq_latency_seconds_bucket', {**blk, 'le': '3.2768e-05'}, 90)
    want(s, 'virtioctl_vq_latency_seconds_bucket', {**blk, 'le': '0.002097152'}, 97)
    want(s, 'virtioctl_vq_latency_seconds_bucket', {**blk, 'le': '+Inf'}, 97)
    weird = {'device': 'virtio9', 'type': '', 'queue': '', 'name': 'we\\"ird\\\\name'}
    want(s, 'virtioctl_vq_interrupts_total', weird, 12)
    for name in ('virtioctl_vq_kicks_total', 'virtioctl_vq_in_flight', 'virtioctl_vq_stalls_total'):
        if (name, frozenset(weird.items())) in s:
            fail(f'{name} written for a queue whose source cannot know it')
    # The host's own queues, from the /proc source: interrupts only, for every virtio vector.
    host = [k for k in s if k[0].startswith('virtioctl_vq_') and ('device', 'virtio1') not in k[1] and
            ('device', 'virtio9') not in k[1] or (k[0].startswith('virtioctl_vq_') and
                                                   dict(k[1]).get('name') not in ('req.0', 'we\\"ird\\\\name'))]
    names = {k[0] for k in host}
    if names - {'virtioctl_vq_interrupts_total'}:
        fail(f'the /proc source wrote {sorted(names)}; only virtioctl_vq_interrupts_total can be known')
    with open('/proc/interrupts') as f:
        vecs = {m.group(1) for m in re.finditer(r'\b(virtio\d+-(?!config\b)\S+)', f.read())}
    got = {f'{dict(k[1])["device"]}-{dict(k[1])["name"]}' for k in host}
    if vecs and not vecs <= got | {'virtio1-req.0'}:
        fail(f'host vectors {sorted(vecs)} not all in the metrics {sorted(got)}')
finally:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if fails else 0)
