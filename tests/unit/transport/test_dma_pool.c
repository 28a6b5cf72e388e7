/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DMA pool: alignment, zeroing, bus-to-host translation, and physical addresses checked against pagemap. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dma_pool.h"

static void test_fake_pool(void **state)
{
	struct dma_pool_opts o = { .backing = DMA_POOL_FAKE, .size = 3 * 4096 };
	struct dma_pool *p = NULL;
	struct dma_chunk a, b, c;
	char why[200] = "";

	(void)state;
	assert_int_equal(dma_pool_create(&o, &p, why, sizeof(why)), 0);
	assert_int_equal(dma_alloc(p, 100, 16, &a), 0);
	assert_int_equal(dma_alloc(p, 4096, 4096, &b), 0);
	assert_int_equal(b.bus_addr % 4096, 0);
	assert_true(b.bus_addr >= a.bus_addr + 100);
	memset(a.vaddr, 0xaa, a.len);
	assert_ptr_equal(dma_bus_to_virt(p, a.bus_addr + 10, 90), (uint8_t *)a.vaddr + 10);
	assert_null(dma_bus_to_virt(p, a.bus_addr + 10, 91));            /* runs past the chunk */
	assert_null(dma_bus_to_virt(p, a.bus_addr + 100, 16));           /* padding, not a chunk */
	assert_int_equal(dma_alloc(p, 4096, 8, &c), 0);                  /* the last page */
	assert_int_equal(dma_alloc(p, 1, 1, &c), -ENOMEM);
	assert_int_equal(dma_alloc(p, 8, 3, &c), -EINVAL);               /* not a power of two */
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(((uint8_t *)b.vaddr)[i], 0);
	dma_pool_destroy(p);
	dma_pool_destroy(NULL);
}

static uint64_t pagemap_pa(int fd, const void *va)
{
	uint64_t e = 0;

	assert_int_equal(pread(fd, &e, sizeof(e), (off_t)((uintptr_t)va / 4096 * 8)), (ssize_t)sizeof(e));
	return (e & ((1ULL << 55) - 1)) * 4096 + (uintptr_t)va % 4096;
}

/* Every byte of a chunk must sit at bus_addr + offset physically: checked page by page against pagemap. */
static void test_physical_pool(void **state)
{
	struct dma_pool_opts o = { .backing = DMA_POOL_PHYSICAL, .size = 1u << 20 };
	struct dma_pool *p = NULL;
	struct dma_chunk c[8];
	char why[200] = "";
	int fd, r;

	(void)state;
	r = dma_pool_create(&o, &p, why, sizeof(why));
	if (r == -EPERM || r == -ENOMEM || r == -EAGAIN) {
		print_message("physical pool unavailable here (%s): skipped\n", why);
		skip();
	}
	assert_int_equal(r, 0);
	fd = open("/proc/self/pagemap", O_RDONLY);
	assert_true(fd >= 0);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(dma_alloc(p, i % 2 ? 10246 : 512, 4096, &c[i]), 0);
		for (size_t off = 0; off < c[i].len; off += 4096 - ((uintptr_t)c[i].vaddr + off) % 4096)
			assert_int_equal(pagemap_pa(fd, (uint8_t *)c[i].vaddr + off), c[i].bus_addr + off);
		assert_int_equal(pagemap_pa(fd, (uint8_t *)c[i].vaddr + c[i].len - 1), c[i].bus_addr + c[i].len - 1);
	}
	close(fd);
	dma_pool_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_pool),
		cmocka_unit_test(test_physical_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
