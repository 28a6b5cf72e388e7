/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top's interactive screen (ncursesw): the queue table, sort, filter, pause, help, and a queue's live detail. */
#include "top_run.h"

#include "config.h" /* HAVE_NCURSES */

#if !HAVE_NCURSES

bool top_tui_available(void)
{
	return false;
}

int top_tui_run(struct top_run *r)
{
	(void)r;
	return EXIT_USAGE;
}

#else

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_virtio.h"
#include "vdev_render.h"
#include "vq_decode.h"

enum { PAIR_HEADER = 1, PAIR_STALL, PAIR_WARN, PAIR_ANOMALY, PAIR_DIM };

struct tui {
	struct top_run *r;
	bool color;
	bool paused;
	bool help;
	bool detail;
	struct vq_obs_queue selected;   /* identity of the selected queue (kept across re-sorting) */
	bool has_selected;
	size_t sel;                     /* index into order */
	size_t top;                     /* first row shown */
	size_t detail_top;              /* first detail line shown */
	size_t *order;
	size_t n_order;
	char detail_error[256];
};

bool top_tui_available(void)
{
	return true;
}

static void set_color(struct tui *t, int pair, bool on)
{
	if (!t->color)
		return;
	if (on)
		attron(COLOR_PAIR(pair));
	else
		attroff(COLOR_PAIR(pair));
}

/* Draws a line of emit text output, turning its ANSI styles into curses attributes; clipped at the width. */
static void draw_styled(struct tui *t, int y, const char *s, size_t n)
{
	int x = 0, cols = COLS;

	move(y, 0);
	for (size_t i = 0; i < n && x < cols;) {
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
			size_t j = i + 2;
			char code[16];
			size_t k = 0;

			while (j < n && s[j] != 'm' && k + 1 < sizeof(code))
				code[k++] = s[j++];
			code[k] = '\0';
			i = j + 1;
			attrset(A_NORMAL);
			if (!strcmp(code, "1;31"))
				t->color ? attron(COLOR_PAIR(PAIR_ANOMALY) | A_BOLD) : attron(A_BOLD | A_UNDERLINE);
			else if (!strcmp(code, "33"))
				t->color ? attron(COLOR_PAIR(PAIR_WARN)) : attron(A_BOLD);
			else if (!strcmp(code, "1"))
				attron(A_BOLD);
			else if (!strcmp(code, "2"))
				attron(A_DIM);
			continue;
		}
		addch((unsigned char)s[i]);
		x++;
		i++;
	}
	attrset(A_NORMAL);
}

static void select_by_identity(struct tui *t)
{
	const struct top_state *st = &t->r->st;

	if (t->has_selected)
		for (size_t i = 0; i < t->n_order; i++)
			if (vq_obs_same_queue(&st->rows[t->order[i]].q, &t->selected)) {
				t->sel = i;
				return;
			}
	if (t->sel >= t->n_order)
		t->sel = t->n_order ? t->n_order - 1 : 0;
}

static int reselect(struct tui *t)
{
	const struct top_state *st = &t->r->st;
	size_t *o = realloc(t->order, (st->n_rows + 1) * sizeof(*o));

	if (!o)
		return -ENOMEM;
	t->order = o;
	t->n_order = top_select(st, &t->r->o->filter, t->r->o->sort, t->order);
	select_by_identity(t);
	if (t->n_order) {
		t->selected = st->rows[t->order[t->sel]].q;
		t->has_selected = true;
	}
	return 0;
}

static void draw_status(struct tui *t)
{
	const struct top_run *r = t->r;
	const struct top_filter *f = &r->o->filter;

	mvprintw(0, 0, "virtioctl top - source %s, %zu of %zu queues, sort %s%s%s%s%s", r->src->ops->name, t->n_order,
		 r->st.n_rows, top_sort_name(r->o->sort), f->text[0] ? ", filter '" : "", f->text,
		 f->text[0] ? "'" : "", t->paused ? "  [paused]" : "");
	clrtoeol();
	if (r->src->degraded_why[0]) {
		set_color(t, PAIR_WARN, true);
		mvprintw(1, 0, "degraded: %.*s", COLS > 11 ? COLS - 11 : 0, r->src->degraded_why);
		set_color(t, PAIR_WARN, false);
	}
	move(LINES - 1, 0);
	attron(A_DIM);
	printw("q quit  h help  Enter detail  s/d/k/i/f/l/t sort  / filter  p pause");
	attroff(A_DIM);
	clrtoeol();
}

static void draw_table(struct tui *t)
{
	struct emit e;
	const char *s;
	size_t len;
	int first = 3, rows = LINES - first - 1;

	emit_init(&e, EMIT_TEXT, false, false);
	top_render_header(&e);
	s = emit_result(&e, &len);
	attron(A_REVERSE);
	mvprintw(2, 0, "%-*.*s", COLS, COLS, s ? s : "");
	attroff(A_REVERSE);
	if (rows < 1) {
		emit_free(&e);
		return;
	}
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	for (int y = 0; y < rows && t->top + (size_t)y < t->n_order; y++) {
		const struct top_row *row = &t->r->st.rows[t->order[t->top + (size_t)y]];
		bool stalled = row->stall != TOP_STALL_NONE && row->stall != TOP_STALL_UNKNOWN;
		bool selected = t->top + (size_t)y == t->sel;

		emit_reset(&e);
		top_render_row(&e, row);
		s = emit_result(&e, &len);
		if (selected)
			attron(A_REVERSE);
		if (stalled)
			t->color ? attron(COLOR_PAIR(PAIR_STALL) | A_BOLD) : attron(A_BOLD);
		mvprintw(first + y, 0, "%-*.*s", COLS, COLS, s ? s : "");
		attrset(A_NORMAL);
	}
	if (!t->n_order)
		mvprintw(first, 0, "no virtqueues match");
	emit_free(&e);
}

/* Wraps words of s at the screen width from line *y on. */
static void draw_wrapped(int *y, int last, const char *label, const char *s)
{
	int x;

	mvprintw(*y, 0, "%s", label);
	x = (int)strlen(label);
	while (*s && *y <= last) {
		size_t w = strcspn(s, " ");

		if (x + (int)w + 1 > COLS && x > (int)strlen(label)) {
			(*y)++;
			x = (int)strlen(label);
			if (*y > last)
				return;
		}
		mvprintw(*y, x, "%.*s", (int)w, s);
		x += (int)w + 1;
		s += w;
		while (*s == ' ')
			s++;
	}
	(*y)++;
}

static void draw_device(struct tui *t, const struct vq_obs_queue *q, int *y, int last)
{
	struct sysfs_virtio_dev d;
	struct emit e;
	const char *s;

	if (sysfs_virtio_read(q->device, &d) < 0) {
		mvprintw((*y)++, 0, "%s: not in sysfs any more", q->device);
		return;
	}
	emit_init(&e, EMIT_TEXT, false, false);
	if (d.has_status) {
		mvprintw((*y)++, 0, "status: 0x%02x %s (driver %s)", d.status, vdev_status_summary(d.status),
			 d.driver[0] ? d.driver : "none");
	} else {
		mvprintw((*y)++, 0, "status: unknown (driver %s)", d.driver[0] ? d.driver : "none");
	}
	if (d.has_features) {
		vdev_emit_feature_names(&e, "features", d.device_id, &d.features, " ", 0);
		s = emit_result(&e, NULL);
		draw_wrapped(y, last, "features: ", s ? s : "");
	} else {
		draw_wrapped(y, last, "features: ", "unknown");
	}
	emit_free(&e);
	(void)t;
}

/* The live ring: a snapshot from the source, decoded and rendered by the same code as `decode`. */
static void draw_ring(struct tui *t, const struct vq_obs_queue *q, int y, int last)
{
	struct vq_obs_source *src = t->r->src;
	struct vq_snapshot snap = { 0 };
	struct vq_decode_result *res = NULL;
	struct rd_error err = { 0 };
	struct emit e;
	const char *s, *line;
	size_t len, skip = t->detail_top;
	int r = src->ops->snapshot ? src->ops->snapshot(src, q->device, q->queue, &snap) : -EOPNOTSUPP;

	if (r == -EOPNOTSUPP) {
		mvprintw(y++, 0, "no ring memory from this source: %s", src->degraded_why[0] ? src->degraded_why : "");
		return;
	}
	if (r < 0) {
		mvprintw(y, 0, "cannot snapshot the ring: %s", strerror(-r));
		return;
	}
	r = vq_decode(&snap, &res, &err);
	if (r < 0) {
		mvprintw(y, 0, "cannot decode the ring: %s", err.msg);
		vq_snapshot_free(&snap);
		return;
	}
	emit_init(&e, EMIT_TEXT, false, true);
	vq_render(&e, &snap, res, 0);
	s = emit_result(&e, &len);
	for (line = s; line && *line && y <= last;) {
		size_t n = strcspn(line, "\n");

		if (skip)
			skip--;
		else
			draw_styled(t, y++, line, n);
		line += n + (line[n] == '\n');
	}
	emit_free(&e);
	vq_decode_result_free(res);
	vq_snapshot_free(&snap);
}

static void draw_detail(struct tui *t)
{
	const struct top_row *row = NULL;
	int y = 2, last = LINES - 2;
	char idx[16] = "?";
	const char *type;

	for (size_t i = 0; i < t->r->st.n_rows; i++)
		if (vq_obs_same_queue(&t->r->st.rows[i].q, &t->selected))
			row = &t->r->st.rows[i];
	if (!row) {
		mvprintw(y, 0, "%s %s: the queue is gone", t->selected.device, t->selected.name);
		return;
	}
	type = top_type_name(&row->q);
	if (row->q.queue != VQ_QUEUE_INDEX_UNKNOWN)
		snprintf(idx, sizeof(idx), "%u", row->q.queue);
	attron(A_BOLD);
	mvprintw(y++, 0, "%s (%s) queue %s %s", row->q.device, type ? type : "unknown type", idx, row->q.name);
	attroff(A_BOLD);
	if (row->stall != TOP_STALL_NONE && row->stall != TOP_STALL_UNKNOWN) {
		t->color ? attron(COLOR_PAIR(PAIR_STALL) | A_BOLD) : attron(A_BOLD);
		mvprintw(y++, 0, "STALLED %.1f s: %s", (double)row->stalled_for_ns / 1e9, top_stall_summary(row->stall));
		attrset(A_NORMAL);
	}
	draw_device(t, &row->q, &y, last);
	y++;
	if (row->q.queue == VQ_QUEUE_INDEX_UNKNOWN)
		mvprintw(y, 0, "no ring: the queue index of vector '%s' is unknown", row->q.name);
	else
		draw_ring(t, &row->q, y, last);
	move(LINES - 1, 0);
	attron(A_DIM);
	printw("Esc/Left back  Up/Down scroll  q quit  p pause");
	attroff(A_DIM);
	clrtoeol();
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"virtioctl top keys",
		"",
		"  Up/Down PgUp/PgDn Home/End   select a queue",
		"  Enter                        the queue's detail: features, status, live ring",
		"  Esc, Left                    back from the detail",
		"  s                            next sort key",
		"  d k i f l t                  sort by device, kicks, interrupts,",
		"                               in-flight, latency, stall",
		"  /                            filter by device, type or queue name",
		"  p, space                     pause (keep the screen, stop sampling)",
		"  h, ?                         this help (any key closes it)",
		"  q                            quit",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0])), w = 64;
	int y0 = LINES > n + 2 ? (LINES - n - 2) / 2 : 0, x0 = COLS > w ? (COLS - w) / 2 : 0;

	for (int i = -1; i <= n; i++) {
		mvprintw(y0 + i + 1, x0, "%-*s", w, "");
		if (i >= 0 && i < n)
			mvprintw(y0 + i + 1, x0 + 2, "%s", lines[i]);
	}
	attron(A_REVERSE);
	mvprintw(y0, x0, "%-*s", w, "");
	mvprintw(y0 + n + 1, x0, "%-*s", w, "");
	attroff(A_REVERSE);
}

static void draw(struct tui *t)
{
	erase();
	draw_status(t);
	if (t->detail)
		draw_detail(t);
	else
		draw_table(t);
	if (t->help)
		draw_help();
	refresh();
}

/* The filter prompt on the last line; Enter applies, Esc keeps the old filter. */
static void prompt_filter(struct tui *t, struct top_filter *f)
{
	char buf[sizeof(f->text)] = "";
	size_t n = 0;

	curs_set(1);
	timeout(-1);
	for (;;) {
		mvprintw(LINES - 1, 0, "filter (device, type or queue name; empty: all): %s", buf);
		clrtoeol();
		refresh();
		int c = getch();

		if (c == 27) {
			break;
		} else if (c == '\n' || c == KEY_ENTER) {
			memcpy(f->text, buf, sizeof(buf));
			break;
		} else if ((c == KEY_BACKSPACE || c == 127 || c == 8) && n) {
			buf[--n] = '\0';
		} else if (c >= 0x20 && c < 0x7f && n + 1 < sizeof(buf)) {
			buf[n++] = (char)c;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	t->sel = 0;
	t->has_selected = false;
}

static const struct {
	int key;
	enum top_sort sort;
} sort_keys[] = {
	{ 'd', TOP_SORT_DEVICE }, { 'k', TOP_SORT_KICKS }, { 'i', TOP_SORT_INTERRUPTS },
	{ 'f', TOP_SORT_IN_FLIGHT }, { 'l', TOP_SORT_LATENCY }, { 't', TOP_SORT_STALL },
};

static void move_selection(struct tui *t, long delta)
{
	long s = (long)t->sel + delta;

	if (s < 0 || !t->n_order)
		s = 0;
	else if (s >= (long)t->n_order)
		s = (long)t->n_order - 1;
	t->sel = (size_t)s;
	if (t->n_order) {
		t->selected = t->r->st.rows[t->order[t->sel]].q;
		t->has_selected = true;
	}
}

/* Handles one key; false when it asks to quit. */
static bool on_key(struct tui *t, struct top_opts *o, int c)
{
	long page = LINES > 5 ? LINES - 5 : 1;

	if (t->help) {
		t->help = false;
		return true;
	}
	switch (c) {
	case 'q':
		return false;
	case 'h':
	case '?':
		t->help = true;
		break;
	case 'p':
	case ' ':
		t->paused = !t->paused;
		break;
	case 27:
	case KEY_LEFT:
		t->detail = false;
		break;
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (t->n_order) {
			t->detail = true;
			t->detail_top = 0;
		}
		break;
	case KEY_UP:
		t->detail ? (void)(t->detail_top -= t->detail_top > 0) : move_selection(t, -1);
		break;
	case KEY_DOWN:
		t->detail ? (void)t->detail_top++ : move_selection(t, 1);
		break;
	case KEY_PPAGE:
		move_selection(t, -page);
		break;
	case KEY_NPAGE:
		move_selection(t, page);
		break;
	case KEY_HOME:
		move_selection(t, -(long)t->n_order);
		break;
	case KEY_END:
		move_selection(t, (long)t->n_order);
		break;
	case 's':
		o->sort = (enum top_sort)((o->sort + 1) % TOP_SORT__COUNT);
		break;
	case '/':
		prompt_filter(t, &o->filter);
		break;
	default:
		for (size_t i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++)
			if (c == sort_keys[i].key)
				o->sort = sort_keys[i].sort;
		break;
	}
	return true;
}

static void init_colors(struct tui *t)
{
	t->color = t->r->ctx->color && has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_STALL, COLOR_RED, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_ANOMALY, COLOR_RED, -1);
	init_pair(PAIR_DIM, COLOR_BLUE, -1);
}

int top_tui_run(struct top_run *r)
{
	/* The screen edits the sort and filter; the options stay the caller's defaults. */
	struct top_opts o = *r->o;
	const struct top_opts *caller = r->o;
	struct tui t = { .r = r };
	int e = 0;

	r->o = &o;
	if (!initscr()) {
		r->o = caller;
		return cli_error(r->ctx, EXIT_FAILURE, "cannot start the screen (TERM=%s)", getenv("TERM"));
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	init_colors(&t);
	while (!e && !top_stop) {
		uint64_t now = top_now_ns();
		int c;

		if (reselect(&t) < 0) {
			e = EXIT_FAILURE;
			break;
		}
		draw(&t);
		timeout(now >= r->next_tick_ns ? 0 : (int)((r->next_tick_ns - now) / 1000000) + 1);
		c = getch();
		if (c == ERR) {
			if (t.paused)
				r->next_tick_ns += (uint64_t)(o.delay_s * 1e9);
			else
				e = top_run_tick(r);
			if (!e && o.iterations >= 0 && r->ticks >= o.iterations) {
				reselect(&t);
				draw(&t);
				break;
			}
			continue;
		}
		if (c == KEY_RESIZE)
			continue;
		if (!on_key(&t, &o, c))
			break;
	}
	endwin();
	free(t.order);
	r->o = caller;
	if (!e && r->any_stall)
		e = EXIT_ANOMALY;
	return e;
}

#endif
