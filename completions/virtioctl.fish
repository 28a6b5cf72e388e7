# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for virtioctl: commands, options, device names and files.

set -l __virtioctl_types net blk console rng balloon scsi 9p gpu input vsock crypto iommu mem sound fs pmem rpmb i2c scmi gpio can rtc spi media

complete -c virtioctl -f

# True until the command word is typed; the value of --color is not a command.
function __virtioctl_needs_command
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l skip 0
    for t in $toks
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --color
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# commands
complete -c virtioctl -n '__virtioctl_needs_command' -a 'list' -d 'list every virtio device'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'info' -d 'decode virtio devices (all when none is named)'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'probe' -d 'drive a vfio-bound device from userspace and run self-tests'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'bind' -d 'move a device to vfio-pci or back'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'decode' -d 'decode a virtqueue dump'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'features' -d 'decode a feature bitmap'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'status' -d 'decode a device status byte'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'top' -d 'watch the kernel virtqueues live'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'trace' -d 'stream the kernel virtqueue events with BPF'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'dump' -d 'save a kernel-driven virtqueue as a .vqdump'
complete -c virtioctl -n '__virtioctl_needs_command' -a 'help' -d 'show help'
complete -c virtioctl -n '__fish_seen_subcommand_from help' -a 'list info probe bind decode features status top trace dump'

# global options (every command)
complete -c virtioctl -s j -l json -d 'print JSON instead of text'
complete -c virtioctl -s p -l pretty -d 'print indented JSON'
complete -c virtioctl -l color -x -a 'auto always never' -d 'colour text output'
complete -c virtioctl -s v -l verbose -d 'more detail'
complete -c virtioctl -s h -l help -d 'show help'
complete -c virtioctl -l version -d 'show the version'

# features: VALUE may be a file such as /sys/bus/virtio/devices/virtio0/features
complete -c virtioctl -n '__fish_seen_subcommand_from features' -F

# list
complete -c virtioctl -n '__fish_seen_subcommand_from list' -s t -l type -x -a "$__virtioctl_types" -d 'only devices of this type'
complete -c virtioctl -n '__fish_seen_subcommand_from list' -l transport -x -a 'pci pci-modern pci-transitional pci-legacy mmio mmio-v1 mmio-v2 other' -d 'only this transport'
complete -c virtioctl -n '__fish_seen_subcommand_from list' -s n -l names -d 'print only device names'

# probe: devices bound to vfio-pci, and virtio-mmio windows no driver holds
function __virtioctl_vfio_devices
    for d in /sys/bus/pci/drivers/vfio-pci/????:??:??.?
        basename $d
    end
    for d in /sys/bus/platform/devices/LNRO0005:* /sys/bus/platform/devices/*.virtio_mmio
        test -e $d/driver; or basename $d
    end
end
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -a '(__virtioctl_vfio_devices)' -d 'vfio-bound virtio device'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l test -x -a '(virtioctl probe --list-tests 2>/dev/null | string split -f1 " ")' -d 'tests or suites to run'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l list-tests -d 'list every self-test'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l features -x -d 'accept (+NAME) or refuse (-NAME) feature bits'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l packed -d 'use packed rings'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l split -d 'use split rings'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l queue-size -x -d 'queue size'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l timeout -x -d 'seconds to wait for each request'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l poll -d 'poll instead of interrupts'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l transport -x -a 'modern legacy' -d 'interface of a transitional device'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l write -d 'allow blk write tests'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l dump -x -a '(__fish_complete_directories)' -d 'write queueN.vqdump files here'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l rebind -d 'bind to vfio-pci for the probe, give the device back'
complete -c virtioctl -n '__fish_seen_subcommand_from probe' -l pause -d 'stop before the final reset until SIGCONT'

# info
complete -c virtioctl -n '__fish_seen_subcommand_from info' -a '(virtioctl list --names 2>/dev/null)' -d 'virtio device'
complete -c virtioctl -n '__fish_seen_subcommand_from info' -l read-only -d 'never write a selector register'
complete -c virtioctl -n '__fish_seen_subcommand_from info' -s x -l hexdump -d 'also dump the PCI configuration space'

# bind
complete -c virtioctl -n '__fish_seen_subcommand_from bind' -a '(virtioctl list --names 2>/dev/null)' -d 'virtio device'
complete -c virtioctl -n '__fish_seen_subcommand_from bind' -l vfio -d 'give the device to vfio-pci'
complete -c virtioctl -n '__fish_seen_subcommand_from bind' -l kernel -d 'give the device back to its kernel driver'
complete -c virtioctl -n '__fish_seen_subcommand_from bind' -l force -d 'bind even though the device is in use'
complete -c virtioctl -n '__fish_seen_subcommand_from bind' -l dry-run -d 'say what would be done, change nothing'

# decode
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -F
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l size -x -d 'queue size'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l packed -d 'the ring is packed'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l ring-type -x -a 'split packed' -d 'ring layout'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l features -x -d 'negotiated features (hex)'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l legacy-big-endian -d 'legacy ring of a big-endian guest'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l queue -x -d 'queue index'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -s d -l device -x -a "$__virtioctl_types" -d 'device type'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l desc -r -F -d 'descriptor table or ring, FILE[@ADDR]'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l avail -r -F -d 'available ring, FILE[@ADDR]'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l used -r -F -d 'used ring, FILE[@ADDR]'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l driver-area -r -F -d 'packed driver area, FILE[@ADDR]'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l device-area -r -F -d 'packed device area, FILE[@ADDR]'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l mem -r -F -d 'more guest memory, FILE@ADDR'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l ring -r -F -d 'contiguous legacy ring'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l align -x -d 'used ring alignment'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l core -r -F -d 'ELF core from dump-guest-memory'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l desc-addr -x -d 'descriptor area address'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l avail-addr -x -d 'avail ring address'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l used-addr -x -d 'used ring address'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l driver-addr -x -d 'packed driver area address'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l device-addr -x -d 'packed device area address'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l last-avail-idx -x -d 'device next avail index'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l last-used-idx -x -d 'driver last used index'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l driver-pos -x -d 'packed driver position IDX:WRAP'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l device-pos -x -d 'packed device position IDX:WRAP'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l driver-used-pos -x -d 'packed driver used position IDX:WRAP'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l write-vqdump -r -F -d 'save the input as a .vqdump'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l raw -d 'read every file as binary'
complete -c virtioctl -n '__fish_seen_subcommand_from decode' -l summary -d 'summary, state and anomalies only'

# features
complete -c virtioctl -n '__fish_seen_subcommand_from features' -s d -l device -x -a "$__virtioctl_types" -d 'device type'
complete -c virtioctl -n '__fish_seen_subcommand_from features' -s s -l spec -x -a '1.2 1.3 1.4' -d 'spec version'

# status
complete -c virtioctl -n '__fish_seen_subcommand_from status' -s s -l spec -x -a '1.2 1.3 1.4' -d 'spec version'
complete -c virtioctl -n '__fish_seen_subcommand_from status' -s l -l legacy -d 'legacy device'

# top
complete -c virtioctl -n '__fish_seen_subcommand_from top' -s b -l batch -d 'print plain text ticks'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -s n -l iterations -x -d 'stop after N ticks'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -s d -l delay -x -d 'seconds between ticks'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -l stall -x -d 'seconds without progress that flag a stall'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -s s -l sort -x -a 'device kicks interrupts in-flight latency stall' -d 'sort key'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -l device -x -a "$__virtioctl_types (ls /sys/bus/virtio/devices 2>/dev/null)" -d 'only this device or type'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -l queue -x -d 'only this queue name or index'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -l textfile -r -F -d 'Prometheus textfile to rewrite each tick'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -l source -x -a 'auto bpf procfs' -d 'data source'
complete -c virtioctl -n '__fish_seen_subcommand_from top' -l attach -x -a 'auto fentry kprobe' -d 'how BPF attaches'
# trace
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -s d -l duration -x -d 'stop after SECS seconds'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -s c -l count -x -d 'stop after N events'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -l device -x -a '(string replace -r ".*/" "" /sys/bus/virtio/devices/virtio*)' -d 'kernel virtio device'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -s q -l queue -x -d 'only queue N'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -s e -l event -x -a 'add kick kick_suppressed notify interrupt interrupt_spurious complete' -d 'only these events'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -s f -l format -x -a 'text json perfetto' -d 'output format'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -s o -l output -r -F -d 'write to FILE'
complete -c virtioctl -n '__fish_seen_subcommand_from trace' -l attach -x -a 'auto fentry kprobe' -d 'how to attach'

# dump
complete -c virtioctl -n '__fish_seen_subcommand_from dump' -s o -l output -r -F -d 'where to write the .vqdump'
complete -c virtioctl -n '__fish_seen_subcommand_from dump' -s w -l wait -x -d 'wait up to SECS for activity'
complete -c virtioctl -n '__fish_seen_subcommand_from dump' -l attach -x -a 'auto fentry kprobe' -d 'how to attach'
