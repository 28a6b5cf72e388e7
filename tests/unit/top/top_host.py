#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# top in degraded mode on this host: --json against /proc/interrupts and sysfs, and the screen driven through tmux.
"""Usage: top_host.py VIRTIOCTL SOURCE_ROOT oracle|screen

oracle: the queues `top --json --source procfs` reports are exactly the
virtio vectors /proc/interrupts lists (config vectors excepted), with the
type sysfs gives; a vector that stayed quiet over the whole run reports 0
in every tick; the blk device's counts sum to at least 90% of the O_DIRECT
reads made during the run (one completion interrupt each) and at most what
/proc/interrupts counted around the run.
screen: keys, sort, filter, detail, help, resize and quit, read back with
tmux capture-pane.  Only reads: /proc, sysfs, and the root disk through
O_DIRECT reads.  Exits 77 (skipped) without virtio devices."""
import json
import os
import re
import subprocess
import sys
import threading
import time

exe, root, mode = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(root, 'tests'))
import json_schema  # noqa: E402

SYS = '/sys/bus/virtio/devices'
TYPES = {1: 'net', 2: 'blk', 3: 'console', 4: 'rng', 5: 'balloon', 9: '9p', 18: 'input', 19: 'vsock'}
fails = []


def fail(msg):
    fails.append(msg)
    print('FAIL:', msg)


def vectors():
    """{(device, vector): total} of virtio actions in /proc/interrupts, config vectors excepted."""
    out = {}
    with open('/proc/interrupts') as f:
        ncpu = len(f.readline().split())
        for line in f:
            m = re.match(r'\s*(\d+):((?:\s+\d+){%d})\s+(.*)$' % ncpu, line)
            if not m:
                continue
            total = sum(int(x) for x in m.group(2).split())
            for name in re.split(r'[\s,]+', m.group(3)):
                v = re.fullmatch(r'(virtio\d+)(?:-(.+))?', name)
                if v and v.group(2) != 'config':
                    out[(v.group(1), v.group(2) or 'config+virtqueues')] = total
    return out


def blk_device():
    """The virtio disk holding the working directory, and a scratch file on it; (None, None) when there is none."""
    for d in sorted(os.listdir(SYS)):
        if os.path.isdir(f'{SYS}/{d}/block') and os.listdir(f'{SYS}/{d}/block'):
            path = read_file_on(d)
            if path:
                return d, path
    return None, None


def direct_reads(path, count):
    """O_DIRECT reads of a file on the disk: each one a request of the disk's queue, with its interrupt."""
    subprocess.run(['dd', f'if={path}', 'of=/dev/null', 'bs=4096', f'count={count}', 'iflag=direct', 'status=none'],
                   check=True, timeout=60)


def reads_until(path, stop):
    """O_DIRECT reads in batches until stop is set."""
    while not stop.is_set():
        direct_reads(path, 50)


def read_file_on(blk):
    """A scratch file in the working directory (the build tree) when it lives on the virtio disk."""
    if not blk:
        return None
    disk = os.listdir(f'{SYS}/{blk}/block')[0]
    st = os.stat('.')
    if not os.path.exists(f'/sys/block/{disk}') or os.major(st.st_dev) != int(open(f'/sys/block/{disk}/dev').read().split(':')[0]):
        return None
    path = os.path.abspath(f'top-host-{os.getpid()}.bin')
    with open(path, 'wb') as f:
        f.write(os.urandom(4096 * 1200))
        f.flush()
        os.fsync(f.fileno())
    return path


def oracle():
    before = vectors()
    blk, disk = blk_device()
    reads = 400
    p = subprocess.Popen([exe, 'top', '--json', '--source', 'procfs', '-n', '8', '-d', '0.5'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    if blk:
        direct_reads(disk, reads)
    rest, err = p.communicate(timeout=60)
    after = vectors()
    if p.returncode != 0:
        fail(f'top exited {p.returncode}: {err.strip()}')
    if err.count('degraded:') != 1:
        fail(f'the degraded line should be said once on stderr, got: {err!r}')
    ticks = [json_schema.check('top', l) for l in (first + rest).splitlines()]
    if len(ticks) != 8:
        fail(f'{len(ticks)} JSON lines for -n 8')
    sums = {}
    for t in ticks:
        if t['source'] != 'procfs' or not t['degraded']:
            fail(f'source {t["source"]}, degraded {t["degraded"]!r}')
        for q in t['queues']:
            key = (q['device'], q['name'])
            for k in ('kicks', 'avail_idx', 'used_idx', 'in_flight', 'stalled', 'latency_p99_ns', 'num_free'):
                if q[k] is not None:
                    fail(f'{key}: {k} is {q[k]!r}; the /proc source cannot know it (null expected)')
            dev_id = int(open(f'{SYS}/{q["device"]}/device').read(), 16)
            if q['device_id'] != dev_id or q['type'] != TYPES.get(dev_id, q['type']):
                fail(f'{key}: device_id {q["device_id"]} type {q["type"]}, sysfs says {dev_id}')
            sums[key] = sums.get(key, 0) + q['interrupts']
            if before.get(key) == after.get(key) and q['interrupts'] != 0:
                fail(f'{key}: quiet vector (/proc/interrupts unchanged) reported {q["interrupts"]}')
    if set(sums) != set(before) or set(sums) != set(after):
        fail(f'queues {sorted(sums)} != /proc/interrupts vectors {sorted(after)}')
    for key, n in sums.items():
        if key in before and key in after and n > after[key] - before[key]:
            fail(f'{key}: top counted {n}, more than /proc/interrupts around the run ({after[key] - before[key]})')
    if blk:
        n = sum(v for (d, _), v in sums.items() if d == blk)
        print(f'{blk}: {n} interrupts counted for {reads} O_DIRECT reads')
        if n < reads * 0.9:
            fail(f'{blk}: {n} interrupts for {reads} O_DIRECT reads (expected at least 90%)')


def tmux(*args, check=True):
    return subprocess.run(['tmux', '-L', sock, *args], capture_output=True, text=True, check=check, timeout=20)


def screen_text():
    return tmux('capture-pane', '-p', '-t', 'top').stdout


def wait_for(pattern, what, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        text = screen_text()
        if re.search(pattern, text, re.M):
            return text
        time.sleep(0.2)
    fail(f'{what}: /{pattern}/ not on screen:\n{text}')
    return text


def keys(*k):
    tmux('send-keys', '-t', 'top', *k)


def data_rows(text):
    return [l for l in text.splitlines() if re.match(r'virtio\d+ ', l)]


def screen():
    blk, disk = blk_device()
    tmux('new-session', '-d', '-s', 'top', '-x', '160', '-y', '40',
         f'env TERM=xterm NO_COLOR=1 {exe} top -d 0.5 --source procfs; echo EXIT=$?; sleep 30')
    try:
        text = wait_for(r'^virtioctl top - source procfs', 'start')
        if 'degraded:' not in text:
            fail('no degraded line on screen')
        wait_for(r'^DEVICE\s+TYPE\s+QUEUE\s+NAME', 'header')
        time.sleep(1.2)
        text = screen_text()
        shown = {(l.split()[0], l.split()[3]) for l in data_rows(text)}
        if shown != set(vectors()):
            fail(f'rows {sorted(shown)} != /proc/interrupts vectors {sorted(vectors())}')
        # Sort by interrupts while the disk is busy: its queue comes first.
        keys('i')
        wait_for(r'sort interrupts', 'sort key i')
        if blk:
            # Read the screen while the reads still run: a tick that falls after
            # the last read shows every rate at 0, and ties sort by device.
            busy = threading.Event()
            reader = threading.Thread(target=reads_until, args=(disk, busy))
            reader.start()
            try:
                time.sleep(1.6)
                rows = data_rows(screen_text())
            finally:
                busy.set()
                reader.join()
            if not rows or rows[0].split()[0] != blk:
                fail(f'sorted by interrupts during disk reads, first row is {rows[:1]}, expected {blk}')
        keys('d')
        wait_for(r'sort device', 'sort key d')
        # Filter, then the detail of the only queue left.
        target = blk or sorted(vectors())[0][0]
        keys('/')
        wait_for(r'^filter \(device', 'filter prompt')
        keys(target, 'Enter')
        text = wait_for(rf"filter '{target}'", 'filter applied')
        rows = data_rows(text)
        if not rows or any(r.split()[0] != target for r in rows):
            fail(f'filter {target}: rows {rows}')
        keys('Home', 'Enter')
        text = wait_for(rf'^{target} \(', 'detail view')
        status = int(open(f'{SYS}/{target}/status').read(), 16)
        if not re.search(rf'^status: 0x{status:02x} ', text, re.M):
            fail(f'detail: status 0x{status:02x} from sysfs not shown:\n{text}')
        feats = open(f'{SYS}/{target}/features').read().strip()
        mask = sum(1 << i for i, c in enumerate(feats) if c == '1')
        ref = json.loads(subprocess.run([exe, 'features', '--json', '--device',
                                         TYPES.get(int(open(f'{SYS}/{target}/device').read(), 16), '0'),
                                         hex(mask)], capture_output=True, text=True).stdout)
        words = ' '.join(l for l in text.splitlines() if l.startswith('features: ') or l.startswith('          '))
        for b in ref['feature_bits']:
            if b['name'] not in words.split():
                fail(f'detail: feature {b["name"]} (sysfs bit {b["bit"]}) not shown')
        if 'no ring memory from this source' not in text:
            fail('detail: no word on why there is no ring')
        keys('Escape')
        wait_for(r'^DEVICE\s+TYPE', 'back from the detail')
        keys('h')
        wait_for(r'virtioctl top keys', 'help overlay')
        keys('x')
        text = wait_for(r'^DEVICE\s+TYPE', 'help closed')
        if 'virtioctl top keys' in text:
            fail('help still shown after a key')
        tmux('resize-window', '-t', 'top', '-x', '90', '-y', '20')
        time.sleep(1.0)
        text = wait_for(r'^DEVICE\s+TYPE', 'after resize')
        lines = text.rstrip('\n').split('\n')
        if max(len(l) for l in lines) > 90 or 'q quit' not in lines[-1] or len(lines) > 20:
            fail(f'after resizing to 90x20: {len(lines)} lines, last {lines[-1]!r}')
        keys('q')
        wait_for(r'^EXIT=0$', 'quit with exit 0')
    finally:
        tmux('kill-server', check=False)


def cleanup():
    for f in os.listdir('.'):
        if f == f'top-host-{os.getpid()}.bin':
            os.unlink(f)


if not any(k for k in vectors()):
    print('no virtio interrupt vectors on this machine')
    sys.exit(77)
sock = f'virtioctl-top-{os.getpid()}'
try:
    {'oracle': oracle, 'screen': screen}[mode]()
finally:
    cleanup()
sys.exit(1 if fails else 0)
