/* SPDX-License-Identifier: MIT */
/*
 * Client side of the pflinkd protocol (docs/agent-protocol.md): one request
 * line out, one answer line back, over the agent's unix socket.
 *
 * The plugin asks the agent on every pod start, so a dead or stuck agent
 * must cost a bounded time: the whole exchange (connect, send, receive)
 * shares one deadline.  Nothing here prints.
 */
#ifndef PFLINK_AGENT_CLIENT_H
#define PFLINK_AGENT_CLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define AGENT_CLIENT_DEFAULT_SOCKET "/run/pflink/pflinkd.sock"
#define AGENT_CLIENT_PROTOCOL 1
/* The agent refuses longer request lines (protocol limit, newline included). */
#define AGENT_CLIENT_REQUEST_MAX (64u * 1024)
/* Longest answer line accepted: a whole node's topology fits many times. */
#define AGENT_CLIENT_RESPONSE_MAX (16u * 1024 * 1024)

/*
 * Parse one answer (pure; fuzzed).  buf need not be NUL-terminated; one
 * trailing "\n" (or any JSON whitespace) is allowed.  On success *out is an
 * object with "v":1 and a boolean "ok" (the caller owns it); ok may be false.
 *
 *   -EMSGSIZE         len > AGENT_CLIENT_RESPONSE_MAX
 *   -EBADMSG          not exactly one JSON object (json_parse_exact(): no
 *                     trailing bytes, NUL or repeated key), no numeric "v",
 *                     no boolean "ok"
 *   -EPROTONOSUPPORT  "v" is a number other than 1 (agent of another version)
 *   -ENOMEM
 */
int agent_parse_response(const char *buf, size_t len, cJSON **out);

/*
 * Send req (an object the caller built, "v" and "op" included) to the agent
 * listening on sock_path and wait for its answer, all within timeout_ms
 * (> 0).  *resp is written only on success; an answer with "ok":false is a
 * success here (see agent_response_error()).
 *
 *   -ENOENT        no socket at sock_path (agent not running)
 *   -ECONNREFUSED  socket file there but nobody listening (stale socket)
 *   -EACCES        not allowed to connect (the socket is root-only)
 *   -ETIMEDOUT     the deadline passed (connect, send or receive)
 *   -ECONNRESET    the agent closed the connection without a whole answer
 *   -EMSGSIZE      the answer exceeds AGENT_CLIENT_RESPONSE_MAX
 *   -E2BIG         req serialises to more than AGENT_CLIENT_REQUEST_MAX
 *   -ENAMETOOLONG  sock_path does not fit a sockaddr_un
 *   -EINVAL        NULL argument, req not an object, timeout_ms == 0
 *   agent_parse_response()'s errors; any other -errno of socket calls.
 */
int agent_request(const char *sock_path, const cJSON *req, unsigned timeout_ms, cJSON **resp);

/* {"v":1,"op":op} plus key:val when key is non-NULL, then agent_request(). */
int agent_request_simple(const char *sock_path, const char *op, const char *key,
			 const char *val, unsigned timeout_ms, cJSON **resp);

/* NULL when resp says "ok":true; else the agent's "error" text, or a fixed
 * text when it gave none.  Valid as long as resp is. */
const char *agent_response_error(const cJSON *resp);

/* Scope-bound cJSON tree (prefixed: util.h may grow a generic one). */
static inline void agent_cjson_deletep(cJSON **p)
{
	cJSON_Delete(*p);
}
#define _cleanup_agent_json_ __attribute__((cleanup(agent_cjson_deletep)))

#endif
