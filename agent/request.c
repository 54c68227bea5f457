/* SPDX-License-Identifier: MIT */
#include "request.h"
#include "pflink/json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum agent_op op;
} ops[] = {
	{ "health", AGENT_OP_HEALTH }, { "nudge", AGENT_OP_NUDGE }, { "topology", AGENT_OP_TOPOLOGY },
	{ "pf", AGENT_OP_PF }, { "vf", AGENT_OP_VF }, { "pod", AGENT_OP_POD }, { "leaks", AGENT_OP_LEAKS },
	{ "devlink", AGENT_OP_DEVLINK },
	{ "pf-health", AGENT_OP_PF_HEALTH },
};

const char *agent_op_name(enum agent_op op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "";
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

__attribute__((format(printf, 4, 5)))
static int refuse(struct agent_req *r, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	cJSON_Delete(r->root);
	r->root = NULL;
	return -EINVAL;
}

int agent_req_parse(const char *buf, size_t len, struct agent_req *out, char *why, size_t whylen)
{
	struct agent_req r = { 0 };
	const cJSON *v;
	const char *op, *bdf;
	size_t i;

	if (whylen)
		why[0] = '\0';
	r.root = json_parse_exact(buf, len);
	if (!cJSON_IsObject(r.root)) {
		refuse(&r, why, whylen, "request is not a JSON object on one line");
		return -EBADMSG;
	}
	v = cJSON_GetObjectItemCaseSensitive(r.root, "v");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1)
		return refuse(&r, why, whylen, "request must be a JSON object with \"v\":1");
	if (!(op = str(r.root, "op")))
		return refuse(&r, why, whylen, "request has no \"op\"");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && strcmp(op, ops[i].name); i++)
		;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return refuse(&r, why, whylen, "unknown op \"%.200s\"", op);
	r.op = ops[i].op;
	switch (r.op) {
	case AGENT_OP_PF:
	case AGENT_OP_VF:
		bdf = str(r.root, "pciAddress");
		if (!bdf || pci_bdf_parse(bdf, r.bdf) < 0)
			return refuse(&r, why, whylen, "\"pciAddress\" must be a PCI address DDDD:BB:DD.F");
		if (r.op != AGENT_OP_PF)
			break;
		r.netns = str(r.root, "netns");
		/* The plugin wants one VF (its representor), not a table of 64
		 * it would throw away: "vfIndex" N, or -1 for none. */
		r.vf_index = AGENT_VFS_ALL;
		if ((v = cJSON_GetObjectItemCaseSensitive(r.root, "vfIndex"))) {
			double x = cJSON_IsNumber(v) ? v->valuedouble : -2;

			if (x < -1 || x > 65535 || x != (double)(int)x)
				return refuse(&r, why, whylen, "\"vfIndex\" must be a VF index 0-65535, or -1 for none");
			r.vf_index = x < 0 ? AGENT_VFS_NONE : (int)x;
		}
		break;
	case AGENT_OP_NUDGE:
		r.netns = str(r.root, "netns");
		break;
	case AGENT_OP_POD:
		r.pod_ns = str(r.root, "namespace");
		r.pod_name = str(r.root, "name");
		if (!r.pod_ns || !r.pod_name)
			return refuse(&r, why, whylen, "\"pod\" needs \"namespace\" and \"name\"");
		break;
	case AGENT_OP_HEALTH:
	case AGENT_OP_TOPOLOGY:
	case AGENT_OP_LEAKS:
	case AGENT_OP_DEVLINK:
	case AGENT_OP_PF_HEALTH:
	case AGENT_OP_N:
		break;
	}
	*out = r;
	return 0;
}

void agent_req_free(struct agent_req *r)
{
	cJSON_Delete(r->root);
	r->root = NULL;
}
