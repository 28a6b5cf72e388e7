#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the bash completion function on typed command lines and syntax-checks the zsh and fish scripts.
set -u
root=$1
fails=0

# shellcheck disable=SC1091
source /usr/share/bash-completion/bash_completion
# shellcheck disable=SC1091
source "$root/completions/virtioctl.bash"

# Splits LINE into COMP_WORDS as bash does: at blanks, and around the COMP_WORDBREAKS ':' and '='.
split_words() {
	local line=$1 w= ch i
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		ch=${line:i:1}
		case $ch in
		' ') [[ -n $w ]] && COMP_WORDS+=("$w"); w= ;;
		: | =)
			[[ -n $w && $w != [:=]* ]] && { COMP_WORDS+=("$w"); w=; }
			w+=$ch ;;
		*)
			[[ $w == [:=]* ]] && { COMP_WORDS+=("$w"); w=; }
			w+=$ch ;;
		esac
	done
	COMP_WORDS+=("$w")
}

# Runs the completion function with the cursor at the end of LINE.
complete_line() {
	local line=$1
	split_words "$line"
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_virtioctl virtioctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
}

# expect "LINE" WORD...: completing LINE must offer every WORD.
expect() {
	local line=$1
	shift
	complete_line "$line"
	for w in "$@"; do
		if [[ " ${COMPREPLY[*]} " != *" $w "* ]]; then
			echo "bash: '$line' offers '${COMPREPLY[*]}', expected it to include '$w'"
			fails=$((fails + 1))
		fi
	done
}

# expect_only "LINE" WORD...: completing LINE offers exactly these WORDs.
expect_only() {
	local line=$1
	shift
	complete_line "$line"
	if [[ "${COMPREPLY[*]}" != "$*" ]]; then
		echo "bash: '$line' offers '${COMPREPLY[*]}', expected exactly '$*'"
		fails=$((fails + 1))
	fi
}

# expect_line "LINE" "RESULT": with one candidate, bash turns LINE into RESULT (it replaces the last word).
expect_line() {
	local line=$1 want=$2
	complete_line "$line"
	local cur=${COMP_WORDS[COMP_CWORD]}
	local got="${line:0:${#line}-${#cur}}${COMPREPLY[0]-}"
	if [[ ${#COMPREPLY[@]} -ne 1 || $got != "$want" ]]; then
		echo "bash: '$line' becomes '$got' (candidates '${COMPREPLY[*]}'), expected '$want'"
		fails=$((fails + 1))
	fi
}

# The device names `virtioctl list --names` prints on a machine with a net and a blk device.
virtioctl() {
	[[ "$*" == "list --names" ]] && printf '%s\n' 0000:00:02.0 00:02.0 virtio1 vda 0000:00:03.0 00:03.0 virtio2 eth0
}

expect "virtioctl dec" decode
expect "virtioctl " list info decode features status top help
expect "virtioctl decode --ri" --ring --ring-type
expect "virtioctl decode --ring-type " split packed
expect "virtioctl status --spec " 1.2 1.3 1.4
expect "virtioctl features -s " 1.4
expect "virtioctl features --device " net blk
expect "virtioctl list --transport " pci-modern mmio-v2
expect "virtioctl --js" --json
expect "virtioctl top --so" --sort --source
expect "virtioctl top --sort " in-flight latency
expect "virtioctl top --device " blk
expect "virtioctl help " decode
# Colons are word breaks for bash: the address must not be doubled (0000:00:0000:00:0...).
expect_line "virtioctl info 0000:00:03" "virtioctl info 0000:00:03.0"
expect_only "virtioctl info 0000:00:0" 02.0 03.0
expect_line "virtioctl info 00:03" "virtioctl info 00:03.0"
expect_line "virtioctl info --json 0000:00:02" "virtioctl info --json 0000:00:02.0"
expect_line "virtioctl info et" "virtioctl info eth0"
expect "virtioctl info " 0000:00:02.0 00:02.0 virtio1 vda
# --color takes a value, before or after the verb, and the verb is found after it.
expect_only "virtioctl --color " auto always never
expect_only "virtioctl status --color a" auto always
expect_line "virtioctl --color always li" "virtioctl --color always list"
expect_line "virtioctl --color=never sta" "virtioctl --color=never status"
# features VALUE may be a file (a sysfs features file).
tmp=$(mktemp -d)
touch "$tmp/features"
expect_line "virtioctl features $tmp/feat" "virtioctl features $tmp/features"
rm -rf "$tmp"
unset -f virtioctl

if command -v zsh >/dev/null; then
	zsh -n "$root/completions/_virtioctl" || { echo "zsh: syntax error"; fails=$((fails + 1)); }
	# What _describe receives for devices: colons escaped, so "0000:00:03.0" is one name, not "0000" + description.
	out=$(zsh -f -c '_arguments() { :; }; _describe() { local n=${@[-1]}; print -rl -- ${(P)n}; }
		virtioctl() { print -l 0000:00:03.0 00:03.0 virtio2 eth0; }
		source "$1"; _virtioctl_devices' zsh "$root/completions/_virtioctl" 2>&1)
	want=$'0000\\:00\\:03.0\n00\\:03.0\nvirtio2\neth0'
	[[ $out == "$want" ]] || { echo "zsh: device names given to _describe: '$out', expected '$want'"; fails=$((fails + 1)); }
else
	echo "zsh: not installed"; fails=$((fails + 1))
fi
if command -v fish >/dev/null; then
	fish -n "$root/completions/virtioctl.fish" || { echo "fish: syntax error"; fails=$((fails + 1)); }
	# fish itself lists what it would complete
	out=$(fish -c "source $root/completions/virtioctl.fish; complete -C 'virtioctl decode --ring-t'")
	[[ $out == *--ring-type* ]] || { echo "fish: 'virtioctl decode --ring-t' offers '$out'"; fails=$((fails + 1)); }
	fish_offers() { # LINE WANT: fish's candidates for LINE (first column) include WANT
		local got
		got=$(fish -c "function virtioctl; printf '%s\n' 0000:00:03.0 00:03.0 virtio2 eth0; end
			source $root/completions/virtioctl.fish; complete -C '$1'" | cut -f1)
		[[ $'\n'$got$'\n' == *$'\n'"$2"$'\n'* ]] || { echo "fish: '$1' offers '${got//$'\n'/ }', expected '$2'"; fails=$((fails + 1)); }
	}
	fish_offers 'virtioctl info 0000:00:0' 0000:00:03.0
	fish_offers 'virtioctl info 00:0' 00:03.0
	fish_offers 'virtioctl --color ' always
	fish_offers 'virtioctl --color always li' list
	tmp=$(mktemp -d)
	touch "$tmp/features"
	fish_offers "virtioctl features $tmp/feat" "$tmp/features"
	rm -rf "$tmp"
else
	echo "fish: not installed"; fails=$((fails + 1))
fi
exit $((fails > 0))
