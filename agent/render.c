/* SPDX-License-Identifier: MIT */
/*
 * The node as a tree, one line per PCI function, columns aligned across the
 * whole output so two PFs read alike:
 *
 *   PF       0000:03:00.0  mlx5_core  ens3f0np0  host                 VFs 2/8         mac 0c:42:a1:00:00:01  port p0
 *   │                                 ens3f0d1   host                                 mac 0c:42:a1:00:00:02
 *   ├─ VF 0  0000:03:00.2  mlx5_core  net1       /run/netns/cni-5678  team-a/web-0    vlan 20  representor ens3f0_0
 *   └─ VF 1  0000:03:00.3  igbvf      dev12      host                 -               ⚠ orphan: pod ... is gone
 *
 * A function with several netdevs gets one continuation line per extra
 * netdev under the netdev/netns columns.  Notes (VF config that differs
 * from the kernel's defaults, representor, orphan) are free text at the
 * end of the line and never padded.
 */
#include "render.h"
#include "pflink/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum style { ST_PLAIN, ST_BOLD, ST_DIM, ST_GREEN, ST_RED };

static const char *const sgr[] = {
	[ST_PLAIN] = "",
	[ST_BOLD] = "\033[1m",
	[ST_DIM] = "\033[2m",
	[ST_GREEN] = "\033[32m",
	[ST_RED] = "\033[1;31m",
};
#define SGR_RESET "\033[0m"

/* Columns before C_NOTES are padded to a common width; C_NOTES and
 * C_ALERT are free text. */
enum col { C_TREE, C_BDF, C_DRIVER, C_NETDEV, C_NETNS, C_WHO, C_NOTES, C_ALERT, NCOL };

struct cell {
	char *text;	/* cleaned; NULL: empty */
	size_t width;	/* in code points */
	enum style st;
};

struct row {
	struct cell c[NCOL];
	bool blank;	/* an empty separator line */
};

struct table {
	struct row *rows;
	size_t n, cap;
	int err;	/* first -ENOMEM; the table is then printed no more */
};

/* ---- terminal-safe text --------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at u (avail bytes), 0 if none. */
static size_t utf8_len(const unsigned char *u, size_t avail)
{
	size_t need, k;

	if (u[0] < 0x80)
		return 1;
	if (u[0] < 0xc2)
		return 0;
	need = u[0] < 0xe0 ? 2 : u[0] < 0xf0 ? 3 : u[0] < 0xf5 ? 4 : 0;
	if (need == 0 || avail < need)
		return 0;
	for (k = 1; k < need; k++)
		if ((u[k] & 0xc0) != 0x80)
			return 0;
	if ((u[0] == 0xe0 && u[1] < 0xa0) ||	/* overlong */
	    (u[0] == 0xed && u[1] > 0x9f) ||	/* surrogates */
	    (u[0] == 0xf0 && u[1] < 0x90) ||	/* overlong */
	    (u[0] == 0xf4 && u[1] > 0x8f))	/* > U+10FFFF */
		return 0;
	return need;
}

/* Code points a terminal acts on instead of showing: C0/C1 controls and
 * DEL (escape sequences), and zero-width / bidi formatting characters
 * that make a line read other than it is. */
static bool unsafe_cp(const unsigned char *u, size_t len)
{
	if (len == 1)
		return u[0] < 0x20 || u[0] == 0x7f;
	if (len == 2)
		return u[0] == 0xc2 && u[1] < 0xa0;		/* U+0080..U+009F */
	if (len == 3 && u[0] == 0xe2)
		return (u[1] == 0x80 && u[2] >= 0x8b && u[2] <= 0x8f) ||	/* U+200B..U+200F */
		       (u[1] == 0x80 && u[2] >= 0xa8 && u[2] <= 0xae) ||	/* U+2028..U+202E */
		       (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9);	/* U+2066..U+2069 */
	return false;
}

/* A copy of s fit for a terminal; *width: its code points (each taken as
 * one column, true of everything the agent reports in practice). */
static char *clean(const char *s, size_t *width)
{
	size_t n = strlen(s), i = 0, w = 0;
	char *out = malloc(n + 1), *p = out;

	if (!out)
		return NULL;
	while (i < n) {
		const unsigned char *u = (const unsigned char *)s + i;
		size_t len = utf8_len(u, n - i);

		if (len == 0) {
			*p++ = '?';	/* one per byte that is not UTF-8 */
			i++;
		} else if (unsafe_cp(u, len)) {
			*p++ = '?';	/* one per character */
			i += len;
		} else {
			memcpy(p, u, len);
			p += len;
			i += len;
		}
		w++;
	}
	*p = '\0';
	if (width)
		*width = w;
	return out;
}

char *render_safe_text(const char *s)
{
	size_t w;

	return clean(s ? s : "", &w);
}

/* ---- the table ------------------------------------------------------ */

static void table_free(struct table *t)
{
	size_t i, c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < NCOL; c++)
			free(t->rows[i].c[c].text);
	free(t->rows);
	*t = (struct table){ 0 };
}

static struct row *row_new(struct table *t)
{
	struct row *r;

	if (t->err)
		return NULL;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 16;
		struct row *nr = realloc(t->rows, ncap * sizeof(*nr));

		if (!nr) {
			t->err = -ENOMEM;
			return NULL;
		}
		t->rows = nr;
		t->cap = ncap;
	}
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static void row_blank(struct table *t)
{
	struct row *r = row_new(t);

	if (r)
		r->blank = true;
}

__attribute__((format(printf, 5, 0)))
static void cell_v(struct table *t, struct row *r, enum col c, enum style st,
		   const char *fmt, va_list ap)
{
	char *raw = NULL, *txt;
	size_t w;

	if (!r || t->err)
		return;
	if (vasprintf(&raw, fmt, ap) < 0) {
		t->err = -ENOMEM;
		return;
	}
	txt = clean(raw, &w);
	free(raw);
	if (!txt) {
		t->err = -ENOMEM;
		return;
	}
	free(r->c[c].text);
	r->c[c] = (struct cell){ .text = txt, .width = w, .st = st };
}

__attribute__((format(printf, 5, 6)))
static void cell(struct table *t, struct row *r, enum col c, enum style st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cell_v(t, r, c, st, fmt, ap);
	va_end(ap);
}

/* Append one item to the notes of r, two spaces from the one before. */
__attribute__((format(printf, 3, 4)))
static void note(struct table *t, struct row *r, const char *fmt, ...)
{
	_cleanup_free_ char *prev = NULL;
	va_list ap;

	if (!r || t->err)
		return;
	prev = TAKE_PTR(r->c[C_NOTES].text);
	va_start(ap, fmt);
	cell_v(t, r, C_NOTES, ST_PLAIN, fmt, ap);
	va_end(ap);
	if (prev && r->c[C_NOTES].text) {
		char *both = NULL;

		/* Both parts are clean already, and so is what joins them. */
		if (asprintf(&both, "%s  %s", prev, r->c[C_NOTES].text) < 0) {
			t->err = -ENOMEM;
			return;
		}
		free(r->c[C_NOTES].text);
		r->c[C_NOTES].text = both;
	} else if (prev && !r->c[C_NOTES].text) {
		r->c[C_NOTES].text = TAKE_PTR(prev);
	}
}

static void put_styled(FILE *f, const struct cell *x, bool color)
{
	if (!x->text)
		return;
	if (color && x->st != ST_PLAIN)
		fprintf(f, "%s%s%s", sgr[x->st], x->text, SGR_RESET);
	else
		fputs(x->text, f);
}

static void table_print(FILE *f, const struct table *t, bool color)
{
	size_t w[NCOL] = { 0 };
	size_t i, c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < C_NOTES; c++)
			if (t->rows[i].c[c].text && t->rows[i].c[c].width > w[c])
				w[c] = t->rows[i].c[c].width;

	for (i = 0; i < t->n; i++) {
		const struct row *r = &t->rows[i];
		size_t last = 0, pad;
		bool any = false, first = true;

		if (r->blank) {
			fputc('\n', f);
			continue;
		}
		for (c = 0; c < NCOL; c++)
			if (r->c[c].text && r->c[c].text[0]) {
				last = c;
				any = true;
			}
		for (c = 0; any && c <= last; c++) {
			const struct cell *x = &r->c[c];

			if (c < C_NOTES && w[c] == 0)
				continue;	/* a column nobody uses */
			if (c >= C_NOTES && !x->text)
				continue;
			if (!first)
				fputs("  ", f);
			first = false;
			put_styled(f, x, color);
			if (c < C_NOTES && c < last)
				for (pad = x->text ? x->width : 0; pad < w[c]; pad++)
					fputc(' ', f);
		}
		fputc('\n', f);
	}
}

/* ---- reading the answer --------------------------------------------- */

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static bool has_str(const cJSON *o, const char *k)
{
	const char *s = str(o, k);

	return s && *s;
}

static const char *str_or(const cJSON *o, const char *k, const char *dflt)
{
	return has_str(o, k) ? str(o, k) : dflt;
}

static const cJSON *obj(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsObject(it) ? it : NULL;
}

static const cJSON *arr(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsArray(it) ? it : NULL;
}

/* An integral JSON number that a double holds exactly. */
static bool num(const cJSON *o, const char *k, long long *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	double d;

	if (!cJSON_IsNumber(it))
		return false;
	d = it->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || (double)(long long)d != d)
		return false;
	*out = (long long)d;
	return true;
}

/* The number as text, "?" when absent or not an integer. */
static const char *num_s(const cJSON *o, const char *k, char buf[24])
{
	long long v;

	if (!num(o, k, &v))
		return "?";
	snprintf(buf, 24, "%lld", v);
	return buf;
}

static const cJSON *nth_obj(const cJSON *a, int i)
{
	const cJSON *it = cJSON_GetArrayItem(a, i);

	return cJSON_IsObject(it) ? it : NULL;
}

/* ---- one PF block --------------------------------------------------- */

static void netdev_cells(struct table *t, struct row *r, const cJSON *nd, bool pf)
{
	cell(t, r, C_NETDEV, pf ? ST_BOLD : ST_PLAIN, "%s", str_or(nd, "name", "?"));
	cell(t, r, C_NETNS, ST_PLAIN, "%s", str_or(nd, "netns", "?"));
	if (!pf)
		return;
	if (has_str(nd, "mac"))
		note(t, r, "mac %s", str(nd, "mac"));
	if (has_str(nd, "portName"))
		note(t, r, "port %s", str(nd, "portName"));
}

/* A function's driver, then its first netdev (nd) or a dim "none"; a
 * missing driver reads no_driver. */
static void fn_cells(struct table *t, struct row *r, const cJSON *fn, const cJSON *nd, bool pf,
		     const char *no_driver)
{
	if (has_str(fn, "driver"))
		cell(t, r, C_DRIVER, ST_PLAIN, "%s", str(fn, "driver"));
	else
		cell(t, r, C_DRIVER, ST_DIM, "%s", no_driver);
	if (nd) {
		netdev_cells(t, r, nd, pf);
	} else {
		cell(t, r, C_NETDEV, ST_DIM, "-");
		cell(t, r, C_NETNS, ST_DIM, "(no netdev)");
	}
}

/* Extra netdevs of a function, one line each, under a tree stem. */
static void more_netdevs(struct table *t, const cJSON *fn, const char *stem, bool pf)
{
	const cJSON *nds = arr(fn, "netdevs");
	int i, n = cJSON_GetArraySize(nds);

	for (i = 1; i < n; i++) {
		const cJSON *nd = nth_obj(nds, i);
		struct row *r;

		if (!nd)
			continue;
		r = row_new(t);
		cell(t, r, C_TREE, ST_PLAIN, "%s", stem);
		netdev_cells(t, r, nd, pf);
	}
}

/* Settings that differ from what the kernel gives a fresh VF. */
static void config_notes(struct table *t, struct row *r, const cJSON *cfg)
{
	const cJSON *it;
	long long v;

	if (!cfg)
		return;
	if (has_str(cfg, "mac") && strcmp(str(cfg, "mac"), "00:00:00:00:00:00"))
		note(t, r, "mac %s", str(cfg, "mac"));
	if (num(cfg, "vlan", &v) && v != 0)
		note(t, r, "vlan %lld", v);
	if (num(cfg, "qos", &v) && v != 0)
		note(t, r, "qos %lld", v);
	it = cJSON_GetObjectItemCaseSensitive(cfg, "spoofchk");
	if (cJSON_IsFalse(it))
		note(t, r, "spoofchk off");
	it = cJSON_GetObjectItemCaseSensitive(cfg, "trust");
	if (cJSON_IsTrue(it))
		note(t, r, "trust on");
	if (has_str(cfg, "linkState") && strcmp(str(cfg, "linkState"), "auto"))
		note(t, r, "link %s", str(cfg, "linkState"));
}

/* A PF whose link is not usable (pfhealth.h): the pods behind it lost
 * their network.  Their VF rows say so too (vf_link_alert). */
static const char *pf_link_down(const cJSON *pf)
{
	const cJSON *l = obj(pf, "link");

	return l && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(l, "usable")) ? str_or(l, "state", "down") : NULL;
}

static void pf_link_alert(struct table *t, struct row *r, const cJSON *pf)
{
	const char *st = pf_link_down(pf);
	const cJSON *v;
	unsigned pods = 0;

	if (!st)
		return;
	cJSON_ArrayForEach(v, arr(pf, "vfs"))
		pods += obj(v, "pod") != NULL && !has_str(v, "orphan");
	if (pods)
		cell(t, r, C_ALERT, ST_RED, "⚠ link %s: %u pod VF%s without network", st, pods, pods == 1 ? "" : "s");
	else
		cell(t, r, C_ALERT, ST_RED, "⚠ link %s", st);
}

/* A VF in a pod whose PF is down, or forced down itself. */
static void vf_link_alert(struct table *t, struct row *r, const cJSON *vf, const char *pf_down)
{
	if (!obj(vf, "pod") || has_str(vf, "orphan"))
		return;
	if (pf_down)
		cell(t, r, C_ALERT, ST_RED, "⚠ no network: PF link %s", pf_down);
	else if (has_str(obj(vf, "config"), "linkState") && !strcmp(str(obj(vf, "config"), "linkState"), "disable"))
		cell(t, r, C_ALERT, ST_RED, "⚠ no network: VF link forced disable");
}

static void pf_rows(struct table *t, const cJSON *pf, bool has_vfs)
{
	const cJSON *nd = nth_obj(arr(pf, "netdevs"), 0);
	struct row *r = row_new(t);
	char a[24], b[24];

	cell(t, r, C_TREE, ST_BOLD, "PF");
	cell(t, r, C_BDF, ST_BOLD, "%s", str_or(pf, "pciAddress", "?"));
	fn_cells(t, r, pf, nd, true, "-");
	cell(t, r, C_WHO, ST_PLAIN, "VFs %s/%s", num_s(pf, "numvfs", a), num_s(pf, "totalvfs", b));
	/* legacy is every SR-IOV PF's default: only the other mode is news. */
	if (has_str(pf, "eswitchMode") && strcmp(str(pf, "eswitchMode"), "legacy"))
		note(t, r, "%s", str(pf, "eswitchMode"));
	pf_link_alert(t, r, pf);
	more_netdevs(t, pf, has_vfs ? "│" : "", true);
}

struct vf_tally {
	unsigned vfs, in_pods, orphans, no_netdev;
};

/* Who holds the VF: the pod, or for an attachment made outside Kubernetes
 * (cnitool) its container, or for a pod known only by its cgroup its UID;
 * and how pflinkd knows, when the agent says (record, runtime, cgroup). */
static void who_cell(struct table *t, struct row *r, const cJSON *pod)
{
	const char *cid = str(pod, "containerID"), *src = str(pod, "source");
	char via[32] = "";

	if (src && *src)
		snprintf(via, sizeof(via), " [%.20s]", src);
	if (!pod)
		cell(t, r, C_WHO, ST_DIM, "-");
	else if (has_str(pod, "name"))
		cell(t, r, C_WHO, ST_GREEN, "%s/%s%s", str_or(pod, "namespace", "?"), str(pod, "name"), via);
	else if (has_str(pod, "uid"))
		cell(t, r, C_WHO, ST_GREEN, "pod %s%s", str(pod, "uid"), via);
	else if (cid && *cid)
		cell(t, r, C_WHO, ST_GREEN, "container %.12s%s", cid, via);
	else
		cell(t, r, C_WHO, ST_GREEN, "?%s", via);
}

/* Holders beyond the one shown, and whether they are other pods. */
static void holder_notes(struct table *t, struct row *r, const cJSON *vf)
{
	const cJSON *hs = arr(vf, "holders"), *h, *pod = obj(vf, "pod");

	cJSON_ArrayForEach(h, hs) {
		const char *src = str_or(h, "source", "?");

		if (!cJSON_IsObject(h))
			continue;
		/* The one in the who column already says itself. */
		if (pod && !strcmp(src, str_or(pod, "source", "")) &&
		    !strcmp(str_or(h, "uid", ""), str_or(pod, "uid", "")) &&
		    !strcmp(str_or(h, "name", ""), str_or(pod, "name", "")))
			continue;
		if (has_str(h, "name"))
			note(t, r, "also %s: %s/%s", src, str_or(h, "namespace", "?"), str(h, "name"));
		else if (has_str(h, "uid"))
			note(t, r, "also %s: pod %s", src, str(h, "uid"));
	}
}

/* vf NULL: the agent knows the attachment but no longer finds its VF. */
static void vf_rows(struct table *t, const cJSON *vf, bool last, int idx_width, const char *pf_down,
		    struct vf_tally *tally)
{
	const cJSON *nd = nth_obj(arr(vf, "netdevs"), 0);
	const cJSON *pod = obj(vf, "pod");
	struct row *r = row_new(t);
	char idx[24];

	cell(t, r, C_TREE, ST_PLAIN, "%s VF %*s", last ? "└─" : "├─", idx_width,
	     num_s(vf, "index", idx));
	if (!vf) {
		cell(t, r, C_ALERT, ST_RED, "⚠ VF no longer found under this PF");
		return;
	}
	cell(t, r, C_BDF, ST_PLAIN, "%s", str_or(vf, "pciAddress", "?"));
	fn_cells(t, r, vf, nd, false, "(no driver)");
	who_cell(t, r, pod);
	holder_notes(t, r, vf);
	config_notes(t, r, obj(vf, "config"));
	if (has_str(vf, "representor"))
		note(t, r, "representor %s", str(vf, "representor"));
	if (has_str(vf, "orphan"))
		cell(t, r, C_ALERT, ST_RED, "⚠ orphan: %s", str(vf, "orphan"));
	vf_link_alert(t, r, vf, pf_down);
	more_netdevs(t, vf, last ? "" : "│", false);

	if (tally) {
		tally->vfs++;
		tally->in_pods += pod != NULL;
		tally->orphans += has_str(vf, "orphan");
		tally->no_netdev += nd == NULL;
	}
}

/* Characters of v in decimal, sign included. */
static int digits(long long v)
{
	char buf[24];

	return snprintf(buf, sizeof(buf), "%lld", v);
}

/* A PF and the given VFs (all of them, or the few a query is about). */
static void pf_block(struct table *t, const cJSON *pf, const cJSON *const *vfs, size_t nvfs,
		     struct vf_tally *tally)
{
	int w = 1;
	size_t i;

	for (i = 0; i < nvfs; i++) {
		long long v;

		if (num(vfs[i], "index", &v) && digits(v) > w)
			w = digits(v);
	}
	pf_rows(t, pf, nvfs > 0);
	for (i = 0; i < nvfs; i++)
		vf_rows(t, vfs[i], i + 1 == nvfs, w, pf_link_down(pf), tally);
}

/* The objects of an array, as a pointer list (NULL array: none). */
static int objects_of(const cJSON *a, const cJSON ***out, size_t *n)
{
	const cJSON *it;
	const cJSON **v;
	size_t k = 0;

	v = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	cJSON_ArrayForEach(it, a)
		if (cJSON_IsObject(it))
			v[k++] = it;
	*out = v;
	*n = k;
	return 0;
}

static int pf_block_all(struct table *t, const cJSON *pf, struct vf_tally *tally)
{
	_cleanup_free_ const cJSON **vfs = NULL;
	size_t n = 0;
	int r;

	r = objects_of(arr(pf, "vfs"), &vfs, &n);
	if (r < 0)
		return r;
	pf_block(t, pf, vfs, n, tally);
	return 0;
}

static int finish(FILE *f, struct table *t, const struct render_opts *o)
{
	int r = t->err;

	if (r == 0)
		table_print(f, t, o && o->color);
	table_free(t);
	return r;
}

static const char *plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/* ---- the views ------------------------------------------------------ */

int render_topology(FILE *f, const cJSON *answer, const struct render_opts *o)
{
	const cJSON *pfs = arr(answer, "pfs"), *pf;
	struct table t = { 0 };
	struct vf_tally tally = { 0 };
	unsigned npf = 0;
	long long netns;
	int r;

	if (!pfs)
		return -EBADMSG;
	cJSON_ArrayForEach(pf, pfs) {
		if (!cJSON_IsObject(pf))
			continue;
		if (npf++)
			row_blank(&t);
		r = pf_block_all(&t, pf, &tally);
		if (r < 0) {
			table_free(&t);
			return r;
		}
	}
	r = finish(f, &t, o);
	if (r < 0)
		return r;

	if (npf)
		fputc('\n', f);
	fprintf(f, "%u PF%s, %u VF%s", npf, plural(npf), tally.vfs, plural(tally.vfs));
	if (tally.in_pods || tally.orphans || tally.no_netdev) {
		const char *sep = "";

		fputs(" (", f);
		if (tally.in_pods) {
			fprintf(f, "%u in pods", tally.in_pods);
			sep = ", ";
		}
		if (tally.orphans) {
			fprintf(f, "%s%u orphan%s", sep, tally.orphans, plural(tally.orphans));
			sep = ", ";
		}
		if (tally.no_netdev)
			fprintf(f, "%s%u without netdev", sep, tally.no_netdev);
		fputc(')', f);
	}
	if (num(answer, "netns", &netns))
		fprintf(f, "; %lld netns tracked", netns);
	fputc('\n', f);
	if (!npf)
		fputs("no SR-IOV PF on this node\n", f);
	return 0;
}

int render_pf(FILE *f, const cJSON *answer, const struct render_opts *o)
{
	const cJSON *pf = obj(answer, "pf");
	struct table t = { 0 };
	int r;

	if (!pf)
		return -EBADMSG;
	r = pf_block_all(&t, pf, NULL);
	if (r < 0) {
		table_free(&t);
		return r;
	}
	return finish(f, &t, o);
}

int render_vf(FILE *f, const cJSON *answer, const struct render_opts *o)
{
	const cJSON *pf = obj(answer, "pf"), *vf = obj(answer, "vf");
	struct table t = { 0 };

	if (!pf || !vf)
		return -EBADMSG;
	pf_block(&t, pf, &vf, 1, NULL);
	return finish(f, &t, o);
}

struct attachment {
	const char *pf_addr;
	const cJSON *pf, *vf;
	size_t pos;
};

/* By PF address, then by the agent's order: a stable grouping. */
static int by_pf(const void *a, const void *b)
{
	const struct attachment *x = a, *y = b;
	int c = strcmp(x->pf_addr, y->pf_addr);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int render_pod(FILE *f, const cJSON *answer, const char *ns, const char *name,
	       const struct render_opts *o)
{
	const cJSON *atts = arr(answer, "attachments"), *it;
	_cleanup_free_ struct attachment *v = NULL;
	_cleanup_free_ const cJSON **vfs = NULL;
	_cleanup_free_ char *who = NULL;
	struct table t = { 0 };
	size_t n = 0, i, j;
	size_t w;

	if (!atts)
		return -EBADMSG;
	v = calloc((size_t)cJSON_GetArraySize(atts) + 1, sizeof(*v));
	vfs = calloc((size_t)cJSON_GetArraySize(atts) + 1, sizeof(*vfs));
	if (!v || !vfs)
		return -ENOMEM;
	cJSON_ArrayForEach(it, atts) {
		const cJSON *pf = obj(it, "pf"), *vf = obj(it, "vf");

		/* A null "vf": the attachment's VF is gone; still worth a line. */
		if (!pf)
			continue;
		v[n] = (struct attachment){ .pf_addr = str_or(pf, "pciAddress", ""),
					    .pf = pf, .vf = vf, .pos = n };
		n++;
	}
	qsort(v, n, sizeof(*v), by_pf);

	if (asprintf(&who, "%s/%s", ns ? ns : "?", name ? name : "?") < 0) {
		who = NULL;
		return -ENOMEM;
	}
	{
		char *c = clean(who, &w);

		if (!c)
			return -ENOMEM;
		free(who);
		who = c;
	}
	if (n == 0) {
		fprintf(f, "pod %s: holds no VF pflinkd knows of\n", who);
		return 0;
	}
	fprintf(f, "pod %s: %zu VF%s\n\n", who, n, plural(n));
	for (i = 0; i < n; i = j) {
		size_t k = 0;

		for (j = i; j < n && !strcmp(v[j].pf_addr, v[i].pf_addr); j++)
			vfs[k++] = v[j].vf;
		if (i)
			row_blank(&t);
		pf_block(&t, v[i].pf, vfs, k, NULL);
	}
	return finish(f, &t, o);
}

static void uptime_str(long long s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%llds", s);
}

/* One line per runtime root: what it indexed, or why it cannot be read. */
static int runtime_lines(FILE *f, const cJSON *answer, bool color)
{
	const cJSON *rts = arr(answer, "runtimes"), *rt;

	cJSON_ArrayForEach(rt, rts) {
		_cleanup_free_ char *name = clean(str_or(rt, "runtime", "?"), NULL);
		_cleanup_free_ char *root = clean(str_or(rt, "root", "?"), NULL);
		_cleanup_free_ char *state = clean(str_or(rt, "state", "?"), NULL);
		_cleanup_free_ char *err = clean(str_or(rt, "error", ""), NULL);
		const cJSON *sk = obj(rt, "skipped"), *k;
		long long skipped = 0, v;
		char n[24];

		if (!name || !root || !state || !err)
			return -ENOMEM;
		cJSON_ArrayForEach(k, sk)
			if (cJSON_IsNumber(k) && num(sk, k->string, &v))
				skipped += v;
		if (!strcmp(state, "ok"))
			fprintf(f, "  %s bundles %s: %s indexed, %lld skipped\n", name, root, num_s(rt, "entries", n),
				skipped);
		else
			fprintf(f, "  %s%s bundles %s: %s (%s): pods it runs are named by record or cgroup only%s\n",
				color ? sgr[ST_RED] : "", name, root, state, err, color ? SGR_RESET : "");
	}
	return 0;
}

int render_health(FILE *f, const cJSON *answer, const struct render_opts *o)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(answer, "ok");
	bool color = o && o->color;
	char up[48] = "?", a[24], b[24], c[24], d[24], e[24], g[24];
	long long s;

	if (!cJSON_IsBool(ok))
		return -EBADMSG;
	if (!cJSON_IsTrue(ok)) {
		const char *err = str_or(answer, "error", "no reason given");
		size_t w;
		_cleanup_free_ char *txt = clean(err, &w);

		if (!txt)
			return -ENOMEM;
		fprintf(f, "pflinkd %sNOT OK%s: %s\n", color ? sgr[ST_RED] : "",
			color ? SGR_RESET : "", txt);
		return 0;
	}
	if (num(answer, "uptimeSec", &s) && s >= 0)
		uptime_str(s, up, sizeof(up));
	fprintf(f, "pflinkd %sok%s: up %s, %s netns, %s PFs, %s VFs, %s scans, %s events, last scan %s ms\n",
		color ? sgr[ST_GREEN] : "", color ? SGR_RESET : "", up,
		num_s(answer, "netns", a), num_s(answer, "pfs", b), num_s(answer, "vfs", c),
		num_s(answer, "scans", d), num_s(answer, "events", e),
		num_s(answer, "lastScanMs", g));
	/* What a pod can do to the agent, and what the agent did about it. */
	if (num(answer, "nsOverBudget", &s) && s > 0) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(answer, "overBudget"), *it;

		fprintf(f, "%s%lld netns over the link budget of %s%s (only links with a parent device kept):",
			color ? sgr[ST_RED] : "", s, num_s(answer, "linkBudget", a), color ? SGR_RESET : "");
		cJSON_ArrayForEach(it, arr) {
			_cleanup_free_ char *ns = clean(str_or(it, "netns", "?"), NULL);

			if (!ns)
				return -ENOMEM;
			fprintf(f, " %s (%s links)", ns, num_s(it, "links", b));
		}
		fputc('\n', f);
	}
	if (num(answer, "nsUserns", &s) && s > 0)
		fprintf(f, "%lld netns owned by another user namespace, not tracked (pflinkd --track-userns-netns)\n", s);
	return runtime_lines(f, answer, color);
}

int render_leaks(FILE *f, const cJSON *answer, const struct render_opts *o, unsigned *count)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(answer, "leaks"), *e;
	bool color = o && o->color;
	unsigned n = 0;

	if (!cJSON_IsArray(arr))
		return -EBADMSG;
	cJSON_ArrayForEach(e, arr) {
		_cleanup_free_ char *kind = clean(str_or(e, "kind", "?"), NULL);
		_cleanup_free_ char *vf = clean(str_or(e, "vf", "-"), NULL);
		_cleanup_free_ char *detail = clean(str_or(e, "detail", ""), NULL);

		if (!kind || !vf || !detail)
			return -ENOMEM;
		fprintf(f, "%s%-14s%s %-13s %s\n", color ? sgr[ST_RED] : "", kind, color ? SGR_RESET : "", vf,
			detail);
		n++;
	}
	if (n)
		fprintf(f, "%u leak%s\n", n, n == 1 ? "" : "s");
	else
		fprintf(f, "%sno leaks%s\n", color ? sgr[ST_GREEN] : "", color ? SGR_RESET : "");
	*count = n;
	return 0;
}

int render_pf_health(FILE *f, const cJSON *answer, const struct render_opts *o, unsigned *count)
{
	const cJSON *pfs = arr(answer, "pfs"), *fs = arr(answer, "findings"), *e, *p;
	bool color = o && o->color;
	unsigned n = 0;

	if (!cJSON_IsArray(pfs) || !cJSON_IsArray(fs))
		return -EBADMSG;
	cJSON_ArrayForEach(e, pfs) {
		_cleanup_free_ char *pf = clean(str_or(e, "pf", "?"), NULL);
		_cleanup_free_ char *nd = clean(str_or(e, "netdev", ""), NULL);
		_cleanup_free_ char *st = clean(str_or(e, "state", "?"), NULL);
		const cJSON *l = obj(e, "link");
		bool down = l && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(l, "usable"));
		char pods[24], sp[24] = "", cc[24] = "";

		if (!pf || !nd || !st)
			return -ENOMEM;
		fprintf(f, "PF %-13s %-15s %s%-10s%s pod VFs %s", pf, nd[0] ? nd : "-",
			down ? (color ? sgr[ST_RED] : "") : "", st, down && color ? SGR_RESET : "", num_s(e, "podVfs", pods));
		if (l && num(l, "speedMbps", &(long long){ 0 }))
			fprintf(f, "  %s Mb/s", num_s(l, "speedMbps", sp));
		if (l && num(l, "carrierChanges", &(long long){ 0 }))
			fprintf(f, "  carrier changes %s", num_s(l, "carrierChanges", cc));
		fputc('\n', f);
	}
	cJSON_ArrayForEach(e, fs) {
		_cleanup_free_ char *kind = clean(str_or(e, "kind", "?"), NULL);
		_cleanup_free_ char *pf = clean(str_or(e, "pf", "-"), NULL);
		_cleanup_free_ char *detail = clean(str_or(e, "detail", ""), NULL);

		if (!kind || !pf || !detail)
			return -ENOMEM;
		fprintf(f, "%s%-16s%s %-13s %s\n", color ? sgr[ST_RED] : "", kind, color ? SGR_RESET : "", pf, detail);
		cJSON_ArrayForEach(p, arr(e, "pods")) {
			_cleanup_free_ char *ns = clean(str_or(p, "namespace", "?"), NULL);
			_cleanup_free_ char *name = clean(str_or(p, "name", "?"), NULL);
			_cleanup_free_ char *vf = clean(str_or(p, "vf", "?"), NULL);
			_cleanup_free_ char *ifn = clean(str_or(p, "interface", ""), NULL);

			if (!ns || !name || !vf || !ifn)
				return -ENOMEM;
			fprintf(f, "  pod %s/%s  VF %s%s%s\n", ns, name, vf, ifn[0] ? "  " : "", ifn);
		}
		n++;
	}
	if (n)
		fprintf(f, "%u finding%s: pods without network\n", n, n == 1 ? "" : "s");
	else
		fprintf(f, "%sno PF down under a pod%s\n", color ? sgr[ST_GREEN] : "", color ? SGR_RESET : "");
	*count = n;
	return 0;
}

int render_devlink(FILE *f, const cJSON *answer, const struct render_opts *o)
{
	const cJSON *devs = cJSON_GetObjectItemCaseSensitive(answer, "devlink"), *d, *p;
	bool color = o && o->color;
	unsigned n = 0;

	if (!cJSON_IsArray(devs))
		return -EBADMSG;
	cJSON_ArrayForEach(d, devs) {
		_cleanup_free_ char *bus = clean(str_or(d, "bus", "?"), NULL);
		_cleanup_free_ char *dev = clean(str_or(d, "dev", "?"), NULL);
		_cleanup_free_ char *mode = clean(str_or(d, "eswitchMode", "-"), NULL);

		if (!bus || !dev || !mode)
			return -ENOMEM;
		fprintf(f, "%s%s/%s%s  eswitch %s\n", color ? sgr[ST_BOLD] : "", bus, dev, color ? SGR_RESET : "", mode);
		n++;
		cJSON_ArrayForEach(p, arr(d, "ports")) {
			_cleanup_free_ char *fl = clean(str_or(p, "flavour", "?"), NULL);
			_cleanup_free_ char *nd = clean(str_or(p, "netdev", ""), NULL);
			_cleanup_free_ char *pn = clean(str_or(p, "portName", ""), NULL);
			char idx[24], pf[24], vf[24];
			const cJSON *ag = cJSON_GetObjectItemCaseSensitive(p, "agrees");

			if (!fl || !nd || !pn)
				return -ENOMEM;
			fprintf(f, "  port %-6s %-9s", num_s(p, "index", idx), fl);
			if (has_str(p, "flavour") && !strcmp(str(p, "flavour"), "pcivf"))
				fprintf(f, " pf %s vf %-3s", num_s(p, "pf", pf), num_s(p, "vf", vf));
			fprintf(f, "  %s", nd[0] ? nd : "-");
			if (pn[0])
				fprintf(f, "  port name %s", pn);
			if (cJSON_IsFalse(ag))
				fprintf(f, "  %s(port name disagrees: devlink's tie is used)%s", color ? sgr[ST_RED] : "",
					color ? SGR_RESET : "");
			fputc('\n', f);
		}
	}
	if (!n)
		fprintf(f, "no devlink instance%s\n", has_str(answer, "devlinkError") ? " (devlink is not available)" : "");
	return 0;
}
