/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LD_PRELOAD shim for tests: truncates a file right after it is mapped, as a process rewriting a core would. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *(*real)(void *, size_t, int, int, int, off_t) =
		(void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	void *m = real(addr, len, prot, flags, fd, off);
	char path[64];

	/* only file mappings of the size asked for in SHRINK_ON_MAP_MIN and up: not the loader's or malloc's */
	const char *min = getenv("SHRINK_ON_MAP_MIN");
	if (m == MAP_FAILED || fd < 0 || !min || len < strtoull(min, NULL, 10))
		return m;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int w = open(path, O_WRONLY);
	if (w >= 0) {
		if (ftruncate(w, 0) < 0)
			perror("shrink_on_map: ftruncate");
		close(w);
	}
	return m;
}
