/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `virtioctl probe DEVICE`: drive a vfio-bound (or unbound mmio) device from userspace and report what it does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind.h"
#include "commands.h"
#include "device_open.h"
#include "probe_tests.h"
#include "vdev.h"
#include "virtio_spec.h"
#include "vq_input.h"

enum {
	OPT_TEST = 0x100,
	OPT_LIST_TESTS,
	OPT_FEATURES,
	OPT_PACKED,
	OPT_SPLIT,
	OPT_QUEUE_SIZE,
	OPT_TIMEOUT,
	OPT_POLL,
	OPT_TRANSPORT,
	OPT_WRITE,
	OPT_DUMP,
	OPT_REBIND,
	OPT_PAUSE,
};

static const struct cli_opt probe_opts_table[] = {
	{ "test", OPT_TEST, required_argument, "LIST", "run only these tests or suites (comma-separated; see --list-tests)" },
	{ "list-tests", OPT_LIST_TESTS, no_argument, NULL, "list every self-test and exit" },
	{ "features", OPT_FEATURES, required_argument, "+NAME,-NAME",
	  "accept (+) or refuse (-) feature bits on top of what virtioctl supports" },
	{ "packed", OPT_PACKED, no_argument, NULL, "use packed rings (the device must offer RING_PACKED)" },
	{ "split", OPT_SPLIT, no_argument, NULL, "use split rings even when the device offers packed ones" },
	{ "queue-size", OPT_QUEUE_SIZE, required_argument, "N", "queue size to set up (default: device maximum, at most 256)" },
	{ "timeout", OPT_TIMEOUT, required_argument, "SECS", "how long to wait for each request (default 5)" },
	{ "poll", OPT_POLL, no_argument, NULL, "poll the used rings instead of using interrupts" },
	{ "transport", OPT_TRANSPORT, required_argument, "MODE",
	  "modern or legacy: which interface of a transitional PCI device to drive" },
	{ "write", OPT_WRITE, no_argument, NULL, "allow blk write tests (the original data is restored)" },
	{ "dump", OPT_DUMP, required_argument, "DIR", "write each queue as DIR/queueN.vqdump before the final reset" },
	{ "rebind", OPT_REBIND, no_argument, NULL, "bind a kernel-owned device to vfio-pci for the probe, give it back after" },
	{ "pause", OPT_PAUSE, no_argument, NULL,
	  "stop (SIGSTOP) after the tests, before the final reset, so the hypervisor's view can be compared" },
	{ 0 },
};

struct probe_args {
	struct probe_opts o;
	const char *features;
	const char *device;
	const char *dump_dir;
	enum transport_choice transport;
	bool list_tests;
	bool rebind;
	bool pause;
};

static int parse_opt(struct cli_ctx *ctx, struct probe_args *a, int c, const char *arg)
{
	unsigned v;
	char bad[64];

	switch (c) {
	case OPT_TEST:
		if (!probe_test_list_valid(arg, bad, sizeof(bad)))
			return cli_usage_error(ctx, "--test: no test or suite '%s' (see --list-tests)", bad);
		a->o.tests = arg;
		break;
	case OPT_LIST_TESTS: a->list_tests = true; break;
	case OPT_FEATURES: a->features = arg; break;
	case OPT_PACKED: a->o.ring = RING_CHOICE_PACKED; break;
	case OPT_SPLIT: a->o.ring = RING_CHOICE_SPLIT; break;
	case OPT_QUEUE_SIZE:
		if (cli_parse_u32(arg, &v) < 0 || !v || v > VQ_MAX_SIZE)
			return cli_usage_error(ctx, "--queue-size takes 1..%u, not '%s'", VQ_MAX_SIZE, arg);
		a->o.queue_size = v;
		break;
	case OPT_TIMEOUT:
		if (cli_parse_u32(arg, &v) < 0 || !v || v > 3600)
			return cli_usage_error(ctx, "--timeout takes 1..3600 seconds, not '%s'", arg);
		a->o.timeout_ms = v * 1000;
		break;
	case OPT_POLL: a->o.poll = true; break;
	case OPT_TRANSPORT:
		if (!strcmp(arg, "legacy"))
			a->transport = TRANSPORT_CHOICE_LEGACY;
		else if (!strcmp(arg, "modern"))
			a->transport = TRANSPORT_CHOICE_MODERN;
		else
			return cli_usage_error(ctx, "--transport takes modern or legacy, not '%s'", arg);
		break;
	case OPT_WRITE: a->o.write = true; break;
	case OPT_DUMP: a->dump_dir = arg; break;
	case OPT_REBIND: a->rebind = true; break;
	case OPT_PAUSE: a->pause = true; break;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct probe_args *a)
{
	struct cli_parser p;
	const char *arg;
	int c, r = 0;

	a->o.timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
	cli_parser_init(&p, &verb_probe, ctx, argc, argv);
	while (!r && (c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_EXIT) {
			r = p.exit_code ? p.exit_code : -1;
			break;
		}
		r = parse_opt(ctx, a, c, arg);
	}
	int pos = p.optind;

	cli_parser_done(&p);
	if (r)
		return r;
	if (a->list_tests)
		return 0;
	if (pos >= argc)
		return cli_usage_error(ctx, "missing DEVICE: a PCI address, virtioN or MMIO platform device name of a "
				       "vfio-bound device (see 'virtioctl list')");
	if (pos + 1 < argc)
		return cli_usage_error(ctx, "one DEVICE at a time: unexpected '%s'", argv[pos + 1]);
	a->device = argv[pos];
	return 0;
}

static int list_tests(struct cli_ctx *ctx)
{
	struct emit e;

	cli_emit_init(ctx, &e);
	emit_array_begin(&e, NULL);
	for (size_t i = 0; probe_suites[i]; i++) {
		for (const struct probe_test *t = probe_suites[i]->tests; t->name; t++) {
			emit_object_begin(&e, NULL);
			emit_str(&e, "name", "%-20s", t->name);
			emit_str(&e, "suite", NULL, probe_suites[i]->name);
			if (probe_suites[i]->device_id)
				emit_uint(&e, "device_id", NULL, probe_suites[i]->device_id);
			else
				emit_null(&e, "device_id");
			emit_str(&e, "summary", " %s\n", t->summary);
			emit_object_end(&e);
		}
	}
	emit_array_end(&e);
	return cli_emit_flush(ctx, &e);
}

/* A feature name for this device type: spec name, short name (any case), or a bit number. */
static int feature_bit_by_name(uint32_t device_id, const char *name, size_t len)
{
	char buf[64];
	unsigned bit;

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (cli_parse_u32(buf, &bit) == 0)
		return bit < VIRTIO_FEATURES_BITS ? (int)bit : -1;
	for (unsigned b = 0; b < VIRTIO_FEATURES_BITS; b++) {
		const struct virtio_feature_bit *f = virtio_feature_lookup_for(device_id, b, VIRTIO_SPEC_CURRENT, true);

		if (f && (!strcasecmp(f->name, buf) || !strcasecmp(f->short_name, buf)))
			return (int)b;
	}
	return -1;
}

/* "+NAME,-NAME,...": each item must carry its sign. */
static int parse_feature_changes(struct cli_ctx *ctx, struct probe_args *a, uint32_t device_id)
{
	for (const char *s = a->features; s && *s;) {
		size_t len = strcspn(s, ",");

		if (len < 2 || (s[0] != '+' && s[0] != '-'))
			return cli_usage_error(ctx, "--features: '%.*s' must be +NAME or -NAME", (int)len, s);
		int bit = feature_bit_by_name(device_id, s + 1, len - 1);

		if (bit < 0)
			return cli_usage_error(ctx, "--features: no feature '%.*s' for this device type (see 'virtioctl features')",
					       (int)len - 1, s + 1);
		virtio_features_set(s[0] == '+' ? &a->o.features_add : &a->o.features_remove, (unsigned)bit);
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* Writes each set-up queue as DIR/queueN.vqdump through ring_decode's writer. */
static int dump_queues(struct cli_ctx *ctx, const struct probe *p, const char *dir)
{
	for (uint16_t q = 0; q < p->num_queues; q++) {
		const struct probe_queue *pq = &p->queues[q];
		struct vq_snapshot s;
		struct emit_buf out = { 0 };
		struct rd_error err = { 0 };
		char path[4096];

		if (!pq->vq)
			continue;
		if (vq_take_snapshot(pq->vq, p->device_id, &s) < 0)
			return cli_error(ctx, EXIT_FAILURE, "--dump: out of memory for queue %u", q);
		int r = vqdump_write(&s, &out, &err);

		vq_snapshot_free(&s);
		if (r < 0 || out.oom) {
			emit_buf_free(&out);
			return cli_error(ctx, EXIT_FAILURE, "--dump: queue %u could not be serialised", q);
		}
		snprintf(path, sizeof(path), "%s/queue%u.vqdump", dir, q);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		bool ok = fd >= 0 && write(fd, out.data, out.len) == (ssize_t)out.len;

		if (fd >= 0 && close(fd) < 0)
			ok = false;
		emit_buf_free(&out);
		if (!ok)
			return cli_error(ctx, EXIT_FAILURE, "--dump: cannot write %s: %s", path, strerror(errno));
	}
	return 0;
}

static const char *dma_mode_name(const struct device_handle *h)
{
	if (!h->dma)
		return NULL;
	switch (dma_pool_backing(h->dma)) {
	case DMA_POOL_IOMMU: return "iommu, IOVA = physical address";
	case DMA_POOL_PHYSICAL: return "physical addresses, no IOMMU";
	case DMA_POOL_FAKE: return "plain memory";
	}
	return NULL;
}

/* How the device signals the driver: "msix", "intx" (MSI-X missing or refused), or "poll" (--poll, virtio-mmio). */
static const char *irq_mode_name(const struct device_handle *h)
{
	switch (h->irq_mode) {
	case VFIO_IRQ_MSIX: return "msix";
	case VFIO_IRQ_INTX: return "intx";
	case VFIO_IRQ_NONE: return "poll";
	}
	return NULL;
}

/* Opens, initialises, tests, dumps, resets; renders the report.  Returns the exit code. */
static int probe_device(struct cli_ctx *ctx, struct probe_args *a, const struct vdev *d)
{
	struct device_open_opts oo = {
		.transport = a->transport,
		.irq = a->o.poll ? IRQ_CHOICE_POLL : IRQ_CHOICE_AUTO,
		.n_vectors = 1 + PROBE_MAX_QUEUES / 8,
	};
	struct device_handle *h = NULL;
	char why[256] = "";
	int r = device_open(d, &oo, &h, why, sizeof(why));

	if (r < 0)
		return cli_error(ctx, EXIT_USAGE, "%s: %s", d->address, why[0] ? why : strerror(-r));
	struct probe p = { .t = h->t, .dma = h->dma, .vfio = h->vfio, .opts = &a->o, .device_id = d->device_id };
	int code = 0;

	r = probe_init_device(&p);
	if (r == 0)
		r = probe_run(&p);
	/* -ETIMEDOUT/-EPROTO: the device stopped answering or broke a ring; what ran is reported (exit 1) */
	if (r < 0)
		code = r == -ETIMEDOUT || r == -EPROTO ? EXIT_ANOMALY : EXIT_USAGE;
	if (a->pause) {
		/* The device keeps its negotiated state and ring indices until SIGCONT: QEMU's QMP can look now. */
		fprintf(stderr, "virtioctl probe: %s: paused before the final reset (pid %d); send SIGCONT to continue\n",
			d->address, (int)getpid());
		raise(SIGSTOP);
	}
	if (a->dump_dir && code != EXIT_USAGE) {
		int dr = dump_queues(ctx, &p, a->dump_dir);

		if (dr)
			code = EXIT_USAGE;
	}
	/* Rendered while the queues still exist (their sizes and positions are reported), flushed after the reset. */
	struct emit e;

	cli_emit_init(ctx, &e);
	probe_render(&e, &p, d->address, h->t->name, dma_mode_name(h), irq_mode_name(h));
	probe_finish(&p);
	device_close(h);
	int fr = cli_emit_flush(ctx, &e);

	if (!code) {
		for (size_t i = 0; i < p.n_results; i++)
			if (p.results[i].result == PROBE_FAIL)
				code = EXIT_ANOMALY;
		if (p.violations.n)
			code = EXIT_ANOMALY;
	}
	/* Why the probe stopped (a timeout naming the queue, a removal): one line on stderr whatever the format. */
	if (p.error[0])
		fprintf(stderr, "virtioctl probe: %s: %s\n", d->address, p.error);
	violation_log_free(&p.violations);
	return fr ? fr : code;
}

/*
 * The probe of a --rebind runs in a child process.  The device can only go
 * back to its kernel driver once every vfio file descriptor is closed
 * (vfio-pci's remove waits for them), which a signal handler inside the
 * prober cannot arrange; the parent holds none, so when the child ends,
 * normally or by SIGINT/SIGTERM after resetting the device, the parent
 * gives the device back and then ends the same way.
 */
static int probe_in_child(struct cli_ctx *ctx, struct probe_args *a, const struct vdev *d, int *term_sig)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old[3];
	int status = 0;
	pid_t pid;

	*term_sig = 0;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return cli_error(ctx, EXIT_USAGE, "--rebind: fork failed: %s", strerror(errno));
	if (pid == 0)
		exit(probe_device(ctx, a, d));
	/* The terminal's SIGINT reaches the child too; the parent waits for it to finish its reset. */
	for (size_t i = 0; i < 3; i++)
		sigaction(forwarded[i], &ign, &old[i]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < 3; i++)
		sigaction(forwarded[i], &old[i], NULL);
	if (WIFSIGNALED(status)) {
		*term_sig = WTERMSIG(status);
		return EXIT_USAGE;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_USAGE;
}

/* --rebind: to vfio-pci now, back to the kernel driver afterwards; the device list is read again in between. */
static int rebind_and_probe(struct cli_ctx *ctx, struct probe_args *a, const struct vdev *d)
{
	struct bind_opts bo = { 0 };
	struct bind_outcome out;
	struct vdev_list again;
	char why[256], address[64];
	int code, term_sig = 0;

	snprintf(address, sizeof(address), "%s", d->address);
	if (bind_to_vfio(d, &bo, &out, why, sizeof(why)) < 0)
		return cli_error(ctx, EXIT_USAGE, "--rebind: %s", why);
	if (vdev_discover(&again) < 0) {
		code = cli_error(ctx, EXIT_USAGE, "--rebind: cannot enumerate devices after binding %s", address);
	} else {
		const struct vdev *nd = vdev_lookup(&again, address);

		code = nd ? probe_in_child(ctx, a, nd, &term_sig)
			  : cli_error(ctx, EXIT_USAGE, "--rebind: %s vanished after binding", address);
		if (nd && bind_to_kernel(nd, &bo, &out, why, sizeof(why)) < 0) {
			fprintf(stderr, "virtioctl probe: --rebind: giving %s back failed: %s\n", address, why);
			code = EXIT_USAGE;
		}
		vdev_list_free(&again);
	}
	if (term_sig) {
		/* Given back; now end as the probe did, so a shell sees 128 + the signal. */
		fprintf(stderr, "virtioctl probe: %s: stopped by signal %d; the device was reset and given back to %s\n",
			address, term_sig, out.driver_after[0] ? out.driver_after : "the kernel");
		signal(term_sig, SIG_DFL);
		raise(term_sig);
	}
	return code;
}

/*
 * The kernel's /dev/mem with CONFIG_IO_STRICT_DEVMEM (Debian's kernels)
 * refuses a whole page while any driver claims part of it, and
 * virtio-mmio windows are 0x200 bytes: on QEMU's microvm eight share one
 * 4 KiB page.  Releasing the device itself is then not enough; this finds
 * a neighbour that a driver still claims, so the error can name it.
 */
static const struct vdev *mmio_page_neighbour(const struct vdev_list *devs, const struct vdev *d)
{
	long sz = sysconf(_SC_PAGESIZE);
	uint64_t page = sz > 0 ? (uint64_t)sz : 4096;

	if (!d->is_mmio || !d->has_mmio_base)
		return NULL;
	uint64_t first = d->mmio_base & ~(page - 1);
	uint64_t end = (d->mmio_base + (d->mmio_size ? d->mmio_size : 1) + page - 1) & ~(page - 1);

	for (size_t i = 0; i < devs->n; i++) {
		const struct vdev *o = &devs->v[i];

		if (o == d || !o->is_mmio || !o->has_mmio_base || !o->driver[0])
			continue;
		if (o->mmio_base < end && o->mmio_base + (o->mmio_size ? o->mmio_size : 1) > first)
			return o;
	}
	return NULL;
}

static int run_probe(int argc, char **argv, struct cli_ctx *ctx)
{
	struct probe_args a = { 0 };
	struct vdev_list devs;
	int r = parse_args(argc, argv, ctx, &a);

	if (r)
		return r < 0 ? 0 : r;
	if (a.list_tests)
		return list_tests(ctx);
	if (a.dump_dir) {
		struct stat st;

		if (stat(a.dump_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			return cli_usage_error(ctx, "--dump: '%s' is not a directory", a.dump_dir);
	}
	r = vdev_discover(&devs);
	if (r < 0)
		return cli_error(ctx, EXIT_USAGE, "cannot enumerate devices: %s", strerror(-r));
	const struct vdev *d = vdev_lookup(&devs, a.device);

	const struct vdev *nb = d && !vdev_kernel_owned(d) ? mmio_page_neighbour(&devs, d) : NULL;

	if (!d) {
		r = cli_error(ctx, EXIT_USAGE, "no virtio device '%s' (see 'virtioctl list')", a.device);
	} else if (nb) {
		r = cli_error(ctx, EXIT_USAGE,
			      "%s: /dev/mem refuses its registers while %s, in the same page, is claimed by %s "
			      "(IO_STRICT_DEVMEM works per page); release that one too: virtioctl bind %s --vfio",
			      d->address, nb->address, nb->driver, nb->address);
	} else if (!d->device_id_known) {
		r = cli_error(ctx, EXIT_USAGE, "%s: its virtio device id is unknown; nothing to probe", d->address);
	} else if ((r = parse_feature_changes(ctx, &a, d->device_id)) != 0) {
		/* usage error printed */
	} else if (vdev_kernel_owned(d) && !a.rebind) {
		r = cli_error(ctx, EXIT_USAGE,
			      "%s is owned by the kernel driver %s; left unchanged. Bind it with 'virtioctl bind %s --vfio' "
			      "or probe with --rebind", d->address, d->driver, d->address);
	} else if (vdev_kernel_owned(d)) {
		r = rebind_and_probe(ctx, &a, d);
	} else {
		r = probe_device(ctx, &a, d);
	}
	vdev_list_free(&devs);
	return r;
}

const struct cli_verb verb_probe = {
	.name = "probe",
	.run = run_probe,
	.summary = "drive a vfio-bound virtio device from userspace: initialise it, run self-tests, report violations",
	.usage = "[OPTIONS] DEVICE",
	.opts = probe_opts_table,
	.complete = "vfio-device",
};
