# SPDX-License-Identifier: GPL-2.0-or-later
# Shell helpers for scenario scripts in the test VM (sourced; busybox sh).
#
# Protocol on the serial console (the host runner parses these lines):
#   @@SYNC name            guest waits until the host sends "@@GO name [payload]"
#   @@FILE name / @@EOF name rc   base64 body of a file the host saves as guest/<name>
#   @@VIRTIO dev id vendor driver  one line per device on the virtio bus

# Block until the host has run the scenario's actions for NAME; print the host's payload.
vm_sync() {
	_name=$1
	echo "@@SYNC $_name" >/dev/console
	while :; do
		# Reading /dev/console directly keeps this working when the caller redirected stdin.
		IFS= read -r _line </dev/console || { sleep 0.1; continue; }
		_line=$(printf '%s' "$_line" | tr -d '\r')
		case "$_line" in
		"@@GO $_name") return 0 ;;
		"@@GO $_name "*) printf '%s\n' "${_line#"@@GO $_name "}"; return 0 ;;
		"@@FAIL $_name"*) echo "host action for $_name failed: $_line" >&2; return 1 ;;
		esac
	done
}

# Run a command; send its stdout to the host as guest/NAME. Returns the command's status.
vm_save() {
	_name=$1
	shift
	"$@" >/tmp/.vm_save.out
	_rc=$?
	echo "@@FILE $_name"
	base64 </tmp/.vm_save.out
	echo "@@EOF $_name $_rc"
	rm -f /tmp/.vm_save.out
	return $_rc
}

# Send an existing guest file to the host as guest/NAME.
vm_send() {
	vm_save "$1" cat "$2"
}

# Same as vm_save but also shows the output, for readable transcripts.
vm_show() {
	_name=$1
	shift
	echo "\$ $*"
	"$@" >/tmp/.vm_show.out
	_rc=$?
	cat /tmp/.vm_show.out
	echo "[exit $_rc]"
	echo "@@FILE $_name"
	base64 </tmp/.vm_show.out
	echo "@@EOF $_name $_rc"
	rm -f /tmp/.vm_show.out
	return $_rc
}

vm_list_virtio() {
	for d in /sys/bus/virtio/devices/*; do
		[ -e "$d/device" ] || continue
		_drv=-
		[ -e "$d/driver" ] && _drv=$(basename "$(readlink "$d/driver")")
		echo "@@VIRTIO $(basename "$d") $(cat "$d/device") $(cat "$d/vendor") $_drv"
	done
}

# Wait up to $2 seconds (default 10) for a path to appear.
vm_wait_for() {
	_i=0
	while [ ! -e "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-10} * 10)) ] && return 1
		sleep 0.1
	done
}

# Wait up to $2 seconds (default 10) for a path to disappear.
vm_wait_gone() {
	_i=0
	while [ -e "$1" ]; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-10} * 10)) ] && return 1
		sleep 0.1
	done
}

# PCI address (DDDD:BB:DD.F) of the first virtio device of a type (e.g. 0x0002 for blk); fails on mmio.
vm_virtio_pci_addr() {
	for _d in /sys/bus/virtio/devices/*; do
		if [ "$(cat "$_d/device")" = "$1" ]; then
			_p=$(basename "$(readlink -f "$_d/..")")
			case "$_p" in ????:??:??.?) echo "$_p"; return 0 ;; esac
		fi
	done
	return 1
}

# sysfs prints features as one '0'/'1' per bit, bit 0 first; print them as hex (bits 0-63).
virtio_features_hex() {
	_bits=$(cat "$1")
	_v=0
	_i=0
	while [ $_i -lt ${#_bits} ] && [ $_i -lt 64 ]; do
		[ "${_bits:$_i:1}" = 1 ] && _v=$((_v | (1 << _i)))
		_i=$((_i + 1))
	done
	printf '0x%x\n' "$_v"
}
