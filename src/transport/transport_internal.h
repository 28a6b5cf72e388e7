/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the transport implementations (not for users of the ops table). */
#ifndef VIRTIOCTL_TRANSPORT_INTERNAL_H
#define VIRTIOCTL_TRANSPORT_INTERNAL_H

#include <stdint.h>

#include "transport.h"

/* Queues counted by probing sizes (no num_queues register) stop here: a device answering forever is bounded. */
#define TRANSPORT_MAX_COUNTED_QUEUES 1024u

uint64_t transport_now_ms(void);
void transport_pause_us(unsigned us);
/* The reset timeout in effect for t. */
unsigned transport_timeout_ms(const struct transport *t);

#endif
