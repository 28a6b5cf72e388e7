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

# expect "LINE" WORD...: completing LINE (cursor at its end) must offer every WORD.
expect() {
	local line=$1
	shift
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_virtioctl virtioctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	for w in "$@"; do
		if [[ " ${COMPREPLY[*]} " != *" $w "* ]]; then
			echo "bash: '$line' offers '${COMPREPLY[*]}', expected it to include '$w'"
			fails=$((fails + 1))
		fi
	done
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

if command -v zsh >/dev/null; then
	zsh -n "$root/completions/_virtioctl" || { echo "zsh: syntax error"; fails=$((fails + 1)); }
else
	echo "zsh: not installed"; fails=$((fails + 1))
fi
if command -v fish >/dev/null; then
	fish -n "$root/completions/virtioctl.fish" || { echo "fish: syntax error"; fails=$((fails + 1)); }
	# fish itself lists what it would complete
	out=$(fish -c "source $root/completions/virtioctl.fish; complete -C 'virtioctl decode --ring-t'")
	[[ $out == *--ring-type* ]] || { echo "fish: 'virtioctl decode --ring-t' offers '$out'"; fails=$((fails + 1)); }
else
	echo "fish: not installed"; fails=$((fails + 1))
fi
exit $((fails > 0))
