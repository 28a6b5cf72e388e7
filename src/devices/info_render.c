/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one renderer of the `info` model: identity, PCI capabilities, interrupts, features, queues, config. */
#include "info_model.h"

#include <stdio.h>
#include <string.h>

#include "pci_cmdstat.h"
#include "vdev_render.h"
#include "virtio_spec.h"

static void render_pci_header(struct emit *e, const struct info_model *m);

static void render_identity(struct emit *e, const struct info_model *m)
{
	const struct vdev *d = m->dev;
	const struct virtio_device_type *t = m->device_id_known ? virtio_device_type_by_id(m->device_id) : NULL;
	const struct sysfs_virtio_dev *vd = d->has_virtio ? &d->virtio : NULL;
	struct vdev tmp = *d;
	char buf[32];

	/* Registers may have told the device id the kernel did not. */
	tmp.device_id_known = m->device_id_known;
	tmp.device_id = m->device_id;
	emit_style(e, EMIT_STYLE_BOLD);
	emit_str(e, "address", "%s", d->address);
	emit_style(e, EMIT_STYLE_NONE);
	emit_str(e, "type", NULL, t ? t->name : NULL);
	emit_text(e, " %s", vdev_type_name(&tmp, buf, sizeof(buf)));
	emit_opt_str(e, "type_name", t ? " (%s)" : NULL, t ? t->spec_name : NULL);
	emit_opt_uint(e, "device_id", NULL, m->device_id_known, m->device_id);
	emit_str(e, "transport", ", %s\n", vdev_transport_name(d));
	render_pci_header(e, m);
	emit_opt_str(e, "transport_driver", "driver: %s\n", d->driver);
	emit_opt_str(e, "device", "virtio: %s", vd ? vd->name : NULL);
	emit_opt_str(e, "driver", vd ? ", driver %s" : NULL, vd ? vd->driver : NULL);
	emit_text(e, "\n");
	emit_opt_uint(e, "iommu_group", "iommu group: %llu\n", d->iommu_group >= 0,
			   (unsigned long long)d->iommu_group);
	emit_array_begin(e, "kernel_devices");
	if (m->class_devs.n)
		emit_text(e, "kernel devices:");
	for (size_t i = 0; i < m->class_devs.n; i++) {
		emit_object_begin(e, NULL);
		emit_str(e, "class", " %s", m->class_devs.dev[i].cls);
		emit_str(e, "name", "/%s", m->class_devs.dev[i].name);
		emit_object_end(e);
	}
	if (m->class_devs.n)
		emit_text(e, "\n");
	emit_array_end(e);
}

static void render_pci_header(struct emit *e, const struct info_model *m)
{
	const struct vdev *d = m->dev;

	if (!d->is_pci) {
		emit_null(e, "pci");
		return;
	}
	const struct pci_id_names *n = &m->names;

	emit_object_begin(e, "pci");
	emit_opt_str(e, "pci_vendor_name", n->vendor[0] ? "name: %s" : NULL, n->vendor);
	emit_opt_str(e, "pci_device_name", n->device[0] ? " %s" : NULL, n->device);
	emit_opt_str(e, "pci_subsystem_name", n->subsystem[0] ? " (subsystem: %s)" : NULL, n->subsystem);
	if (n->vendor[0] || n->device[0])
		emit_text(e, "\n");
	emit_hex(e, "pci_vendor_id", "pci: vendor %04llx", d->pci_vendor_id);
	emit_hex(e, "pci_device_id", " device %04llx", d->pci_device_id);
	emit_hex(e, "pci_subsystem_vendor_id", ", subsystem %04llx", d->subsys_vendor_id);
	emit_hex(e, "pci_subsystem_id", ":%04llx", d->subsys_id);
	emit_hex(e, "revision", ", revision %02llx", d->revision);
	emit_hex(e, "class", ", class %06llx", d->class_code);
	emit_uint(e, "config_space_length", ", %llu bytes of config space readable\n", d->config_len);
	emit_opt_str(e, "physfn", d->physfn[0] ? "SR-IOV virtual function of %s\n" : NULL, d->physfn);
	pci_cmdstat_render(e, d->config, d->config_len);
	emit_object_end(e);
}

static void render_bars(struct emit *e, const struct info_model *m)
{
	const struct vdev *d = m->dev;

	emit_array_begin(e, "bars");
	for (int i = 0; d->is_pci && i < PCI_NUM_BARS; i++) {
		const struct vdev_bar *b = &d->bars[i];

		if (!b->present)
			continue;
		emit_object_begin(e, NULL);
		emit_uint(e, "index", "BAR%llu:", (unsigned long long)i);
		emit_str(e, "type", " %s", b->io ? "io" : "memory");
		emit_hex(e, "base", " at 0x%llx", b->base);
		emit_uint(e, "size", ", size 0x%llx", b->size);
		emit_bool(e, "mem64", NULL, b->mem64);
		emit_bool(e, "prefetchable", NULL, b->prefetchable);
		if (!b->io)
			emit_text(e, " (%s, %sprefetchable)", b->mem64 ? "64-bit" : "32-bit", b->prefetchable ? "" : "non-");
		emit_text(e, "\n");
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_problem_list(struct emit *e, const struct cap_problem *p, size_t n, const char *indent)
{
	emit_array_begin(e, "problems");
	for (size_t i = 0; i < n; i++) {
		emit_object_begin(e, NULL);
		emit_style(e, EMIT_STYLE_WARN);
		emit_text(e, "%s! ", indent);
		emit_str(e, "code", "%s: ", p[i].code);
		emit_str(e, "message", "%s\n", p[i].msg);
		emit_style(e, EMIT_STYLE_NONE);
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_virtio_cap(struct emit *e, const struct virtio_pci_cap_info *c)
{
	const struct virtio_pci_cap_type *t = c->type;

	emit_object_begin(e, NULL);
	emit_uint(e, "cap_offset", "  [%02llx] virtio ", c->cap_offset);
	emit_uint(e, "cap_len", NULL, c->cap_len);
	emit_uint(e, "cfg_type", NULL, c->cfg_type);
	emit_str(e, "name", NULL, t ? t->name : "reserved");
	emit_str(e, "title", "%s", t ? t->title : "reserved");
	emit_text(e, " (cfg_type %u%s)", c->cfg_type, t && t->lspci_name ? "" : ", lspci 3.9 shows <unknown>");
	if (c->has_location) {
		emit_uint(e, "bar", ": BAR%llu", c->bar);
		emit_uint(e, "id", NULL, c->id);
		emit_uint(e, "offset", " offset 0x%llx", c->offset);
		emit_uint(e, "length", " length 0x%llx", c->length);
		if (c->cfg_type == VIRTIO_PCI_CAP_SHARED_MEMORY_CFG)
			emit_text(e, " id %u", c->id);
	} else {
		emit_absent(e, "bar", "id", "offset", "length", NULL);
	}
	emit_opt_uint(e, "notify_off_multiplier", c->has_notify_off_multiplier ? " notify_off_multiplier %llu" : NULL,
			   c->has_notify_off_multiplier, c->notify_off_multiplier);
	emit_opt_hex(e, "pci_vendor_id", c->has_vendor_id ? ": vendor_id 0x%04llx" : NULL, c->has_vendor_id,
			  c->vendor_id);
	emit_text(e, " cap_len %u\n", c->cap_len);
	render_problem_list(e, c->problems, c->n_problems, "       ");
	emit_object_end(e);
}

static void render_capabilities(struct emit *e, const struct pci_cfg_decode *p)
{
	/* Text: the chain in order, like lspci; JSON: the virtio ones under "capabilities". */
	emit_text(e, "capabilities:\n");
	emit_array_begin(e, "capabilities");
	for (size_t i = 0; i < p->n_caps; i++) {
		const struct pci_cap_entry *c = &p->caps[i];

		if (c->virtio_index >= 0)
			render_virtio_cap(e, &p->virtio[c->virtio_index]);
		else
			emit_text(e, "  [%02x] %s (id 0x%02x)\n", c->offset, c->name ? c->name : "unknown", c->id);
	}
	emit_array_end(e);
	emit_bool(e, "capabilities_readable", NULL, p->caps_readable);
	if (!p->n_caps && p->caps_readable)
		emit_text(e, "  none\n");
	emit_array_begin(e, "pci_capabilities");
	for (size_t i = 0; i < p->n_caps; i++) {
		emit_object_begin(e, NULL);
		emit_uint(e, "cap_offset", NULL, p->caps[i].offset);
		emit_uint(e, "cap_id", NULL, p->caps[i].id);
		emit_opt_str(e, "name", NULL, p->caps[i].name);
		emit_object_end(e);
	}
	emit_array_end(e);
	emit_array_begin(e, "pci_ext_capabilities");
	for (size_t i = 0; i < p->n_ext_caps; i++) {
		const struct pci_cap_entry *c = &p->ext_caps[i];

		emit_object_begin(e, NULL);
		emit_uint(e, "cap_offset", "  [%03llx]", c->offset);
		emit_uint(e, "cap_id", " extended capability 0x%04llx", c->id);
		emit_opt_str(e, "name", " %s\n", c->name);
		emit_object_end(e);
	}
	emit_array_end(e);
	if (!p->caps_readable)
		emit_text(e, "  (the chain continues beyond the %zu readable bytes: run as root to see it)\n", p->cfg_len);
}

static void render_msix(struct emit *e, const struct pci_cfg_decode *p)
{
	const struct pci_msix_info *x = &p->msix;

	if (!x->present) {
		emit_null(e, "msix");
		return;
	}
	emit_object_begin(e, "msix");
	emit_uint(e, "cap_offset", "msix: [%02llx]", x->cap_offset);
	emit_bool(e, "enabled", " enabled %s", x->enabled);
	emit_bool(e, "function_masked", ", masked %s", x->function_masked);
	emit_uint(e, "table_size", ", %llu entries", x->table_size);
	emit_uint(e, "table_bar", ", table BAR%llu", x->table_bar);
	emit_uint(e, "table_offset", "+0x%llx", x->table_offset);
	emit_uint(e, "pba_bar", ", PBA BAR%llu", x->pba_bar);
	emit_uint(e, "pba_offset", "+0x%llx\n", x->pba_offset);
	emit_object_end(e);
}

static void render_sriov(struct emit *e, const struct pci_cfg_decode *p)
{
	const struct pci_sriov_info *s = &p->sriov;

	if (!s->present) {
		emit_null(e, "sriov");
		return;
	}
	emit_object_begin(e, "sriov");
	emit_uint(e, "cap_offset", "sr-iov: [%03llx]", s->cap_offset);
	emit_uint(e, "total_vfs", " total VFs %llu", s->total_vfs);
	emit_uint(e, "num_vfs", ", enabled VFs %llu", s->num_vfs);
	emit_uint(e, "initial_vfs", ", initial VFs %llu", s->initial_vfs);
	emit_bool(e, "vf_enable", ", VF enable %s", s->vf_enable);
	emit_hex(e, "vf_device_id", ", VF device id %04llx", s->vf_device_id);
	emit_uint(e, "vf_offset", ", first VF offset %llu", s->vf_offset);
	emit_uint(e, "vf_stride", ", stride %llu\n", s->vf_stride);
	emit_object_end(e);
}

static void render_interrupts(struct emit *e, const struct info_model *m)
{
	const struct vdev_irqs *q = &m->dev->irqs;

	emit_object_begin(e, "interrupts");
	emit_str(e, "mode", "interrupts: %s", vdev_irq_mode_name(q->mode));
	emit_uint(e, "vectors", q->mode == VDEV_IRQ_NONE ? NULL : ", %llu", q->vectors);
	if (q->mode == VDEV_IRQ_MSIX || q->mode == VDEV_IRQ_MSI)
		emit_text(e, " vector%s", q->vectors == 1 ? "" : "s");
	emit_opt_uint(e, "first_irq", q->first_irq >= 0 ? " from IRQ %llu" : NULL, q->first_irq >= 0,
			   (unsigned long long)q->first_irq);
	emit_opt_str(e, "owner", q->owner ? " (%s)" : NULL, q->owner);
	emit_bool(e, "config_vector", NULL, q->config_vector);
	emit_bool(e, "shared_queue_vector", NULL, q->shared_vq_vector);
	emit_array_begin(e, "queue_names");
	if (q->n_queue_names)
		emit_text(e, "; virtqueue vectors:");
	for (size_t i = 0; i < q->n_queue_names; i++)
		emit_str(e, NULL, " %s", q->queue_names[i]);
	emit_array_end(e);
	emit_text(e, "\n");
	if (m->irqs)
		info_irqs_render(e, m->irqs);
	else
		emit_null(e, "irqs");
	emit_object_end(e);
}

static void render_status(struct emit *e, const struct info_model *m)
{
	const struct vdev *d = m->dev;
	bool from_sysfs = d->has_virtio && d->virtio.has_status;
	bool from_device = !from_sysfs && m->regs && m->regs->has_status;
	uint32_t status = from_sysfs ? d->virtio.status : from_device ? m->regs->status : 0;

	if (!from_sysfs && !from_device) {
		emit_absent(e, "status", "status_source", "status_summary", "status_names", NULL);
		return;
	}
	emit_hex(e, "status", "status: 0x%02llx", status);
	emit_str(e, "status_source", NULL, from_sysfs ? "sysfs" : "device");
	emit_str(e, "status_summary", " %s (", vdev_status_summary(status));
	vdev_emit_status_names(e, "status_names", status, true);
	emit_text(e, ")%s\n", from_device ? " read from the device" : "");
}

static void render_feature_set(struct emit *e, const char *key, const char *names_key, const char *label,
			       uint32_t device_id, bool present, const struct virtio_features *f)
{
	if (!present) {
		emit_absent(e, key, names_key, NULL);
		return;
	}
	emit_text(e, "features %s: ", label);
	emit_hex128(e, key, "%s", f->w[0], f->w[1]);
	emit_text(e, " (%u): ", vdev_feature_count(f));
	vdev_emit_feature_names(e, names_key, device_id, f, " ", 0);
	emit_text(e, "\n");
}

/* Every bit either side has, marked offered and/or negotiated; text only with -v. */
static void render_feature_table(struct emit *e, const struct info_model *m, const struct virtio_features *neg,
				 const struct virtio_features *off, int verbose)
{
	struct virtio_features all = { { (neg ? neg->w[0] : 0) | (off ? off->w[0] : 0),
					 (neg ? neg->w[1] : 0) | (off ? off->w[1] : 0) } };
	const struct virtio_features *naming = off ? off : neg;
	bool text = verbose > 0;

	emit_array_begin(e, "feature_bits");
	for (unsigned bit = 0; bit < VIRTIO_FEATURES_BITS; bit++) {
		char buf[16];

		if (!virtio_features_test(&all, bit))
			continue;
		emit_object_begin(e, NULL);
		emit_uint(e, "bit", text ? "  %3llu " : NULL, bit);
		emit_str(e, "name", text ? "%-24s" : NULL,
			 vdev_feature_name(m->device_id, naming ? naming : &all, bit, buf, sizeof(buf)));
		if (off)
			emit_bool(e, "offered", text ? " offered %-3s" : NULL, virtio_features_test(off, bit));
		else
			emit_null(e, "offered");
		if (neg)
			emit_bool(e, "negotiated", text ? " negotiated %s" : NULL, virtio_features_test(neg, bit));
		else
			emit_null(e, "negotiated");
		if (text)
			emit_text(e, "\n");
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_features(struct emit *e, const struct info_model *m, int verbose)
{
	const struct vdev *d = m->dev;
	const struct virtio_features *neg = d->has_virtio && d->virtio.has_features ? &d->virtio.features : NULL;
	const struct virtio_features *off = m->regs && m->regs->has_offered ? &m->regs->offered : NULL;

	render_feature_set(e, "features", "feature_names", "negotiated", m->device_id, neg,
			   neg);
	render_feature_set(e, "features_offered", "features_offered_names", "offered", m->device_id, off, off);
	render_feature_table(e, m, neg, off, verbose);
}

static void render_queues(struct emit *e, const struct info_model *m)
{
	const struct virtio_regs *r = m->regs;

	emit_opt_uint(e, "num_queues", r && r->has_num_queues ? "queues: %llu" : NULL, r && r->has_num_queues,
			   r ? r->num_queues : 0);
	if (r && r->has_num_queues)
		emit_text(e, "%s\n", r->queues_truncated ? " (first ones shown)" : "");
	emit_array_begin(e, "queues");
	for (size_t i = 0; r && i < r->n_queues; i++) {
		const struct virtio_queue_info *q = &r->queues[i];

		emit_object_begin(e, NULL);
		emit_uint(e, "queue", "  %llu:", q->index);
		emit_uint(e, "size", " size %llu", q->size);
		if (q->has_enabled)
			emit_bool(e, "enabled", ", enabled %s", q->enabled);
		else
			emit_null(e, "enabled");
		/* 0xffff is VIRTIO_MSI_NO_VECTOR. */
		emit_opt_uint(e, "msix_vector", !q->has_msix_vector || q->msix_vector == 0xffff ? NULL :
				   ", msix vector %llu", q->has_msix_vector, q->msix_vector);
		if (q->has_msix_vector && q->msix_vector == 0xffff)
			emit_text(e, ", no msix vector");
		emit_opt_uint(e, "notify_off", q->has_notify_off ? ", notify_off %llu" : NULL, q->has_notify_off,
				   q->notify_off);
		emit_text(e, "\n");
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_config(struct emit *e, const struct info_model *m)
{
	const struct virtio_regs *r = m->regs;
	const struct vdev *d = m->dev;
	struct virtio_features gate = virtio_features_all();

	if (!r || !r->config || !m->device_id_known) {
		emit_absent(e, "config", "config_generation", NULL);
		if (r && m->device_id_known && !virtio_config_layout(m->device_id, &(size_t){ 0 }))
			emit_text(e, "config: none (no device-specific configuration fields are tabled for this type)\n");
		return;
	}
	/* Fields exist when their feature is offered; without the offer, what the driver negotiated. */
	if (r->has_offered)
		gate = r->offered;
	else if (d->has_virtio && d->virtio.has_features)
		gate = d->virtio.features;
	emit_opt_uint(e, "config_generation", NULL, r->has_generation, r->generation);
	virtio_config_render(e, "config", m->device_id, r->config, r->config_len, &gate);
	if (r->config_torn)
		emit_text(e, "  (config_generation kept changing: the values may be torn)\n");
}

static void render_registers(struct emit *e, const struct info_model *m)
{
	const struct virtio_regs *r = m->regs;

	emit_object_begin(e, "registers");
	emit_opt_str(e, "access", m->access ? "registers: read through %s" : NULL, m->access);
	emit_opt_str(e, "layout", r ? ", %s layout\n" : NULL, r ? r->layout : NULL);
	emit_object_end(e);
}

static void render_mmio(struct emit *e, const struct info_model *m)
{
	const struct vdev *d = m->dev;
	const struct virtio_regs *r = m->regs;
	bool ids = r && r->has_mmio_ids;

	if (!d->is_mmio) {
		emit_null(e, "mmio");
		return;
	}
	emit_object_begin(e, "mmio");
	emit_opt_hex(e, "base", "mmio: base 0x%llx", d->has_mmio_base, d->mmio_base);
	emit_opt_uint(e, "size", d->mmio_size ? ", size 0x%llx" : NULL, d->mmio_size != 0, d->mmio_size);
	emit_opt_uint(e, "irq", d->mmio_irq >= 0 ? ", IRQ %llu" : NULL, d->mmio_irq >= 0,
			   (unsigned long long)d->mmio_irq);
	emit_str(e, "match", ", found by %s\n", d->mmio_match);
	bool known = d->transport == VDEV_MMIO_V1 || d->transport == VDEV_MMIO_V2 || ids;
	const char *source = ids ? "Version register" : d->mmio_version_source;

	emit_opt_uint(e, "version", known ? "version: %llu" : NULL, known,
			   ids ? r->mmio_version : d->transport == VDEV_MMIO_V1 ? 1 : 2);
	emit_opt_str(e, "version_source", known && source ? " (%s)\n" : NULL, known ? source : NULL);
	if (!known)
		emit_text(e, "version: unknown (no driver shows it and the registers were not read)\n");
	emit_opt_hex(e, "magic", NULL, ids, ids ? r->mmio_magic : 0);
	emit_opt_hex(e, "vendor_id", ids ? "vendor id: 0x%08llx\n" : NULL, ids, ids ? r->mmio_vendor_id : 0);
	emit_object_end(e);
}

static void render_hexdump(struct emit *e, const struct vdev *d)
{
	struct emit_buf hex = { 0 };

	if (!d->config) {
		emit_null(e, "config_space");
		return;
	}
	for (size_t i = 0; i < d->config_len; i++)
		emit_buf_printf(&hex, "%02x", d->config[i]);
	emit_str(e, "config_space", NULL, hex.oom ? NULL : hex.data);
	emit_buf_free(&hex);
	emit_text(e, "config space:\n");
	for (size_t i = 0; i < d->config_len; i += 16) {
		emit_text(e, "  %03zx:", i);
		for (size_t j = i; j < i + 16 && j < d->config_len; j++)
			emit_text(e, " %02x", d->config[j]);
		emit_text(e, "\n");
	}
}

void info_render(struct emit *e, const struct info_model *m, const struct info_options *opts, int verbose)
{
	const struct pci_cfg_decode *p = m->pci;

	emit_object_begin(e, NULL);
	render_identity(e, m);
	render_mmio(e, m);
	render_bars(e, m);
	if (p) {
		render_capabilities(e, p);
		render_msix(e, p);
		render_sriov(e, p);
	} else {
		emit_absent(e, "capabilities", "capabilities_readable", "pci_capabilities", "pci_ext_capabilities", "msix",
			    "sriov", NULL);
	}
	render_interrupts(e, m);
	render_registers(e, m);
	render_status(e, m);
	render_features(e, m, verbose);
	render_queues(e, m);
	render_config(e, m);
	info_sysfs_config_render(e, &m->sysfs_config, m->regs && m->regs->config);
	emit_opt_str(e, "not_read", m->not_read[0] ? "not read: %s\n" : NULL, m->not_read);
	if (opts->hexdump)
		render_hexdump(e, m->dev);
	emit_uint(e, "problem_count", m->problem_count ? "problems: %llu\n" : NULL, m->problem_count);
	if (p)
		render_problem_list(e, p->problems, p->n_problems, "  ");
	else
		render_problem_list(e, NULL, 0, "");
	emit_object_end(e);
}
