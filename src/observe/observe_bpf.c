/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BPF source of the passive view: loads bpf/vq_observe.bpf.c, sums its per-CPU counters, reads queue state and ring memory. */
#include "observe_bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe_bpf_internal.h"

int vq_obs_attach_parse(const char *s, enum vq_obs_attach *mode)
{
	static const char *const names[] = { "auto", "fentry", "kprobe" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*mode = (enum vq_obs_attach)i;
			return 0;
		}
	return -EINVAL;
}

const char *vq_obs_event_name(enum vq_obs_event_type t)
{
	switch (t) {
	case VQ_OBS_EV_ADD: return "add";
	case VQ_OBS_EV_KICK: return "kick";
	case VQ_OBS_EV_KICK_SUPPRESSED: return "kick_suppressed";
	case VQ_OBS_EV_NOTIFY: return "notify";
	case VQ_OBS_EV_INTERRUPT: return "interrupt";
	case VQ_OBS_EV_INTERRUPT_SPURIOUS: return "interrupt_spurious";
	case VQ_OBS_EV_COMPLETE: return "complete";
	}
	return NULL;
}

void obs_bpf_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

#if !HAVE_BPF

int vq_obs_open_bpf(struct vq_obs_source **out, enum vq_obs_attach mode, char *why, size_t why_len)
{
	(void)mode;
	*out = NULL;
	obs_bpf_why(why, why_len, "this virtioctl was built without BPF support (meson -Dbpf=enabled needs clang, "
		    "bpftool and libbpf)");
	return -EOPNOTSUPP;
}

int vq_obs_bpf_trace_poll(struct vq_obs_source *s, int timeout_ms, vq_obs_event_fn fn, void *arg)
{
	(void)s, (void)timeout_ms, (void)fn, (void)arg;
	return -EOPNOTSUPP;
}

uint64_t vq_obs_bpf_trace_lost(struct vq_obs_source *s)
{
	(void)s;
	return 0;
}

#endif
