/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every open transport is reset on every way out of the process: exit, SIGINT, SIGTERM, SIGHUP, SIGBUS. */
#include "transport.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/*
 * A fixed table of pointers, not a linked list: the signal handler walks it
 * while the main program may be adding or removing, and a slot is one
 * atomic pointer store.  Entries are written before handlers can see them.
 */
static struct transport *volatile open_transports[TRANSPORT_CLEANUP_MAX];
static volatile sig_atomic_t handlers_installed;
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGBUS };

void transport_cleanup_reset_all(void)
{
	for (size_t i = 0; i < TRANSPORT_CLEANUP_MAX; i++) {
		struct transport *t = open_transports[i];

		if (t)
			t->ops->reset_now(t);
	}
}

static void on_signal(int sig)
{
	transport_cleanup_reset_all();
	/* Die of the same signal, so the parent sees what happened (exit status 128+sig for shells). */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_exit_reset(void)
{
	transport_cleanup_reset_all();
}

static void install_handlers(void)
{
	struct sigaction sa;

	if (handlers_installed)
		return;
	handlers_installed = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
		struct sigaction old;

		/* A signal the caller chose to ignore (nohup) stays ignored. */
		if (sigaction(cleanup_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(cleanup_signals[i], &sa, NULL);
	}
	atexit(on_exit_reset);
}

int transport_cleanup_register(struct transport *t)
{
	install_handlers();
	for (size_t i = 0; i < TRANSPORT_CLEANUP_MAX; i++) {
		if (open_transports[i] == t)
			return 0;
	}
	for (size_t i = 0; i < TRANSPORT_CLEANUP_MAX; i++) {
		if (!open_transports[i]) {
			open_transports[i] = t;
			return 0;
		}
	}
	return -ENOSPC;
}

void transport_cleanup_unregister(struct transport *t)
{
	for (size_t i = 0; i < TRANSPORT_CLEANUP_MAX; i++)
		if (open_transports[i] == t)
			open_transports[i] = NULL;
}
