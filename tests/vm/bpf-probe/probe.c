// SPDX-License-Identifier: GPL-2.0-or-later
/* Loader for probe.bpf.o: attaches the virtio probes, runs a workload, prints hit counts. */

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const char *const slot_names[] = {
	"kprobe_vring_interrupt",
	"fentry_virtqueue_notify",
	"fentry_virtqueue_kick",
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's warnings are the only clue when an attach fails inside the VM. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bpf-probe [-o OBJECT] -- COMMAND [ARG...]\n"
		   "Attach every program in OBJECT (default: bpf-probe.bpf.o next to this binary),\n"
		   "run COMMAND, then print one NAME=COUNT line per probe.\n");
}

static int run(char **argv)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "bpf-probe: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	char default_obj[PATH_MAX];
	const char *obj_path = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *links[16];
	size_t n_links = 0;
	struct bpf_map *map;
	int opt, rc, failed = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "ho:")) != -1) {
		switch (opt) {
		case 'o':
			obj_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (!obj_path) {
		n = readlink("/proc/self/exe", default_obj, sizeof(default_obj) - 32);
		if (n < 0) {
			perror("bpf-probe: readlink /proc/self/exe");
			return 1;
		}
		default_obj[n] = '\0';
		strcat(dirname(default_obj), "/bpf-probe.bpf.o");
		obj_path = default_obj;
	}

	libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "bpf-probe: open %s: %s\n", obj_path, strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "bpf-probe: load %s: %s\n", obj_path, strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link = bpf_program__attach(prog);

		if (!link || n_links >= sizeof(links) / sizeof(links[0])) {
			fprintf(stderr, "bpf-probe: attach %s: %s\n",
				bpf_program__name(prog), link ? "too many programs" : strerror(errno));
			bpf_link__destroy(link);
			failed = 1;
		} else {
			links[n_links++] = link;
			printf("attached %s\n", bpf_program__name(prog));
		}
	}
	fflush(stdout);
	if (failed)
		return 1;

	rc = run(&argv[optind]);

	map = bpf_object__find_map_by_name(obj, "hits");
	if (!map) {
		fprintf(stderr, "bpf-probe: no 'hits' map in %s\n", obj_path);
		return 1;
	}
	for (__u32 i = 0; i < sizeof(slot_names) / sizeof(slot_names[0]); i++) {
		__u64 v = 0;

		if (bpf_map__lookup_elem(map, &i, sizeof(i), &v, sizeof(v), 0)) {
			fprintf(stderr, "bpf-probe: read slot %u: %s\n", i, strerror(errno));
			return 1;
		}
		printf("%s=%llu\n", slot_names[i], (unsigned long long)v);
	}
	printf("workload_status=%d\n", rc);
	/* Freed explicitly so the probe stays clean when the suite runs under LeakSanitizer. */
	for (size_t i = 0; i < n_links; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return rc == 0 ? 0 : 1;
}
