/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of PCI vendors, devices and subsystems from the pci.ids database (read-only; absent is fine). */
#include "pci_ids.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_paths[] = {
	"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids", NULL,
};

/* Four hex digits at s, stored in *v; false otherwise. */
static bool hex4(const char *s, uint16_t *v)
{
	unsigned x = 0;

	for (int i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		x = x * 16 + (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	*v = (uint16_t)x;
	return true;
}

/* The name after "ID  " (two spaces in the database), without the newline, into dst. */
static void copy_name(char *dst, size_t len, const char *s)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strcspn(s, "\r\n");
	if (n >= len)
		n = len - 1;
	/* Only printable characters reach a terminal. */
	for (size_t i = 0; i < n; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	dst[n] = '\0';
}

bool pci_ids_lookup(const char *path, uint16_t vendor, uint16_t device, uint16_t subsys_vendor, uint16_t subsys_id,
		    struct pci_id_names *out)
{
	char line[512];
	bool in_vendor = false, in_device = false, found = false;
	FILE *f = NULL;
	uint16_t a, b;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; path ? !f && i == 0 : default_paths[i] && !f; i++)
		f = fopen(path ? path : default_paths[i], "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		/* The tail of an overlong line is skipped, not read as a line of its own. */
		if (n && line[n - 1] != '\n' && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[0] != '\t') {
			if (in_vendor)
				break;
			/* "C xx  class" starts the class section, after every vendor. */
			if (line[0] == 'C' && line[1] == ' ')
				break;
			if (hex4(line, &a) && line[4] == ' ' && a == vendor) {
				in_vendor = found = true;
				copy_name(out->vendor, sizeof(out->vendor), line + 4);
			}
			continue;
		}
		if (!in_vendor)
			continue;
		if (line[1] != '\t') {
			in_device = hex4(line + 1, &a) && line[5] == ' ' && a == device;
			if (in_device)
				copy_name(out->device, sizeof(out->device), line + 5);
			continue;
		}
		if (in_device && hex4(line + 2, &a) && line[6] == ' ' && hex4(line + 7, &b) && line[11] == ' ' &&
		    a == subsys_vendor && b == subsys_id)
			copy_name(out->subsystem, sizeof(out->subsystem), line + 11);
	}
	fclose(f);
	return found;
}
