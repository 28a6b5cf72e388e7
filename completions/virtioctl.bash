# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for virtioctl: commands, options, device names and files.

_virtioctl_commands="list info probe bind decode features status top trace dump help"
_virtioctl_global_opts="--json --pretty --color --verbose --help --version"
_virtioctl_opts_list="--type --transport --names"
_virtioctl_opts_info="--read-only --hexdump"
_virtioctl_opts_probe="--test --list-tests --features --packed --split --queue-size --timeout --poll --transport --write --dump --rebind --pause"
_virtioctl_opts_bind="--vfio --kernel --force --dry-run"
_virtioctl_opts_decode="--size --packed --ring-type --features --legacy-big-endian --queue --device --desc --avail --used --driver-area --device-area --mem --ring --align --core --desc-addr --avail-addr --used-addr --driver-addr --device-addr --last-avail-idx --last-used-idx --driver-pos --device-pos --driver-used-pos --write-vqdump --raw --summary"
_virtioctl_opts_features="--device --spec"
_virtioctl_opts_status="--spec --legacy"
_virtioctl_opts_top="--batch --iterations --delay --stall --sort --device --queue --textfile --source --attach"
_virtioctl_opts_trace="--duration --count --device --queue --event --format --output --attach"
_virtioctl_opts_dump="--output --wait --attach"

# Exactly the names `info` accepts; sysfs as a fallback when the tool is not on PATH.
_virtioctl_devices()
{
	local d
	if command -v virtioctl >/dev/null 2>&1; then
		virtioctl list --names 2>/dev/null && return
	fi
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor" 2>/dev/null)" = 0x1af4 ] && echo "${d##*/}"
	done
	for d in /sys/bus/virtio/devices/*; do
		[ -e "$d" ] && echo "${d##*/}"
	done
	for d in /sys/bus/platform/devices/LNRO0005:* /sys/bus/platform/devices/*.virtio_mmio; do
		[ -e "$d" ] && echo "${d##*/}"
	done
}

# Kernel virtio device names (trace --device) and their queues as virtioN:Q (dump), from sysfs.
_virtioctl_kernel_devices()
{
	local d
	for d in /sys/bus/virtio/devices/virtio*; do
		[ -e "$d" ] && echo "${d##*/}"
	done
}

_virtioctl_kernel_queues()
{
	local d
	for d in $(_virtioctl_kernel_devices); do
		echo "$d:0"
	done
}

# What `probe` can drive without --rebind: PCI functions bound to vfio-pci, virtio-mmio windows no driver holds.
_virtioctl_vfio_devices()
{
	local d
	for d in /sys/bus/pci/drivers/vfio-pci/????:??:??.?; do
		[ -e "$d" ] && echo "${d##*/}"
	done
	for d in /sys/bus/platform/devices/LNRO0005:* /sys/bus/platform/devices/*.virtio_mmio; do
		[ -e "$d" ] && [ ! -e "$d/driver" ] && echo "${d##*/}"
	done
}

_virtioctl_device_types="net blk console rng balloon scsi 9p gpu input vsock crypto iommu mem sound fs pmem rpmb i2c scmi gpio can rtc spi media"

_virtioctl()
{
	local cur prev words cword verb i
	# -n : keeps "0000:00:03.0" one word (':' is in COMP_WORDBREAKS); -s splits --opt=VALUE.
	_init_completion -s -n : || return

	# The verb: the first word that is neither an option nor the value of a global option (--color WHEN).
	verb=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--color) ((i++)) ;;
		-*) ;;
		*) verb=${words[i]}; break ;;
		esac
	done

	case $prev in
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	esac
	if [ -z "$verb" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_virtioctl_global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_virtioctl_commands" -- "$cur"))
		fi
		return
	fi

	# top's -d is --delay and its --device takes virtioN names as well as types.
	if [ "$verb" = top ]; then
		case $prev in
		--device) COMPREPLY=($(compgen -W "$_virtioctl_device_types $(ls /sys/bus/virtio/devices 2>/dev/null)" -- "$cur")); return ;;
		-s|--sort) COMPREPLY=($(compgen -W "device kicks interrupts in-flight latency stall" -- "$cur")); return ;;
		--source) COMPREPLY=($(compgen -W "auto bpf procfs" -- "$cur")); return ;;
		--attach) COMPREPLY=($(compgen -W "auto fentry kprobe" -- "$cur")); return ;;
		--textfile) _filedir prom; return ;;
		-d|--delay|-n|--iterations|--stall|--queue) return ;;
		esac
	fi

	case $prev in
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	--device)
		# trace filters by kernel device name; features and decode take a device type
		if [ "$verb" = trace ]; then
			COMPREPLY=($(compgen -W "$(_virtioctl_kernel_devices)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_virtioctl_device_types" -- "$cur"))
		fi
		return ;;
	-d|--type|-t)
		[ "$verb" = trace ] && return
		COMPREPLY=($(compgen -W "$_virtioctl_device_types" -- "$cur")); return ;;
	--attach) COMPREPLY=($(compgen -W "auto fentry kprobe" -- "$cur")); return ;;
	--format|-f) COMPREPLY=($(compgen -W "text json perfetto" -- "$cur")); return ;;
	--event|-e) COMPREPLY=($(compgen -W "add kick kick_suppressed notify interrupt interrupt_spurious complete" -- "$cur")); return ;;
	--output|-o) _filedir; return ;;
	--duration|--count|-c|--wait|-w|-q) return ;;
	--transport)
		if [ "$verb" = probe ]; then
			COMPREPLY=($(compgen -W "modern legacy" -- "$cur")); return
		fi
		COMPREPLY=($(compgen -W "pci pci-modern pci-transitional pci-legacy mmio mmio-v1 mmio-v2 other" -- "$cur")); return ;;
	--spec|-s) COMPREPLY=($(compgen -W "1.2 1.3 1.4" -- "$cur")); return ;;
	--ring-type) COMPREPLY=($(compgen -W "split packed" -- "$cur")); return ;;
	--desc|--avail|--used|--driver-area|--device-area|--mem|--ring|--core|--write-vqdump)
		_filedir; return ;;
	--dump) _filedir -d; return ;;
	--test) COMPREPLY=($(compgen -W "$(virtioctl probe --list-tests 2>/dev/null | awk '{print $1}')" -- "$cur")); return ;;
	--queue-size|--timeout) return ;;
	--size|--align|--queue|--features|--*-addr|--*-idx|--*-pos)
		return ;;
	esac

	local opts_var=_virtioctl_opts_${verb}
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${!opts_var} $_virtioctl_global_opts" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	case $verb in
	info|bind)
		COMPREPLY=($(compgen -W "$(_virtioctl_devices)" -- "$cur"))
		# bash replaces only what follows the last ':' of the word: offer just that part.
		__ltrim_colon_completions "$cur"
		;;
	probe) COMPREPLY=($(compgen -W "$(_virtioctl_vfio_devices)" -- "$cur")); __ltrim_colon_completions "$cur" ;;
	# VALUE may be a file such as /sys/bus/virtio/devices/virtio0/features.
	decode|features) _filedir ;;
	dump) COMPREPLY=($(compgen -W "$(_virtioctl_kernel_queues)" -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "$_virtioctl_commands" -- "$cur")) ;;
	esac
}
complete -F _virtioctl virtioctl
