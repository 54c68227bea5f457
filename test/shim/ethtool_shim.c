// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ethtool_shim.c - LD_PRELOAD shim that makes chosen veth links claim to
 * be PCI network functions.  TEST ONLY: never link this into pflink.
 *
 * pflink maps a netdev to its PCI function with ETHTOOL_GDRVINFO and reads
 * bus_info.  The test machines have no SR-IOV hardware, and the only links
 * they can create (veth) answer driver "veth" with an empty bus_info, which
 * the kernel gives us no way to change.  So we interpose ioctl(2) and, for
 * GDRVINFO only, replace driver and bus_info of links whose MAC address is
 * listed in the file named by $PFLINK_TEST_BUSINFO:
 *
 *	# mac              bus_info       driver
 *	02:00:00:00:01:00  0000:01:10.0   igbvf
 *	02:00:00:00:01:01  -              mlx5_core
 *
 * One entry per line; blank lines and lines whose first non-blank character
 * is '#' are ignored ('#' elsewhere is data: bus_info may be hostile on
 * purpose).  "-" stands for the empty string, "hex:0a41..." for the bytes
 * given in hex (newlines, control bytes, non-UTF-8).  Strings are truncated to
 * the 32-byte field and NUL padded, as the kernel's strscpy() into a zeroed
 * struct would.  When a MAC is listed more than once the last line wins, so
 * a test can override an entry by appending.
 *
 * The MAC is the key, not the name, because a test moves links between
 * namespaces and may reuse names; the MAC follows the link.  It is read with
 * SIOCGIFHWADDR on the caller's own fd, so it comes from the namespace the
 * socket lives in, the same one the kernel answered GDRVINFO from.
 *
 * With $PFLINK_TEST_BUSINFO_LOG set, each answer taken from the map is
 * appended to that file as one line.
 *
 * Second job: $PFLINK_NETNS_DIRS ("dir[:dir...]") replaces the bind-mount
 * directories pflink's direct PF scan reads (/run/netns, /var/run/netns,
 * /var/run/docker/netns, in that order: the n-th listed dir stands in for
 * the n-th default, defaults beyond the list do not exist), so a test's
 * scan never wanders into the netns of other tests on the machine.  This
 * is opendir(3) interposed, here and not in pflink: no test hook in the
 * product.
 *
 * Third job: switchdev ports.  veth has no IFLA_PHYS_PORT_NAME nor
 * IFLA_PHYS_SWITCH_ID, and nothing can give it one.  With
 * $PFLINK_TEST_PORTS naming a map of the same shape,
 *
 *	# mac              port_name  switch_id (hex, at most 15 bytes)
 *	02:00:00:00:0a:01  p0         b8599f0300aabbcc
 *	02:00:00:00:0a:11  pf0vf1     b8599f0300aabbcc
 *
 * every RTM_NEWLINK a NETLINK_ROUTE socket receives (recvmsg(2), as libmnl
 * and pflink read them) for a listed MAC that carries neither attribute
 * gets both appended, as a switchdev driver's link would carry them.  A
 * datagram that no longer fits the caller's buffer is cut and flagged
 * MSG_TRUNC, as the kernel does.
 *
 * The same recvmsg(2) hook names the parent device of every listed link
 * whose bus_info is a PCI address (IFLA_PARENT_DEV_BUS_NAME "pci",
 * IFLA_PARENT_DEV_NAME the address), as Linux 5.16+ does for a real PCI
 * netdev.  $PFLINK_TEST_NO_PARENT (any value) instead strips both
 * attributes from every link, real ones included: a kernel before 5.16.
 *
 * With $PFLINK_TEST_DUMP_INTR_LOG naming a file, the same hook appends a
 * line "NLM_F_DUMP_INTR" to it for every message of a link dump that the
 * kernel flags interrupted (links changed while it was dumped): the
 * caller was handed an inconsistent dump and had to redo it.
 *
 * Fourth job: a rename race on demand.  With $PFLINK_TEST_SWAP_ON_DRVINFO
 * set to "a,b", the first ETHTOOL_GDRVINFO a process asks for link "a"
 * swaps the names of links a and b (both down, in the caller's netns)
 * just before the kernel answers: the answer is then b's, as when a
 * rename slips between a netlink message and the ioctl by name.
 */

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#define SHIM_NAME "pflink-ethtool-shim"

typedef int (*ioctl_fn)(int, unsigned long, ...);

struct entry {
	uint8_t mac[6];
	/* Stored already truncated and zero padded: copied out whole. */
	char bus_info[sizeof(((struct ethtool_drvinfo *)0)->bus_info)];
	char driver[sizeof(((struct ethtool_drvinfo *)0)->driver)];
};

/*
 * A cache: the parsed map plus the identity of the file it came from.
 * Everything in one is guarded by 'lock'; a daemon under test may ask
 * from several threads at once.  Two maps: bus info, and port names.
 */
struct map {
	struct entry *entries;
	size_t n_entries;
	char *cached_path;
	struct stat cached_st;
	struct timespec loaded_at;
};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct map busmap, portmap;

static _Atomic(ioctl_fn) real_ioctl_p;

static ioctl_fn real_ioctl(void)
{
	ioctl_fn fn = atomic_load(&real_ioctl_p);

	/* A race here is harmless: every thread stores the same pointer. */
	if (!fn) {
		void *sym = dlsym(RTLD_NEXT, "ioctl");

		/* ISO C has no cast from void * to a function pointer. */
		memcpy(&fn, &sym, sizeof(fn));
		atomic_store(&real_ioctl_p, fn);
	}
	return fn;
}

static void drop_cache(struct map *m)
{
	free(m->entries);
	m->entries = NULL;
	m->n_entries = 0;
	free(m->cached_path);
	m->cached_path = NULL;
}

/* Accepts exactly "xx:xx:xx:xx:xx:xx", either case. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++, s += 3) {
		unsigned int v = 0;

		for (int j = 0; j < 2; j++) {
			char c = s[j];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned int)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned int)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned int)(c - 'A' + 10);
			else
				return -1;
		}
		if (s[2] != (i == 5 ? '\0' : ':'))
			return -1;
		mac[i] = (uint8_t)v;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * strscpy() into a zeroed field; "-" is the empty string.  "hex:HHHH..."
 * stands for the bytes HH... (so a test can send a newline, a control
 * byte or non-UTF-8); an odd or non-hex digit ends the string there.
 */
static void set_field(char *dst, size_t size, const char *src)
{
	size_t n = strcmp(src, "-") == 0 ? 0 : strnlen(src, size - 1);

	memset(dst, 0, size);
	if (strncmp(src, "hex:", 4) == 0) {
		src += 4;
		for (n = 0; n < size - 1; n++, src += 2) {
			int hi = hexval(src[0]), lo = hi < 0 ? -1 : hexval(src[1]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				break;
			dst[n] = (char)(hi << 4 | lo);
		}
		return;
	}
	memcpy(dst, src, n);
}

/*
 * Parse the map into a fresh array; only on success does it replace the
 * cache.  A bad line is reported and skipped rather than fatal: the shim
 * must not change what the program under test does with its own errors.
 */
static int load(struct map *m, const char *path, FILE *f)
{
	struct entry *v = NULL, *nv;
	size_t n = 0, cap = 0, lineno = 0, len = 0;
	char *line = NULL;

	while (getline(&line, &len, f) != -1) {
		char *save, *mac, *bus, *drv;
		struct entry e;

		lineno++;
		mac = strtok_r(line, " \t\r\n", &save);
		if (!mac || mac[0] == '#')
			continue;
		bus = strtok_r(NULL, " \t\r\n", &save);
		drv = strtok_r(NULL, " \t\r\n", &save);
		if (!bus || !drv || strtok_r(NULL, " \t\r\n", &save) ||
		    parse_mac(mac, e.mac) < 0) {
			fprintf(stderr, SHIM_NAME ": %s:%zu: ignoring malformed line\n",
				path, lineno);
			continue;
		}
		set_field(e.bus_info, sizeof(e.bus_info), bus);
		set_field(e.driver, sizeof(e.driver), drv);

		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
		}
		v[n++] = e;
	}
	if (ferror(f))
		goto fail;
	free(line);

	free(m->entries);
	m->entries = v;
	m->n_entries = n;
	return 0;
fail:
	free(line);
	free(v);
	return -1;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Is the cache still good for 'path' as it is on disk now?  Identity is
 * (dev, ino, size, mtime), but mtime may come from a coarse clock (a tick,
 * before multigrain timestamps): a test that rewrites the file in place with
 * the same length right after we read it can leave all four unchanged.  So, as git does for its "racily clean" index, a file
 * modified within a second of our read is never trusted and is read again.
 */
static int cache_fresh(const struct map *m, const char *path, const struct stat *st)
{
	if (!m->cached_path || strcmp(m->cached_path, path) != 0)
		return 0;
	if (!same_file(st, &m->cached_st))
		return 0;
	return (m->loaded_at.tv_sec - st->st_mtim.tv_sec) * 1000000000LL +
	       (m->loaded_at.tv_nsec - st->st_mtim.tv_nsec) > 1000000000LL;
}

/* Called with 'lock' held.  Returns 0 with the cache current, or -1. */
static int refresh(struct map *m, const char *path)
{
	struct stat st;
	FILE *f;

	if (stat(path, &st) < 0) {
		drop_cache(m);
		return -1;
	}
	if (cache_fresh(m, path, &st))
		return 0;

	drop_cache(m);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* Identity of what we actually read, not of what stat() saw. */
	if (fstat(fileno(f), &st) < 0 || load(m, path, f) < 0) {
		fclose(f);
		drop_cache(m);
		return -1;
	}
	fclose(f);
	m->cached_path = strdup(path);
	if (!m->cached_path) {
		drop_cache(m);
		return -1;
	}
	m->cached_st = st;
	clock_gettime(CLOCK_REALTIME, &m->loaded_at);
	return 0;
}

/* Copies the map's answer for 'mac' into 'out'; 0 if found, -1 if not. */
static int lookup(struct map *m, const char *path, const uint8_t mac[6], struct entry *out)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	if (refresh(m, path) == 0) {
		/* Last line wins: search backwards. */
		for (size_t i = m->n_entries; i-- > 0;) {
			if (memcmp(m->entries[i].mac, mac, 6) == 0) {
				*out = m->entries[i];
				ret = 0;
				break;
			}
		}
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

static void log_answer(const char *ifname, const struct entry *e)
{
	const char *path = getenv("PFLINK_TEST_BUSINFO_LOG");
	const uint8_t *m = e->mac;
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "ae");
	if (!f)
		return;
	fprintf(f, "%s %02x:%02x:%02x:%02x:%02x:%02x driver=%s bus_info=%s\n",
		ifname, m[0], m[1], m[2], m[3], m[4], m[5], e->driver,
		e->bus_info);
	fclose(f);
}

/* The real GDRVINFO on 'ifr' succeeded; rewrite it if the map says so. */
static void fake_drvinfo(int fd, struct ifreq *ifr,
			 struct ethtool_drvinfo *info)
{
	const char *path = getenv("PFLINK_TEST_BUSINFO");
	struct ifreq hw;
	struct entry e;

	if (!path || !*path)
		return;

	/*
	 * A separate ifreq: ifr_hwaddr shares a union with ifr_data, and the
	 * caller's ifr must come back exactly as the kernel left it.
	 */
	memset(&hw, 0, sizeof(hw));
	memcpy(hw.ifr_name, ifr->ifr_name, IFNAMSIZ);
	hw.ifr_name[IFNAMSIZ - 1] = '\0';
	if (real_ioctl()(fd, SIOCGIFHWADDR, &hw) < 0 ||
	    hw.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return;

	if (lookup(&busmap, path, (const uint8_t *)hw.ifr_hwaddr.sa_data, &e) < 0)
		return;

	memcpy(info->driver, e.driver, sizeof(info->driver));
	memcpy(info->bus_info, e.bus_info, sizeof(info->bus_info));
	log_answer(hw.ifr_name, &e);
}

static _Atomic int swapped;

static void rename_link(ioctl_fn real, int fd, const char *from, const char *to)
{
	struct ifreq r;

	memset(&r, 0, sizeof(r));
	snprintf(r.ifr_name, IFNAMSIZ, "%s", from);
	snprintf(r.ifr_newname, IFNAMSIZ, "%s", to);
	if (real(fd, SIOCSIFNAME, &r) < 0)
		fprintf(stderr, SHIM_NAME ": rename %s -> %s: %s\n", from, to, strerror(errno));
}

/* PFLINK_TEST_SWAP_ON_DRVINFO: swap "a" and "b" before the first GDRVINFO of a. */
static void maybe_swap(ioctl_fn real, int fd, const char *ifname)
{
	const char *spec = getenv("PFLINK_TEST_SWAP_ON_DRVINFO");
	char a[IFNAMSIZ], b[IFNAMSIZ];
	const char *comma;
	int no = 0;

	if (!spec || !(comma = strchr(spec, ',')) || (size_t)(comma - spec) >= IFNAMSIZ)
		return;
	snprintf(a, sizeof(a), "%.*s", (int)(comma - spec), spec);
	snprintf(b, sizeof(b), "%s", comma + 1);
	if (strcmp(ifname, a) || !atomic_compare_exchange_strong(&swapped, &no, 1))
		return;
	rename_link(real, fd, a, "pflinkswap0");
	rename_link(real, fd, b, a);
	rename_link(real, fd, "pflinkswap0", b);
}

__attribute__((visibility("default")))
int ioctl(int fd, unsigned long req, ...)
{
	ioctl_fn real = real_ioctl();
	struct ethtool_drvinfo *info;
	struct ifreq *ifr;
	int saved_errno;
	va_list ap;
	void *arg;
	__u32 cmd;
	int ret;

	/* glibc's own ioctl() fetches its third argument the same way. */
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (!real) {
		errno = ENOSYS;
		return -1;
	}

	if (req == SIOCETHTOOL && arg && getenv("PFLINK_TEST_SWAP_ON_DRVINFO")) {
		struct ifreq *q = arg;
		__u32 c;

		memcpy(&c, q->ifr_data, sizeof(c));
		if (c == ETHTOOL_GDRVINFO)
			maybe_swap(real, fd, q->ifr_name);
	}

	/*
	 * Ask the kernel first, so a missing interface or a bad pointer fails
	 * exactly as it would without us.  Only after it succeeded do we know
	 * ifr and ifr_data point at readable memory; GDRVINFO leaves cmd as
	 * ETHTOOL_GDRVINFO in the copy it writes back.
	 */
	ret = real(fd, req, arg);
	if (ret < 0 || req != SIOCETHTOOL)
		return ret;

	ifr = arg;
	info = (struct ethtool_drvinfo *)ifr->ifr_data;
	memcpy(&cmd, &info->cmd, sizeof(cmd));
	if (cmd != ETHTOOL_GDRVINFO)
		return ret;

	saved_errno = errno;
	fake_drvinfo(fd, ifr, info);
	errno = saved_errno;
	return ret;
}

typedef DIR *(*opendir_fn)(const char *);

static const char *const default_netns_dirs[] = {
	"/run/netns", "/var/run/netns", "/var/run/docker/netns",
};

__attribute__((visibility("default")))
DIR *opendir(const char *name)
{
	const char *dirs = getenv("PFLINK_NETNS_DIRS");
	opendir_fn real;
	void *sym = dlsym(RTLD_NEXT, "opendir");
	char buf[4096];

	memcpy(&real, &sym, sizeof(real));
	if (!real) {
		errno = ENOSYS;
		return NULL;
	}
	if (dirs && *dirs) {
		for (size_t k = 0; k < sizeof(default_netns_dirs) / sizeof(*default_netns_dirs); k++) {
			char *save = NULL, *tok;
			size_t i = 0;

			if (strcmp(name, default_netns_dirs[k]) != 0)
				continue;
			snprintf(buf, sizeof(buf), "%s", dirs);
			for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save), i++)
				if (i == k)
					return real(tok);
			errno = ENOENT;
			return NULL;
		}
	}
	return real(name);
}

typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);

static bool route_socket(int fd)
{
	int v;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0 || v != AF_NETLINK)
		return false;
	l = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l) == 0 && v == NETLINK_ROUTE;
}

static size_t put_attr(unsigned char *p, unsigned short type, const void *data, size_t len)
{
	struct rtattr a = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };

	memcpy(p, &a, sizeof(a));
	memcpy(p + RTA_LENGTH(0), data, len);
	memset(p + RTA_LENGTH(len), 0, RTA_SPACE(len) - RTA_LENGTH(len));
	return RTA_SPACE(len);
}

/* "dddd:bb:dd.f" exactly, as the kernel names a PCI device. */
static bool pci_name(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	for (size_t i = 0; i < sizeof(shape); i++) {
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	}
	return true;
}

static bool dropped(unsigned short type, bool no_parent)
{
	return no_parent && (type == IFLA_PARENT_DEV_NAME || type == IFLA_PARENT_DEV_BUS_NAME);
}

/* Copy one RTM_NEWLINK to out, changed as the environment asks; returns
 * its new length (aligned). */
static size_t rewrite_link(const struct nlmsghdr *h, size_t len, unsigned char *out,
			   const char *ports, const char *buses, bool no_parent)
{
	const struct ifinfomsg *ifm = NLMSG_DATA(h);
	const struct rtattr *a = IFLA_RTA(ifm);
	int alen = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifm));
	const uint8_t *mac = NULL;
	bool has_port = false, has_parent = false;
	struct nlmsghdr *oh = (void *)out;
	size_t o = NLMSG_LENGTH(sizeof(*ifm));
	struct entry e;

	if (h->nlmsg_type != RTM_NEWLINK || alen < 0 || h->nlmsg_len > len) {
		memcpy(out, h, len);
		return len;
	}
	memcpy(out, h, o);
	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == IFLA_PHYS_PORT_NAME || a->rta_type == IFLA_PHYS_SWITCH_ID)
			has_port = true;
		if (a->rta_type == IFLA_PARENT_DEV_NAME)
			has_parent = true;
		if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6)
			mac = RTA_DATA(a);
		if (dropped(a->rta_type, no_parent))
			continue;
		memcpy(out + o, a, RTA_ALIGN(a->rta_len));
		o += RTA_ALIGN(a->rta_len);
	}
	/* A mapped PCI function gets its parent device named, as the kernel
	 * (5.16+) names every PCI netdev's: pflink then needs no ioctl. */
	if (mac && buses && !no_parent && !has_parent && lookup(&busmap, buses, mac, &e) == 0 &&
	    pci_name(e.bus_info)) {
		o += put_attr(out + o, IFLA_PARENT_DEV_BUS_NAME, "pci", 4);
		o += put_attr(out + o, IFLA_PARENT_DEV_NAME, e.bus_info, strlen(e.bus_info) + 1);
	}
	if (mac && ports && !has_port && lookup(&portmap, ports, mac, &e) == 0) {
		unsigned char sw[16];
		size_t k, swn = 0;

		for (k = 0; e.driver[2 * k] && e.driver[2 * k + 1] && swn < sizeof(sw); k++) {
			int hi = hexval(e.driver[2 * k]), lo = hexval(e.driver[2 * k + 1]);

			if (hi < 0 || lo < 0)
				break;
			sw[swn++] = (unsigned char)(hi << 4 | lo);
		}
		if (e.bus_info[0])
			o += put_attr(out + o, IFLA_PHYS_PORT_NAME, e.bus_info, strlen(e.bus_info) + 1);
		if (swn)
			o += put_attr(out + o, IFLA_PHYS_SWITCH_ID, sw, swn);
	}
	oh->nlmsg_len = (unsigned)o;
	return NLMSG_ALIGN(o);
}

/* Rewrite the n bytes at buf into out (room for what is added); returns
 * the new length. */
static size_t rewrite(const unsigned char *buf, size_t n, unsigned char *out, const char *ports,
		      const char *buses, bool no_parent)
{
	const struct nlmsghdr *h = (const void *)buf;
	size_t o = 0;
	int left = (int)n;

	for (; NLMSG_OK(h, (unsigned)left); h = NLMSG_NEXT(h, left)) {
		size_t len = NLMSG_ALIGN(h->nlmsg_len);

		if (len > (size_t)left)
			len = (size_t)left;
		o += rewrite_link(h, len, out + o, ports, buses, no_parent);
	}
	/* Whatever did not parse as a message stays as it was. */
	if ((size_t)((const unsigned char *)h - buf) < n) {
		size_t rest = n - (size_t)((const unsigned char *)h - buf);

		memcpy(out + o, h, rest);
		o += rest;
	}
	return o;
}

static const char *env_path(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* PFLINK_TEST_DUMP_INTR_LOG: one line per message flagged NLM_F_DUMP_INTR. */
static void log_dump_intr(const char *path, const unsigned char *buf, size_t n)
{
	const struct nlmsghdr *h = (const void *)buf;
	int left = (int)n;
	FILE *f;

	for (; NLMSG_OK(h, (unsigned)left); h = NLMSG_NEXT(h, left)) {
		if (!(h->nlmsg_flags & NLM_F_DUMP_INTR))
			continue;
		f = fopen(path, "ae");
		if (!f)
			return;
		fputs("NLM_F_DUMP_INTR\n", f);
		fclose(f);
	}
}

__attribute__((visibility("default")))
ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	const char *ports = env_path("PFLINK_TEST_PORTS"), *buses = env_path("PFLINK_TEST_BUSINFO");
	const char *intr_log = env_path("PFLINK_TEST_DUMP_INTR_LOG");
	bool no_parent = env_path("PFLINK_TEST_NO_PARENT") != NULL;
	recvmsg_fn real;
	void *sym = dlsym(RTLD_NEXT, "recvmsg");
	unsigned char *out;
	size_t cap, have, got;
	ssize_t n;
	int saved;

	memcpy(&real, &sym, sizeof(real));
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if ((!ports && !buses && !no_parent && !intr_log) || (flags & MSG_PEEK) ||
	    msg->msg_iovlen != 1 || !route_socket(fd))
		return real(fd, msg, flags);
	n = real(fd, msg, flags);
	if (n <= 0 || (size_t)n > msg->msg_iov[0].iov_len)
		return n;	/* nothing, or already cut: as the kernel said */
	saved = errno;
	if (intr_log)
		log_dump_intr(intr_log, msg->msg_iov[0].iov_base, (size_t)n);
	if (!ports && !buses && !no_parent) {
		errno = saved;
		return n;
	}
	have = (size_t)n;
	/* Each message can grow by four attributes (port name and switch id,
	 * parent bus and device) of at most 16+4 bytes each, padded; a message
	 * is at least 16 bytes. */
	cap = have + (have / 16 + 1) * 96;
	out = malloc(cap);
	if (!out)
		return n;
	got = rewrite(msg->msg_iov[0].iov_base, have, out, ports, buses, no_parent);
	if (got <= msg->msg_iov[0].iov_len) {
		memcpy(msg->msg_iov[0].iov_base, out, got);
		n = (ssize_t)got;
	} else {
		/* Too big for the caller now: cut and say so, like the kernel. */
		memcpy(msg->msg_iov[0].iov_base, out, msg->msg_iov[0].iov_len);
		msg->msg_flags |= MSG_TRUNC;
		n = (flags & MSG_TRUNC) ? (ssize_t)got : (ssize_t)msg->msg_iov[0].iov_len;
	}
	free(out);
	errno = saved;
	return n;
}

/* Not needed for correctness; keeps leak checkers quiet at exit. */
__attribute__((destructor))
static void shim_fini(void)
{
	pthread_mutex_lock(&lock);
	drop_cache(&busmap);
	drop_cache(&portmap);
	pthread_mutex_unlock(&lock);
}
