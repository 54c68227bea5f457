/* SPDX-License-Identifier: MIT */
/* /metrics over libmicrohttpd (http.h).  No other file sees its types. */
#include "http.h"
#include "hostport.h"
#include "metrics.h"
#include "pflink/util.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A connection silent this long is closed (a slowloris trickling bytes
 * keeps its slot: the limits below bound how many one host can hold). */
#define HTTP_IDLE_S 10
#define HTTP_CONNECTIONS 64
#define HTTP_PER_IP 8
/* Request line and headers: Prometheus sends well under 1 KiB. */
#define HTTP_MEMORY (16 * 1024)
/* How long a scrape waits for the serving loop's snapshot. */
#define HTTP_WAIT_S 10
/* Scrapes within this of the last snapshot share it. */
#define SNAP_SHARE_NS 1000000000ull

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct ag_http {
	struct MHD_Daemon *d;
	int efd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* Under mu: */
	bool requested, stopping;
	struct mx_snap *ready;		/* delivered, not yet taken */
	unsigned long long collections;
	/* The HTTP thread's own (no lock): the snapshot it last served. */
	struct mx_snap *cache;
};

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* A snapshot no older than SNAP_SHARE_NS into h->cache, or false. */
static bool fresh_snapshot(struct ag_http *h, unsigned long long *collections)
{
	struct timespec dl;
	bool ok = false;

	if (h->cache && now_ns() - h->cache->agent.now_ns < SNAP_SHARE_NS) {
		pthread_mutex_lock(&h->mu);
		*collections = h->collections;
		pthread_mutex_unlock(&h->mu);
		return true;
	}
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += HTTP_WAIT_S;
	pthread_mutex_lock(&h->mu);
	/* A snapshot that came after its scrape gave up waiting (503) is
	 * served to the next scrape only while it is as fresh as a shared
	 * one: an old one is dropped and a new one asked for. */
	if (h->ready && now_ns() - h->ready->agent.now_ns >= SNAP_SHARE_NS) {
		mx_snap_free(h->ready);
		h->ready = NULL;
	}
	if (!h->requested && !h->ready) {
		uint64_t one = 1;

		h->requested = true;
		if (write(h->efd, &one, sizeof(one)) < 0)
			h->requested = false;
	}
	while (h->requested && !h->ready && !h->stopping)
		if (pthread_cond_timedwait(&h->cv, &h->mu, &dl) == ETIMEDOUT)
			break;
	if (h->ready) {
		mx_snap_free(h->cache);
		h->cache = TAKE_PTR(h->ready);
		ok = true;
	}
	*collections = h->collections;
	pthread_mutex_unlock(&h->mu);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	struct ag_http *h = cls;
	struct mx_render_opts o = { 0 };
	struct MHD_Response *r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rr;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)ctx;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "pflinkd serves /metrics only\n");
	if (!fresh_snapshot(h, &o.collections))
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "pflinkd's serving loop gave no snapshot in time\n");
	o.now_ns = now_ns();
	f = open_memstream(&buf, &len);
	if (!f)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	rr = metrics_render(f, h->cache, &o);
	if (fclose(f) != 0 || rr < 0 || !buf) {
		free(buf);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int ag_http_start(const char *addr, struct ag_http **out, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	struct ag_http *h;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	int r = ag_hostport_parse(addr, &ss, &sl, why, whylen);

	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&h->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	h->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->efd < 0) {
		r = -errno;
		snprintf(why, whylen, "eventfd");
		ag_http_stop(h);
		return r;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_S,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_PER_IP,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY,
				MHD_OPTION_END);
	if (!h->d) {
		r = errno ? -errno : -EADDRNOTAVAIL;
		snprintf(why, whylen, "cannot serve /metrics on %.200s", addr);
		ag_http_stop(h);
		return r;
	}
	*out = h;
	return 0;
}

void ag_http_stop(struct ag_http *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stopping = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->d)
		MHD_stop_daemon(h->d);
	if (h->efd >= 0)
		close(h->efd);
	mx_snap_free(h->ready);
	mx_snap_free(h->cache);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

int ag_http_fd(const struct ag_http *h)
{
	return h->efd;
}

bool ag_http_wanted(struct ag_http *h)
{
	uint64_t n;
	bool want;

	while (read(h->efd, &n, sizeof(n)) > 0)
		;
	pthread_mutex_lock(&h->mu);
	want = h->requested && !h->ready;
	pthread_mutex_unlock(&h->mu);
	return want;
}

void ag_http_deliver(struct ag_http *h, struct mx_snap *s)
{
	pthread_mutex_lock(&h->mu);
	mx_snap_free(h->ready);
	h->ready = s;
	if (s)
		h->collections++;
	else
		h->requested = false;	/* the waiting scrape answers 503 */
	if (s)
		h->requested = false;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}
