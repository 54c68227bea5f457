/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's /metrics endpoint (libmicrohttpd, its own thread).  The map
 * belongs to the serving loop, so a scrape never reads it: the HTTP
 * thread asks the loop for a snapshot (an eventfd in the loop's epoll),
 * the loop takes one a slice at a time between its clients (collect.h)
 * and hands it over, and the HTTP thread renders it (metrics.c).  Scrapes
 * within a second of a snapshot share it, so the loop takes at most one a
 * second however often it is scraped.
 */
#ifndef PFLINK_AGENT_HTTP_H
#define PFLINK_AGENT_HTTP_H

#include "snapshot.h"

#include <stdbool.h>
#include <stddef.h>

struct ag_http;

/* Listen on addr, "[ADDRESS]:PORT" (either family) or "IPv4:PORT",
 * numeric (hostport.h), exactly that address (no wildcard unless given).
 * On failure why says what. */
int ag_http_start(const char *addr, struct ag_http **out, char *why, size_t whylen);
void ag_http_stop(struct ag_http *h);

/* The eventfd the serving loop polls: readable when a scrape waits for a
 * snapshot.  ag_http_wanted() reads it: true when one is wanted. */
int ag_http_fd(const struct ag_http *h);
bool ag_http_wanted(struct ag_http *h);
/* The loop's snapshot for the waiting scrape (NULL: none could be made);
 * takes ownership. */
void ag_http_deliver(struct ag_http *h, struct mx_snap *s);

#endif
