#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Compares `virtioctl list/info --json` on this machine with lspci -vv, sysfs and /proc/interrupts, field by field.
"""Usage: host_oracle.py VIRTIOCTL

Every virtio device of the running machine is looked up three ways that do
not share code with virtioctl: lspci (pciutils' own capability decoder),
sysfs files read here directly, and /proc/interrupts.  Each disagreement is
one line.  Exit 77 (skipped) only when the machine has no virtio device."""
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
import json_schema  # noqa: E402  (tests/json_schema.py)

SYS_PCI = '/sys/bus/pci/devices'
SYS_VIRTIO = '/sys/bus/virtio/devices'
SYS_PLATFORM = '/sys/bus/platform/devices'

# Virtio device ids (spec 5, "Device Types") the test machines are likely to have, written from the spec.
TYPE_NAMES = {1: 'net', 2: 'blk', 3: 'console', 4: 'rng', 5: 'balloon', 8: 'scsi', 9: '9p', 16: 'gpu',
              18: 'input', 19: 'vsock', 20: 'crypto', 26: 'fs'}
# What lspci (3.9 and later) prints after "VirtIO: " for each cfg_type it knows.
LSPCI_CAP_NAMES = {'CommonCfg': 'common', 'Notify': 'notify', 'ISR': 'isr', 'DeviceCfg': 'device',
                   'SharedMemory': 'shared_memory'}

errors = []


def err(msg):
    errors.append(msg)


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def link_name(path):
    try:
        return os.path.basename(os.readlink(path))
    except OSError:
        return None


def run(*args, ok=(0,)):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, LC_ALL='C', NO_COLOR='1'))
    if p.returncode not in ok:
        raise SystemExit(f'{" ".join(args)}: exit {p.returncode}: {p.stderr.strip()[:300]}')
    return p


# ---- independent views ----

def sysfs_virtio_devices():
    """virtioN -> dict(parent address, device id, features int, status int, driver)."""
    out = {}
    for d in sorted(glob.glob(SYS_VIRTIO + '/virtio*')):
        name = os.path.basename(d)
        feats = read(d + '/features') or ''
        bits = sum(1 << i for i, ch in enumerate(feats) if ch == '1')
        out[name] = {
            'parent': os.path.basename(os.path.dirname(os.path.realpath(d))),
            'device_id': int(read(d + '/device'), 16),
            'features': bits,
            'status': int(read(d + '/status'), 16),
            'driver': link_name(d + '/driver'),
            'kernel_devices': kernel_devices(d),
        }
    return out


def kernel_devices(virtio_dir):
    """(class, name) of every /sys/class entry whose device lives directly below virtio_dir,
    plus /dev/hwrng for the one virtio_rng device when the hw_random core lists one virtio source."""
    real = os.path.realpath(virtio_dir)
    found = [(os.path.basename(os.path.dirname(c)), os.path.basename(c))
             for c in glob.glob('/sys/class/*/*')
             if os.path.dirname(os.path.dirname(os.path.realpath(c))) == real]
    rngs = glob.glob('/sys/bus/virtio/drivers/virtio_rng/virtio*')
    sources = (read('/sys/class/misc/hw_random/rng_available') or '').split()
    if link_name(virtio_dir + '/driver') == 'virtio_rng' and len(rngs) == 1 and \
            len([s for s in sources if s.startswith('virtio_rng.')]) == 1:
        found.append(('misc', 'hwrng'))
    return sorted(found)


def sysfs_pci_virtio_functions():
    out = []
    for d in sorted(glob.glob(SYS_PCI + '/*')):
        try:
            vendor, device = int(read(d + '/vendor'), 16), int(read(d + '/device'), 16)
        except (TypeError, ValueError):
            continue
        if vendor == 0x1af4 and 0x1000 <= device <= 0x107f:
            out.append(os.path.basename(d))
    return out


def sysfs_mmio_devices():
    out = []
    for d in sorted(glob.glob(SYS_PLATFORM + '/*')):
        name = os.path.basename(d)
        modalias = read(d + '/modalias') or ''
        compat = read(d + '/of_node/compatible') or ''
        if modalias.startswith('acpi:LNRO0005:') or 'virtio,mmio' in compat or \
                name.startswith('virtio-mmio.') or link_name(d + '/driver') == 'virtio-mmio':
            out.append(name)
    return out


def proc_interrupts():
    """Every action name on every line of /proc/interrupts -> list of (irq, chip text)."""
    names = {}
    with open('/proc/interrupts') as f:
        for line in f:
            m = re.match(r'\s*(\d+):', line)
            if not m:
                continue
            for tok in re.split(r'[\s,]+', line.strip()):
                if tok.startswith('virtio') or tok.startswith('vfio-'):
                    names.setdefault(tok, []).append((int(m.group(1)), line))
    return names


def irq_view(virtio_name, irqs):
    """Interrupt mode, vector count and per-queue names as /proc/interrupts shows them."""
    if not virtio_name:
        return 'none', 0, []
    own = {n: v for n, v in irqs.items() if n == virtio_name or n.startswith(virtio_name + '-')}
    if not own:
        return 'none', 0, []
    lines = [ln for v in own.values() for _, ln in v]
    queues = sorted(n[len(virtio_name) + 1:] for n in own if n.startswith(virtio_name + '-')
                    and n[len(virtio_name) + 1:] not in ('config', 'virtqueues'))
    if all('PCI-MSIX' in ln for ln in lines):
        return 'msix', len(lines), queues
    if all('PCI-MSI' in ln for ln in lines):
        return 'msi', len(lines), queues
    return ('intx' if virtio_name in own else 'none'), len(lines), queues


def size_bytes(s):
    m = re.fullmatch(r'(\d+)([KMGT]?)', s)
    return int(m.group(1)) << {'': 0, 'K': 10, 'M': 20, 'G': 30, 'T': 40}[m.group(2)]


def lspci(addr):
    """The parts of `lspci -vv -nn -s ADDR` virtioctl also reports."""
    text = run('lspci', '-vv', '-nn', '-s', addr).stdout
    if not text.strip():
        raise SystemExit(f'lspci -s {addr} printed nothing')
    v = {'caps': {}, 'virtio_caps': {}, 'regions': {}, 'driver': None, 'msix': None}
    m = re.search(r'\[([0-9a-f]{4}):([0-9a-f]{4})\]', text.splitlines()[0])
    v['vendor'], v['device'] = int(m.group(1), 16), int(m.group(2), 16)
    m = re.search(r'\(rev ([0-9a-f]{2})\)', text.splitlines()[0])
    v['revision'] = int(m.group(1), 16) if m else None
    m = re.search(r'^\s+Subsystem: .*\[([0-9a-f]{4}):([0-9a-f]{4})\]', text, re.M)
    v['subsystem'] = (int(m.group(1), 16), int(m.group(2), 16)) if m else None
    m = re.search(r'\]: (.*) \[[0-9a-f]{4}:[0-9a-f]{4}\]', text.splitlines()[0])
    v['name'] = m.group(1) if m else None
    m = re.search(r'^\s+Control: (.*)$', text, re.M)
    v['control'] = dict((t[:-1], t[-1] == '+') for t in m.group(1).split()) if m else None
    m = re.search(r'^\s+Status: (.*)$', text, re.M)
    v['status'] = dict((t[:-1], t[-1] == '+') for t in m.group(1).split() if t[-1] in '+-') if m else None
    m = re.search(r'^\s+Status: .*DEVSEL=(\w+)', text, re.M)
    v['devsel'] = m.group(1) if m else None
    m = re.search(r'^\s+Kernel driver in use: (\S+)', text, re.M)
    v['driver'] = m.group(1) if m else None
    for m in re.finditer(r'^\s+Region (\d): (Memory|I/O ports) at ([0-9a-f]+).*\[size=(\w+)\]', text, re.M):
        v['regions'][int(m.group(1))] = (m.group(2), int(m.group(3), 16), size_bytes(m.group(4)))
    for m in re.finditer(r'^\s+Capabilities: \[([0-9a-f]+)(?: v\d+)?\] (.*)$', text, re.M):
        off = int(m.group(1), 16)
        v['caps'][off] = m.group(2)
        vm = re.match(r'Vendor Specific Information: VirtIO: (\S+)', m.group(2))
        if vm:
            rest = text[m.end():].split('\n', 2)[1]
            loc = re.search(r'BAR=(\d+) offset=([0-9a-f]+) size=([0-9a-f]+)(?: id=(\d+))?', rest)
            mult = re.search(r'multiplier=([0-9a-f]+)', rest)
            v['virtio_caps'][off] = {
                'lspci_name': vm.group(1),
                'bar': int(loc.group(1)) if loc else None,
                'offset': int(loc.group(2), 16) if loc else None,
                'length': int(loc.group(3), 16) if loc else None,
                'multiplier': int(mult.group(1), 16) if mult else None,
            }
        xm = re.match(r'MSI-X: Enable([+-]) Count=(\d+) Masked([+-])', m.group(2))
        if xm:
            tail = text[m.end():].split('\n', 3)
            t = re.search(r'Vector table: BAR=(\d+) offset=([0-9a-f]+)', tail[1])
            p = re.search(r'PBA: BAR=(\d+) offset=([0-9a-f]+)', tail[2])
            v['msix'] = {'cap_offset': off, 'enabled': xm.group(1) == '+', 'table_size': int(xm.group(2)),
                         'function_masked': xm.group(3) == '+',
                         'table_bar': int(t.group(1)), 'table_offset': int(t.group(2), 16),
                         'pba_bar': int(p.group(1)), 'pba_offset': int(p.group(2), 16)}
    return v


# ---- comparisons ----

def same(where, what, got, want):
    if got != want:
        err(f'{where}: {what} is {got!r}, expected {want!r}')


def hexint(s):
    return None if s is None else int(s, 16)


def check_list_entry(e, virtio, irqs, pci_funcs):
    addr = e['address']
    w = f'list {addr}'
    vn = e['device']
    if addr in pci_funcs:
        d = SYS_PCI + '/' + addr
        pci_dev = int(read(d + '/device'), 16)
        same(w, 'pci_device_id', hexint(e['pci_device_id']), pci_dev)
        same(w, 'transport_driver', e['transport_driver'], link_name(d + '/driver'))
        if pci_dev >= 0x1040:
            same(w, 'transport', e['transport'], 'pci-modern')
            same(w, 'device_id', e['device_id'], pci_dev - 0x1040)
        else:
            has_virtio_caps = bool(lspci(addr)['virtio_caps'])
            same(w, 'transport', e['transport'], 'pci-transitional' if has_virtio_caps else 'pci-legacy')
            same(w, 'device_id', e['device_id'], int(read(d + '/subsystem_device'), 16))
        group = link_name(d + '/iommu_group')
        same(w, 'iommu_group', e['iommu_group'], int(group) if group else None)
    if vn:
        s = virtio.get(vn)
        if not s:
            err(f'{w}: device {vn} does not exist in {SYS_VIRTIO}')
            return
        same(w, 'virtio parent', s['parent'], addr)
        same(w, 'device_id (sysfs virtio)', e['device_id'], s['device_id'])
        same(w, 'features', hexint(e['features']), s['features'])
        same(w, 'status', hexint(e['status']), s['status'])
        same(w, 'driver', e['driver'], s['driver'])
        same(w, 'kernel_devices', sorted((k['class'], k['name']) for k in e['kernel_devices']), s['kernel_devices'])
        if len(e['feature_names']) != bin(s['features']).count('1'):
            err(f'{w}: {len(e["feature_names"])} feature names for {bin(s["features"]).count("1")} bits')
    if e['device_id'] in TYPE_NAMES:
        same(w, 'type', e['type'], TYPE_NAMES[e['device_id']])
    mode, vectors, queues = irq_view(vn, irqs)
    if e['transport'].startswith('mmio') and mode == 'intx':
        mode = 'line'  # virtio-mmio's one handler named virtioN sits on a platform interrupt line
    if addr in pci_funcs or mode != 'none':
        same(w, 'interrupt_mode', e['interrupt_mode'], mode)
        same(w, 'interrupt_vectors', e['interrupt_vectors'], vectors)
        same(w, 'queue_vectors', e['queue_vectors'], len(queues))


# lspci's words for the Command and Status bits it prints, and the names virtioctl uses (PCI 3.0, 6.2.2-6.2.3).
LSPCI_COMMAND = {'I/O': 'IO', 'Mem': 'MEMORY', 'BusMaster': 'BUS_MASTER', 'SpecCycle': 'SPECIAL_CYCLES',
                 'MemWINV': 'MWI_ENABLE', 'VGASnoop': 'VGA_PALETTE_SNOOP', 'ParErr': 'PARITY_ERROR_RESPONSE',
                 'Stepping': 'STEPPING', 'SERR': 'SERR_ENABLE', 'FastB2B': 'FAST_B2B_ENABLE', 'DisINTx': 'INTX_DISABLE'}
LSPCI_STATUS = {'Cap': 'CAP_LIST', '66MHz': '66MHZ', 'UDF': 'UDF', 'FastB2B': 'FAST_B2B',
                'ParErr': 'MASTER_DATA_PARITY_ERROR', '>TAbort': 'SIGNALED_TARGET_ABORT',
                '<TAbort': 'RECEIVED_TARGET_ABORT', '<MAbort': 'RECEIVED_MASTER_ABORT',
                '>SERR': 'SIGNALED_SYSTEM_ERROR', '<PERR': 'DETECTED_PARITY_ERROR', 'INTx': 'INTX_STATUS'}


def pci_ids_names(vendor, device):
    """(vendor name, device name) from the first pci.ids found, read here with its own parser."""
    for path in ('/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids'):
        try:
            f = open(path, encoding='utf-8', errors='replace')
        except OSError:
            continue
        vname = dname = None
        with f:
            for line in f:
                if line.startswith('#') or not line.strip():
                    continue
                if not line.startswith('\t'):
                    if vname is not None:
                        break
                    if line[:4].lower() == f'{vendor:04x}' and line[4] == ' ':
                        vname = line[4:].strip()
                elif vname is not None and not line.startswith('\t\t') and line[1:5].lower() == f'{device:04x}':
                    dname = line[5:].strip()
        return vname, dname
    return None, None


def check_pci_registers(w, pci, lp):
    """Command/Status bits against lspci's Control/Status lines, and the names against pci.ids and lspci."""
    cmd = int(pci['pci_command'], 16)
    same(w, 'pci_command (config space byte 4, read here)', cmd,
         int.from_bytes(open(f'{SYS_PCI}/{w.split()[-1]}/config', 'rb').read(8)[4:6], 'little'))
    if lp['control'] is None or lp['status'] is None:
        err(f'{w}: lspci printed no Control/Status line')
        return
    for word, name in LSPCI_COMMAND.items():
        if word in lp['control']:
            same(w, f'command bit {name} (lspci {word})', name in pci['pci_command_names'], lp['control'][word])
    for word, name in LSPCI_STATUS.items():
        if word in lp['status']:
            same(w, f'status bit {name} (lspci {word})', name in pci['pci_status_names'], lp['status'][word])
    same(w, 'pci_devsel (lspci DEVSEL=)', pci['pci_devsel'], lp['devsel'])
    vname, dname = pci_ids_names(hexint(pci['pci_vendor_id']), hexint(pci['pci_device_id']))
    same(w, 'pci_vendor_name (pci.ids)', pci['pci_vendor_name'], vname)
    same(w, 'pci_device_name (pci.ids)', pci['pci_device_name'], dname)
    if vname and dname:
        same(w, 'pci names (lspci)', f'{vname} {dname}', lp['name'])


def irq_lines():
    """/proc/interrupts: irq -> (total count, handler names), read here with its own parser."""
    out = {}
    with open('/proc/interrupts') as f:
        ncpu = len(f.readline().split())
        for line in f:
            m = re.match(r'\s*(\d+):((?:\s+\d+){%d})\s+(\S+)\s+(.*)$' % ncpu, line)
            if not m:
                continue
            rest = m.group(4).split()
            # After the chip come the hardware irq ("1-edge", or "27" and "Edge"/"Level") and the handlers.
            names = [t.rstrip(',') for t in rest if not t[0].isdigit() and t not in ('Edge', 'Level')]
            out[int(m.group(1))] = (sum(int(c) for c in m.group(2).split()), names)
    return out


def check_irqs(w, info, addr, before, after):
    """Each IRQ of the device: numbers from msi_irqs (or its one line), counts between two reads of /proc/interrupts."""
    got = info['interrupts']['irqs']
    msi = sorted(int(n) for n in os.listdir(f'{SYS_PCI}/{addr}/msi_irqs')) \
        if addr and os.path.isdir(f'{SYS_PCI}/{addr}/msi_irqs') else []
    if info['interrupts']['mode'] in ('msix', 'msi'):
        same(w, 'irqs[].irq (msi_irqs)', [q['irq'] for q in got], msi)
    elif info['interrupts']['first_irq'] is not None:
        same(w, 'irqs[].irq (the line)', [q['irq'] for q in got], [info['interrupts']['first_irq']])
    else:
        same(w, 'irqs', got, [])
    for q in got:
        n = q['irq']
        qw = f'{w} IRQ {n}'
        if n in before and n in after:
            if q['count'] is None or not before[n][0] <= q['count'] <= after[n][0]:
                err(f'{qw}: count {q["count"]} not between {before[n][0]} and {after[n][0]} (/proc/interrupts)')
            same(qw, 'names', q['names'], after[n][1])
        same(qw, 'affinity', q['affinity'], read(f'/proc/irq/{n}/smp_affinity_list'))
        eff = read(f'/proc/irq/{n}/effective_affinity_list')
        if eff is not None:
            same(qw, 'effective_affinity', q['effective_affinity'], eff)


def check_sysfs_config(w, info):
    """Net and block configuration against the class directories read here."""
    kd = {k['class']: k['name'] for k in info['kernel_devices']}
    c = info['sysfs_config']
    if 'net' in kd:
        d = f'/sys/class/net/{kd["net"]}'
        want = {'class': 'net', 'name': kd['net'], 'mac': read(d + '/address'), 'mtu': int(read(d + '/mtu')),
                'rx_queues': len(glob.glob(d + '/queues/rx-*')), 'tx_queues': len(glob.glob(d + '/queues/tx-*')),
                'capacity': None, 'logical_block_size': None, 'hw_queues': None, 'read_only': None}
        same(w, 'sysfs_config', c, want)
    elif 'block' in kd:
        d = f'/sys/block/{kd["block"]}'
        want = {'class': 'block', 'name': kd['block'], 'mac': None, 'mtu': None, 'rx_queues': None,
                'tx_queues': None, 'capacity': int(read(d + '/size')),
                'logical_block_size': int(read(d + '/queue/logical_block_size')),
                'hw_queues': len(os.listdir(d + '/mq')) if os.path.isdir(d + '/mq') else None,
                'read_only': read(d + '/ro') == '1'}
        same(w, 'sysfs_config', c, want)
    else:
        same(w, 'sysfs_config', c, None)


def check_info_pci(addr, info, virtio, irqs):
    w = f'info {addr}'
    lp = lspci(addr)
    same(w, 'pci.pci_vendor_id', hexint(info['pci']['pci_vendor_id']), lp['vendor'])
    same(w, 'pci.pci_device_id', hexint(info['pci']['pci_device_id']), lp['device'])
    if lp['subsystem']:
        same(w, 'pci.subsystem', (hexint(info['pci']['pci_subsystem_vendor_id']), hexint(info['pci']['pci_subsystem_id'])),
             lp['subsystem'])
    if lp['revision'] is not None:
        same(w, 'pci.revision', hexint(info['pci']['revision']), lp['revision'])
    same(w, 'transport_driver (lspci "Kernel driver in use")', info['transport_driver'], lp['driver'])
    check_pci_registers(w, info['pci'], lp)
    bars = {b['index']: ('I/O ports' if b['type'] == 'io' else 'Memory', hexint(b['base']), b['size'])
            for b in info['bars']}
    same(w, 'BARs (lspci Region lines)', bars, lp['regions'])
    std = {c['cap_offset'] for c in info['pci_capabilities']} | {c['cap_offset'] for c in info['pci_ext_capabilities']}
    same(w, 'capability offsets', sorted(std), sorted(lp['caps']))
    caps = {c['cap_offset']: c for c in info['capabilities']}
    same(w, 'virtio capability offsets', sorted(caps), sorted(lp['virtio_caps']))
    for off, lc in lp['virtio_caps'].items():
        c = caps.get(off)
        if not c:
            continue
        cw = f'{w} cap [{off:02x}]'
        if lc['lspci_name'] in LSPCI_CAP_NAMES:
            same(cw, 'name', c['name'], LSPCI_CAP_NAMES[lc['lspci_name']])
        else:
            # lspci's <unknown>: virtioctl must say what it is, with a name lspci does not use.
            if c['name'] in LSPCI_CAP_NAMES.values() and lc['lspci_name'] == '<unknown>' and c['cfg_type'] <= 4:
                err(f'{cw}: lspci says <unknown>, virtioctl says {c["name"]}')
            if not c.get('title'):
                err(f'{cw}: no title for cfg_type {c["cfg_type"]}')
        if lc['bar'] is not None:
            same(cw, 'bar', c['bar'], lc['bar'])
            same(cw, 'offset', c['offset'], lc['offset'])
            same(cw, 'length', c['length'], lc['length'])
        if lc['multiplier'] is not None:
            same(cw, 'notify_off_multiplier', c['notify_off_multiplier'], lc['multiplier'])
    if lp['msix'] is None:
        same(w, 'msix', info['msix'], None)
    elif info['msix'] is None:
        err(f'{w}: no msix object, lspci shows MSI-X at [{lp["msix"]["cap_offset"]:02x}]')
    else:
        for k, want in lp['msix'].items():
            same(w, f'msix.{k}', info['msix'][k], want)
    group = link_name(f'{SYS_PCI}/{addr}/iommu_group')
    same(w, 'iommu_group', info['iommu_group'], int(group) if group else None)
    owned = lp['driver'] not in (None, 'vfio-pci', 'pci-stub')
    if owned:
        # Safety: a kernel-owned device's BARs are never touched.
        for k in ('features_offered', 'config', 'num_queues'):
            same(w, f'{k} of a kernel-owned device', info[k], None)
        if not info['not_read']:
            err(f'{w}: kernel-owned device but no "not_read" explanation')
    check_info_common(addr, info, virtio, irqs)


def check_info_common(addr, info, virtio, irqs):
    w = f'info {addr}'
    vn = info['device']
    if vn:
        s = virtio[vn]
        same(w, 'features', hexint(info['features']), s['features'])
        same(w, 'driver', info['driver'], s['driver'])
        same(w, 'kernel_devices', sorted((k['class'], k['name']) for k in info['kernel_devices']), s['kernel_devices'])
        same(w, 'status', hexint(info['status']), s['status'])
        same(w, 'status_source', info['status_source'], 'sysfs')
        negotiated = {f['bit'] for f in info['feature_bits'] if f['negotiated']}
        same(w, 'feature_bits[].negotiated bits', negotiated, {b for b in range(128) if s['features'] >> b & 1})
    mode, vectors, queues = irq_view(vn, irqs)
    if info['transport'].startswith('mmio') and mode == 'intx':
        mode = 'line'
    same(w, 'interrupts.mode', info['interrupts']['mode'], mode)
    same(w, 'interrupts.vectors', info['interrupts']['vectors'], vectors)
    same(w, 'interrupts.queue_names', sorted(info['interrupts']['queue_names']), queues)
    if info['problem_count'] != len(info['problems']) + sum(len(c['problems']) for c in info['capabilities'] or []):
        err(f'{w}: problem_count {info["problem_count"]} does not add up')


def check_cli_errors(exe, addrs):
    p = run(exe, 'info', 'no-such-device', ok=(2,))
    lines = p.stderr.strip().splitlines()
    if len(lines) != 1:
        err(f'info no-such-device: expected a one-line error, got {len(lines)} lines: {p.stderr!r}')
    for a in addrs[:3]:
        if a not in p.stderr:
            err(f'info no-such-device: the error does not list existing device {a}: {p.stderr.strip()!r}')
    if p.stdout:
        err(f'info no-such-device: printed to stdout: {p.stdout[:100]!r}')


def list_text_rows(text):
    """Header and rows of the text table: columns are split on the header's column starts."""
    lines = text.rstrip('\n').split('\n')
    header = lines[0]
    starts = [m.start() for m in re.finditer(r'\S+', header)]
    names = header.split()
    rows = []
    for ln in lines[1:]:
        cells = {}
        for i, name in enumerate(names):
            end = starts[i + 1] if i + 1 < len(starts) else None
            cells[name] = ln[starts[i]:end].strip()
        rows.append(cells)
    return lines, names, rows


def feature_text(names):
    return ','.join(names) if names else '-'


def check_list_text(exe, lst, virtio):
    """The text table piped (never cut) and on terminals of several widths (fitted, cut at whole names)."""
    by_addr = {e['address']: e for e in lst}
    lines, names, rows = list_text_rows(run(exe, 'list').stdout)
    same('list | cat', 'columns', names, ['ADDRESS', 'TYPE', 'DRIVER', 'KERNEL', 'VIRTIO', 'TRANSPORT', 'STATUS',
                                          'QUEUES', 'IRQ', 'FEATURES'])
    same('list | cat', 'rows', [r['ADDRESS'] for r in rows], [e['address'] for e in lst])
    for r in rows:
        e = by_addr.get(r['ADDRESS'])
        if not e:
            continue
        w = f'list | cat {r["ADDRESS"]}'
        s = virtio.get(e['device']) if e['device'] else None
        want_driver = s['driver'] if s and s['driver'] else \
            (e['transport_driver'] if e['transport_driver'] not in (None, 'virtio-pci', 'virtio-mmio') else '-')
        same(w, 'DRIVER (sysfs virtio driver)', r['DRIVER'], want_driver)
        same(w, 'KERNEL (sysfs class devices)', r['KERNEL'],
             ','.join(n for _, n in s['kernel_devices']) if s and s['kernel_devices'] else '-')
        # Piped: every negotiated name, as many as sysfs has bits.
        if s and s['features']:
            same(w, 'FEATURES count', len(r['FEATURES'].split(',')), bin(s['features']).count('1'))
        same(w, 'FEATURES', r['FEATURES'], feature_text(e['feature_names']))
    for width in (60, 80, 120, 250):
        check_list_on_terminal(exe, width, lst, lines)


def check_list_on_terminal(exe, width, lst, piped_lines):
    import fcntl
    import pty
    import struct
    import termios
    main_fd, sub_fd = pty.openpty()
    fcntl.ioctl(sub_fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, width, 0, 0))
    p = subprocess.Popen([exe, 'list'], stdout=sub_fd, stderr=subprocess.PIPE,
                         env=dict(os.environ, LC_ALL='C', NO_COLOR='1'))
    os.close(sub_fd)
    out = b''
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=60)
    os.close(main_fd)
    w = f'list on a {width}-column terminal'
    lines, names, rows = list_text_rows(out.decode().replace('\r\n', '\n'))
    for c in ('ADDRESS', 'TYPE', 'DRIVER', 'KERNEL', 'FEATURES'):
        if c not in names:
            err(f'{w}: essential column {c} dropped: {names}')
    essential = max(len(ln) - len(r['FEATURES']) for ln, r in zip(lines[1:], rows)) + len('FEATURES')
    full = max(len(ln) for ln in piped_lines)
    for ln in lines:
        if len(ln) > width and essential <= width:
            err(f'{w}: line of {len(ln)} characters: {ln!r}')
    if full <= width and lines != piped_lines:
        err(f'{w}: the table fits but differs from the piped one')
    for r, e in zip(rows, lst):
        shown = r['FEATURES']
        names_all = e['feature_names'] or []
        if shown == feature_text(names_all):
            continue
        m = re.fullmatch(r'(?:(.*),)?\+(\d+)', shown)
        kept = m.group(1).split(',') if m and m.group(1) else []
        if not m or kept != names_all[:len(kept)] or len(kept) + int(m.group(2)) != len(names_all):
            err(f'{w} {e["address"]}: FEATURES {shown!r} is not a whole-name prefix of {names_all} with +N')


def main():
    exe = sys.argv[1]
    virtio = sysfs_virtio_devices()
    pci_funcs = sysfs_pci_virtio_functions()
    mmio = sysfs_mmio_devices()
    if not virtio and not pci_funcs and not mmio:
        print('no virtio devices on this machine: skipped')
        return 77
    irqs = proc_interrupts()

    lst = json_schema.check('list', run(exe, 'list', '--json').stdout)
    listed = [e['address'] for e in lst]
    expected = set(pci_funcs) | set(mmio) | {v['parent'] for v in virtio.values()}
    same('list', 'set of addresses', sorted(set(listed)), sorted(expected))
    if len(listed) != len(set(listed)):
        err(f'list: duplicate addresses in {listed}')
    for e in lst:
        check_list_entry(e, virtio, irqs, pci_funcs)
    check_list_text(exe, lst, virtio)
    names = run(exe, 'list', '--names').stdout.split()
    short = [a[5:] for a in listed if a.startswith('0000:') and a in pci_funcs]
    kernel = [k['name'] for e in lst for k in e['kernel_devices']]
    same('list --names', 'names', sorted(names), sorted(listed + short + kernel + [e['device'] for e in lst if e['device']]))
    for n in short:
        same(f'info {n}', 'address', [i['address'] for i in json_schema.check('info', run(exe, 'info', '--json', n, ok=(0, 1)).stdout)],
             ['0000:' + n])

    for e in lst:
        addr = e['address']
        before = irq_lines()
        p = run(exe, 'info', '--json', addr, ok=(0, 1))
        after = irq_lines()
        infos = json_schema.check('info', p.stdout)
        same(f'info {addr}', 'number of devices', len(infos), 1)
        info = infos[0]
        same(f'info {addr}', 'exit status', p.returncode, 1 if info['problem_count'] else 0)
        same(f'info {addr}', 'address', info['address'], addr)
        same(f'info {addr}', 'device_id', info['device_id'], e['device_id'])
        check_irqs(f'info {addr}', info, addr if addr in pci_funcs else None, before, after)
        check_sysfs_config(f'info {addr}', info)
        if addr in pci_funcs:
            check_info_pci(addr, info, virtio, irqs)
        else:
            check_info_common(addr, info, virtio, irqs)
        for name in [e['device']] + [k['name'] for k in e['kernel_devices']]:
            if name:
                by_name = json_schema.check('info', run(exe, 'info', '--json', name, ok=(0, 1)).stdout)
                same(f'info {name}', 'address', [i['address'] for i in by_name], [addr])
    every = json_schema.check('info', run(exe, 'info', '--json', ok=(0, 1)).stdout)
    same('info (no DEVICE: every device)', 'addresses', [i['address'] for i in every], listed)
    check_cli_errors(exe, listed)

    for m in errors:
        print(m)
    print(f'{len(lst)} devices compared with lspci, sysfs and /proc/interrupts: {len(errors)} disagreements')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
