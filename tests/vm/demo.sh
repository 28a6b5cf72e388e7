#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boots the demo VM scenario and prints a readable transcript: guest list/info, a vfio probe, top -b, host-side decode of a live queue.
#
# usage: tests/vm/demo.sh [path-to-virtioctl]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
virtioctl=${1:-$root/build/virtioctl}
if [ ! -x "$virtioctl" ]; then
	echo "demo: no virtioctl binary at $virtioctl (build it, or pass its path)" >&2
	exit 1
fi
cache=${VIRTIOCTL_VM_CACHE:-$root/.cache/vm}
out=$cache/runs/demo-transcript

echo "== booting the demo VM (QEMU q35 with intel-iommu, software emulation; the first run downloads the kernel)"
status=0
python3 "$here/run-scenario.py" --virtioctl "$virtioctl" --out "$out" demo || status=$?

python3 - "$out" <<'PY' || true
import json, os, re, sys
out = sys.argv[1]

def read(name):
    try:
        with open(os.path.join(out, name), errors="replace") as f:
            return f.read()
    except OSError:
        return None

def section(title, body):
    print(f"\n-- {title}")
    print((body or "(nothing)").rstrip())

devs = json.loads(read("virtio-devices.json") or "[]")
print("\n== guest devices (QMP x-query-virtio): " +
      ", ".join(f"{d['id']}={d['name']}" for d in sorted(devs, key=lambda d: d["id"] or "")))
section("guest$ virtioctl list", read("guest/list.txt"))
guest = os.path.join(out, "guest")
infos = sorted((f for f in os.listdir(guest) if f.startswith("info-") and f.endswith(".txt")) if os.path.isdir(guest) else [],
               key=lambda f: int(re.sub(r"\D", "", f) or 0))
for f in infos:
    section(f"guest$ virtioctl info {f[5:-4]}", read(f"guest/{f}"))
rng = re.search(r"^\$ virtioctl bind (\S+) --vfio", read("console.log") or "", re.M)
rng = rng.group(1) if rng else "RNG"
for f, cmd in (("bind-vfio.txt", f"virtioctl bind {rng} --vfio"), ("probe.txt", f"virtioctl probe {rng}"),
               ("bind-kernel.txt", f"virtioctl bind {rng} --kernel")):
    st = (read(f"guest/{f}.status") or "?").strip()
    section(f"guest$ {cmd}   [exit {st}]", read(f"guest/{f}"))
section("guest$ virtioctl top -b -n 2 -d 1", read("guest/top.txt"))
for dev, prefix, decoded, feats in (("blk", "blk0-q0", "decode.txt", "blk-features.txt"),
                                    ("net", "net0-q0", "decode-net.txt", "net-features.txt")):
    meta = json.loads(read(prefix + ".json") or "null")
    if not meta:
        continue
    q = meta["queue_status"]
    a = meta["areas"]
    section(f"host: QMP stop, x-query-virtio-queue-status {dev} queue 0, pmemsave, cont",
            f"{meta['layout']} ring, size {meta['size']}: used-idx {q['used-idx']}, "
            f"last-avail-idx {q['last-avail-idx']}, inuse {q['inuse']}\n"
            + "\n".join(f"{k:5} {v['size']:5} bytes @ {v['addr_hex']} -> {v['file']}" for k, v in a.items()))
    cmd = (f"virtioctl decode --queue 0 --device {dev} --size {meta['size']} "
           f"--features {(read('guest/' + feats) or '?').strip()} --last-avail-idx {q['last-avail-idx']} "
           + " ".join(f"--{k} {v['file']}@{v['addr_hex']}" for k, v in a.items()))
    st = (read(decoded + ".status") or "?").strip()
    body = (read(decoded) or "").splitlines()
    if len(body) > 24:
        body = body[:24] + [f"... ({len(body) - 24} more lines in {os.path.join(out, decoded)})"]
    section(f"host$ {cmd}   [exit {st}]", "\n".join(body))
PY
echo
echo "== artifacts in $out"
exit $status
