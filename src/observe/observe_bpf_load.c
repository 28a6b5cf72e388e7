/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loads the BPF source: per kernel function, fentry/fexit where probing shows the kernel allows it, kprobes otherwise. */
#include "observe_bpf_internal.h"

#if HAVE_BPF

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "vq_observe.skel.h"

/*
 * The kernel functions the programs attach to.  `required` ones make the
 * counts meaningful; the others exist on some kernels only (the premapped
 * add variants) or only clean up (vring_del_virtqueue).
 */
static const struct hook_fn {
	const char *name;
	bool required;
} hook_fns[] = {
	{ "vring_interrupt", true },
	{ "virtqueue_kick_prepare", true },
	{ "virtqueue_notify", true },     /* kicks: where the notification goes to the device */
	{ "virtqueue_kick", true },       /* ... and where it goes when virtqueue_kick inlined the notify */
	{ "virtqueue_add_sgs", true },
	{ "virtqueue_add_outbuf", true },
	{ "virtqueue_add_inbuf", true },
	{ "virtqueue_add_inbuf_ctx", false },
	{ "virtqueue_add_inbuf_premapped", false },
	{ "virtqueue_add_outbuf_premapped", false },
	{ "virtqueue_get_buf", true },
	{ "virtqueue_get_buf_ctx", true },
	{ "vring_del_virtqueue", false },
};

#define N_HOOKS (sizeof(hook_fns) / sizeof(hook_fns[0]))

enum family { FAM_NONE, FAM_FENTRY, FAM_KPROBE };

struct probe {
	struct btf *vmlinux;
	struct btf *mods[64];       /* split BTF of each kernel module */
	int mod_fds[64];
	size_t n_mods;
	bool in_kallsyms[N_HOOKS];
	bool kprobes;               /* the kernel can create kprobes (perf PMU or tracefs kprobe_events) */
};

static int hook_index(const char *fn)
{
	for (size_t i = 0; i < N_HOOKS; i++)
		if (!strcmp(hook_fns[i].name, fn))
			return (int)i;
	return -1;
}

/* Which of our functions the kernel has as symbols (what a kprobe needs). */
static void read_kallsyms(struct probe *p)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char type, name[256];
		unsigned long long addr;

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		int i = hook_index(name);
		if (i >= 0 && (type == 't' || type == 'T'))
			p->in_kallsyms[i] = true;
	}
	fclose(f);
}

/* Kernel module BTF objects (virtio_ring is one when it is not built in). */
static void load_module_btfs(struct probe *p)
{
	__u32 id = 0;

	while (p->n_mods < sizeof(p->mods) / sizeof(p->mods[0]) && !bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info;
		__u32 len = sizeof(info);
		char name[64] = "";
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.kernel_btf || !strcmp(name, "vmlinux")) {
			close(fd);
			continue;
		}
		struct btf *b = btf__load_from_kernel_by_id_split(id, p->vmlinux);
		if (!b) {
			close(fd);
			continue;
		}
		p->mods[p->n_mods] = b;
		p->mod_fds[p->n_mods++] = fd;
	}
}

static void probe_free(struct probe *p)
{
	for (size_t i = 0; i < p->n_mods; i++) {
		btf__free(p->mods[i]);
		close(p->mod_fds[i]);
	}
	btf__free(p->vmlinux);
}

/* BTF id of a function and the fd of the BTF object holding it (0 for vmlinux); -ENOENT when none has it. */
static int find_btf_func(struct probe *p, const char *fn, int *obj_fd, __u32 *id)
{
	int r;

	if (p->vmlinux && (r = btf__find_by_name_kind(p->vmlinux, fn, BTF_KIND_FUNC)) > 0) {
		*obj_fd = 0;
		*id = (__u32)r;
		return 0;
	}
	for (size_t i = 0; i < p->n_mods; i++)
		if ((r = btf__find_by_name_kind(p->mods[i], fn, BTF_KIND_FUNC)) > 0) {
			*obj_fd = p->mod_fds[i];
			*id = (__u32)r;
			return 0;
		}
	return -ENOENT;
}

/*
 * Whether an fexit program really attaches to fn: BTF naming the function
 * is not enough (no trampoline support, the function not traceable), so a
 * two-instruction program is loaded and attached, as libbpf-tools'
 * fentry_can_attach does.
 */
static bool fexit_can_attach(struct probe *p, const char *fn)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int obj_fd, prog_fd, link_fd;
	__u32 id;

	if (find_btf_func(p, fn, &obj_fd, &id))
		return false;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FEXIT, .attach_btf_id = id,
		    .attach_btf_obj_fd = obj_fd);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &o);
	if (prog_fd < 0)
		return false;
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	close(prog_fd);
	if (link_fd < 0)
		return false;
	close(link_fd);
	return true;
}

/* Section "fexit/virtqueue_notify" -> family and hook index; -1 for vq_read_state and unknown ones. */
static int prog_hook(const struct bpf_program *prog, enum family *fam)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = strchr(sec, '/');

	if (!slash)
		return -1;
	if (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
		*fam = FAM_FENTRY;
	else if (!strncmp(sec, "kprobe/", 7) || !strncmp(sec, "kretprobe/", 10))
		*fam = FAM_KPROBE;
	else
		return -1;
	return hook_index(slash + 1);
}

/* Decides each function's family; fills why and returns -errno when the forced mode cannot be met. */
static int choose(struct probe *p, enum vq_obs_attach mode, enum family *choice, char *why, size_t why_len)
{
	size_t missing = 0;

	for (size_t i = 0; i < N_HOOKS; i++) {
		const char *fn = hook_fns[i].name;
		bool fentry = mode != VQ_OBS_ATTACH_KPROBE && fexit_can_attach(p, fn);
		bool kprobe = mode != VQ_OBS_ATTACH_FENTRY && p->kprobes && p->in_kallsyms[i];

		choice[i] = fentry ? FAM_FENTRY : kprobe ? FAM_KPROBE : FAM_NONE;
		if (choice[i] != FAM_NONE || !hook_fns[i].required)
			continue;
		missing++;
		if (mode == VQ_OBS_ATTACH_FENTRY && p->in_kallsyms[i]) {
			obs_bpf_why(why, why_len, "--attach=fentry: the kernel cannot attach fentry/fexit to %s "
				    "(no BTF for it, or no trampolines); try --attach=kprobe", fn);
			return -EOPNOTSUPP;
		}
		if (mode == VQ_OBS_ATTACH_KPROBE && p->in_kallsyms[i] == false && find_btf_func(p, fn, &(int){ 0 },
											  &(__u32){ 0 }) == 0) {
			obs_bpf_why(why, why_len, "--attach=kprobe: %s is not in /proc/kallsyms", fn);
			return -EOPNOTSUPP;
		}
	}
	if (missing && mode != VQ_OBS_ATTACH_FENTRY && !p->kprobes && p->in_kallsyms[hook_index("vring_interrupt")]) {
		obs_bpf_why(why, why_len, "this kernel offers neither fentry/fexit for virtio_ring nor kprobes (no "
			    "kprobe PMU, no tracefs kprobe_events)");
		return -EOPNOTSUPP;
	}
	if (missing == N_HOOKS || choice[hook_index("vring_interrupt")] == FAM_NONE) {
		obs_bpf_why(why, why_len, "no virtio_ring functions to attach to (vring_interrupt is neither in "
			    "/proc/kallsyms nor in BTF): is virtio_ring loaded? Without kprobes or fentry "
			    "(CONFIG_KPROBES, CONFIG_DEBUG_INFO_BTF) the kernel cannot be watched");
		return -ENOENT;
	}
	if (missing) {
		for (size_t i = 0; i < N_HOOKS; i++)
			if (hook_fns[i].required && choice[i] == FAM_NONE) {
				obs_bpf_why(why, why_len, "cannot attach to %s (neither fentry nor kprobe)",
					    hook_fns[i].name);
				return -ENOENT;
			}
	}
	return 0;
}

/*
 * libbpf's messages (the verifier's log among them) are noise unless loading
 * fails; the last warning is kept to name the cause in the one-line error.
 * VIRTIOCTL_BPF_DEBUG=1 prints all of them.
 */
static char last_libbpf_warning[160];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(last_libbpf_warning)];

	if (getenv("VIRTIOCTL_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[sizeof(last_libbpf_warning) - 1] = 0;
	line[strcspn(line, "\n")] = 0;
	if (*line)
		snprintf(last_libbpf_warning, sizeof(last_libbpf_warning), "%s", line);
	return 0;
}

static void destroy_links(struct obs_bpf *b)
{
	for (size_t i = 0; i < b->n_links; i++)
		bpf_link__destroy(b->links[i]);
	b->n_links = 0;
}

static void obs_bpf_close(struct vq_obs_source *s)
{
	struct obs_bpf *b = (struct obs_bpf *)s;

	if (!b)
		return;
	ring_buffer__free(b->rb);
	destroy_links(b);
	vq_observe_bpf__destroy(b->skel);
	free(b->known);
	free(b->pairs);
	free(b);
}

static int load_and_attach(struct obs_bpf *b, const enum family *choice, char *why, size_t why_len)
{
	struct bpf_program *prog;
	int r;

	b->skel = vq_observe_bpf__open();
	if (!b->skel) {
		r = -errno;
		obs_bpf_why(why, why_len, "cannot open the BPF object: %s", strerror(-r));
		return r;
	}
	bpf_object__for_each_program(prog, b->skel->obj) {
		enum family fam = FAM_NONE;
		int h = prog_hook(prog, &fam);

		if (h >= 0)
			bpf_program__set_autoload(prog, choice[h] == fam);
	}
	r = vq_observe_bpf__load(b->skel);
	if (r) {
		r = r < 0 ? r : -errno;
		if (r == -EPERM)
			obs_bpf_why(why, why_len, "cannot load the BPF programs: %s (run as root, or with CAP_BPF "
				    "and CAP_PERFMON)", strerror(-r));
		else
			obs_bpf_why(why, why_len, "cannot load the BPF programs: %s (libbpf: %s)", strerror(-r),
				    last_libbpf_warning);
		return r;
	}
	bpf_object__for_each_program(prog, b->skel->obj) {
		enum family fam = FAM_NONE;
		int h = prog_hook(prog, &fam);
		struct bpf_link *link;

		if (h < 0 || choice[h] != fam)
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			r = -errno;
			obs_bpf_why(why, why_len, "cannot attach %s: %s", bpf_program__section_name(prog), strerror(-r));
			return r;
		}
		if (b->n_links == sizeof(b->links) / sizeof(b->links[0])) {
			bpf_link__destroy(link);
			obs_bpf_why(why, why_len, "more programs than link slots");
			return -E2BIG;
		}
		b->links[b->n_links++] = link;
	}
	b->state_fd = bpf_program__fd(b->skel->progs.vq_read_state);
	return 0;
}

int vq_obs_open_bpf(struct vq_obs_source **out, enum vq_obs_attach mode, char *why, size_t why_len)
{
	struct probe p = { 0 };
	enum family choice[N_HOOKS];
	struct obs_bpf *b;
	int r;

	*out = NULL;
	libbpf_set_print(libbpf_print);
	last_libbpf_warning[0] = 0;
	p.vmlinux = btf__load_vmlinux_btf();
	if (p.vmlinux)
		load_module_btfs(&p);
	read_kallsyms(&p);
	p.kprobes = !access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
		    !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
		    !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
	r = choose(&p, mode, choice, why, why_len);
	probe_free(&p);
	if (r < 0)
		return r;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		free(b);
		obs_bpf_why(why, why_len, "cannot count the possible CPUs");
		return -EINVAL;
	}
	r = load_and_attach(b, choice, why, why_len);
	if (r < 0 && mode == VQ_OBS_ATTACH_AUTO) {
		/* A kernel whose fexit lacks bpf_get_func_arg (before 5.17) rejects the fexit programs: all kprobes. */
		bool had_fentry = false;
		for (size_t i = 0; i < N_HOOKS; i++)
			if (choice[i] == FAM_FENTRY) {
				had_fentry = true;
				choice[i] = FAM_KPROBE;
			}
		if (had_fentry) {
			destroy_links(b);
			vq_observe_bpf__destroy(b->skel);
			b->skel = NULL;
			r = load_and_attach(b, choice, why, why_len);
		}
	}
	if (r < 0) {
		obs_bpf_close(&b->src);
		return r;
	}

	bool any_f = false, any_k = false;
	for (size_t i = 0; i < N_HOOKS; i++) {
		any_f |= choice[i] == FAM_FENTRY;
		any_k |= choice[i] == FAM_KPROBE;
	}
	snprintf(b->ops_name, sizeof(b->ops_name), "%s", any_f && any_k ? "bpf-mixed" : any_f ? "bpf-fentry" : "bpf-kprobe");
	b->ops = (struct vq_obs_source_ops){
		.name = b->ops_name,
		.sample = obs_bpf_sample,
		.snapshot = obs_bpf_snapshot,
		.close = obs_bpf_close,
	};
	b->src.ops = &b->ops;
	b->src.priv = b;
	b->src.degraded_why[0] = 0;
	*out = &b->src;
	return 0;
}

#endif
