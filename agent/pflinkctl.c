/* SPDX-License-Identifier: MIT */
/*
 * pflinkctl: pflinkd's PF -> VF -> pod map for a person (a tree) or a
 * program (--json).  Parses arguments, asks the agent (lib/agent_client.c),
 * hands the answer to render.c.
 *
 * Exit status: 0 ok; 1 pflinkd unreachable, silent, or answered an error
 * (or, for leaks and pf-health, findings); 2 bad usage.  "pflinkctl
 * health" is the DaemonSet's liveness probe: it never waits longer than
 * --timeout (default 2 s) in total, and never fails for a down PF (a
 * restarted agent would not bring the link back): pf-health does.
 */
#include "render.h"
#include "pflink/agent_client.h"
#include "pflink/pci.h"
#include "pflink/util.h"
#include "pflink/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PFLINK_VERSION
#define PFLINK_VERSION "unknown"
#endif

#define DEFAULT_TIMEOUT_MS 2000u
#define MAX_TIMEOUT_MS 3600000ul

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char *prog = "pflinkctl";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND\n"
		"\n"
		"Show this node's SR-IOV map as pflinkd sees it: PF -> VF -> pod.\n"
		"\n"
		"Commands:\n"
		"  show          every PF and its VFs, as a tree\n"
		"  pf BDF        one PF and its VFs (BDF: 0000:01:00.0, or 01:00.0)\n"
		"  vf BDF        one VF, under its PF\n"
		"  pod NS/NAME   the VFs that pod holds (pflink's records, the runtime)\n"
		"  health        one line (and one per runtime root); exit 0 when pflinkd\n"
		"                answers ok, else 1\n"
		"  leaks         orphaned VFs, records of dead sandboxes, VFs in no netns\n"
		"                pflinkd sees, MACs on two VFs, VFs two pods hold, free\n"
		"                VFs left configured, pods on CPUs of another NUMA node\n"
		"                than their VF's; exit 1 when there is any\n"
		"  devlink       devlink's instances: eswitch mode, ports, the netdev of each\n"
		"  pf-health     each PF's link; PFs down with pods on them and VFs in pods\n"
		"                forced down, with the pods; exit 1 when there is any (for\n"
		"                a person or node-problem-detector; health ignores them)\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   pflinkd's socket (default %s)\n"
		"  -j, --json          print pflinkd's answer as JSON\n"
		"      --no-color, --no-colour\n"
		"                      no colour (also when NO_COLOR is set or stdout\n"
		"                      is not a terminal)\n"
		"  -t, --timeout MS    give up after MS milliseconds in total (default %u)\n"
		"  -h, --help          this text\n"
		"  -V, --version       pflinkctl's version\n"
		"\n"
		"Exit status: 0 ok, 1 pflinkd unreachable or it answered an error\n"
		"(or leaks or pf-health findings), 2 bad usage.\n",
		prog, AGENT_CLIENT_DEFAULT_SOCKET, DEFAULT_TIMEOUT_MS);
}

__attribute__((format(printf, 1, 2), noreturn))
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", prog);
	exit(EXIT_USAGE);
}

/* One line on stderr for each way talking to the agent can fail: what
 * happened, where, and what to do about it. */
static void say_request_error(int err, const char *sock, unsigned timeout_ms)
{
	switch (err) {
	case -ENOENT:
		fprintf(stderr, "%s: pflinkd is not running: no socket at %s "
			"(start pflinkd, or pass --socket)\n", prog, sock);
		break;
	case -ECONNREFUSED:
		fprintf(stderr, "%s: pflinkd is not running: nothing listens on %s "
			"(a stale socket, or not a socket; restart pflinkd, or pass --socket)\n",
			prog, sock);
		break;
	case -EACCES:
	case -EPERM:
		fprintf(stderr, "%s: permission denied on %s "
			"(pflinkd serves root only: run %s as root)\n", prog, sock, prog);
		break;
	case -ETIMEDOUT:
		fprintf(stderr, "%s: pflinkd did not answer within %u ms on %s "
			"(it may be stuck: see its log; or raise --timeout)\n",
			prog, timeout_ms, sock);
		break;
	case -ECONNRESET:
	case -EPIPE:
		fprintf(stderr, "%s: pflinkd on %s closed the connection without a whole answer "
			"(it may have crashed: see its log)\n", prog, sock);
		break;
	case -EBADMSG:
		fprintf(stderr, "%s: the answer on %s is not pflinkd protocol v1 JSON "
			"(is something else listening there? check --socket)\n", prog, sock);
		break;
	case -EPROTONOSUPPORT:
		fprintf(stderr, "%s: pflinkd on %s speaks another protocol version than this "
			"%s (v%d): use a %s from the same release as pflinkd\n",
			prog, sock, prog, AGENT_CLIENT_PROTOCOL, prog);
		break;
	case -EMSGSIZE:
		fprintf(stderr, "%s: the answer on %s is larger than %u MiB; refusing it\n",
			prog, sock, AGENT_CLIENT_RESPONSE_MAX >> 20);
		break;
	case -ENAMETOOLONG:
		fprintf(stderr, "%s: socket path too long for a unix socket: %s\n", prog, sock);
		break;
	default:
		fprintf(stderr, "%s: cannot talk to pflinkd on %s: %s\n", prog, sock, strerror(-err));
		break;
	}
}

/* "0000:01:00.0", any case, or lspci's short "01:00.0" (domain 0). */
static int parse_bdf(const char *s, char out[PCI_BDF_LEN])
{
	char full[PCI_BDF_LEN + 8];

	if (strlen(s) == 7 && s[2] == ':' && s[5] == '.') {
		snprintf(full, sizeof(full), "0000:%s", s);
		s = full;
	}
	return pci_bdf_parse(s, out);
}

static cJSON *new_request(const char *op)
{
	cJSON *req = cJSON_CreateObject();

	if (!req || !json_add_int(req, "v", AGENT_CLIENT_PROTOCOL) ||
	    !cJSON_AddStringToObject(req, "op", op)) {
		cJSON_Delete(req);
		return NULL;
	}
	return req;
}

static bool want_color(bool no_color_flag)
{
	const char *nc = getenv("NO_COLOR");

	/* no-color.org: NO_COLOR present and not empty disables colour. */
	return !no_color_flag && !(nc && *nc) && isatty(STDOUT_FILENO);
}

enum cmd { CMD_SHOW, CMD_PF, CMD_VF, CMD_POD, CMD_HEALTH, CMD_LEAKS, CMD_DEVLINK, CMD_PF_HEALTH };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *sock = AGENT_CLIENT_DEFAULT_SOCKET;
	unsigned timeout_ms = DEFAULT_TIMEOUT_MS;
	bool json = false, no_color = false;
	_cleanup_agent_json_ cJSON *req = NULL;
	_cleanup_agent_json_ cJSON *resp = NULL;
	_cleanup_free_ char *ns = NULL;
	const char *name = NULL, *cmdname, *agent_err;
	unsigned leaks = 0;
	char bdf[PCI_BDF_LEN] = "";
	struct render_opts ro;
	enum cmd cmd;
	int c, r;

	if (argv[0] && *argv[0]) {
		const char *b = strrchr(argv[0], '/');

		prog = b ? b + 1 : argv[0];
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:jt:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!*optarg)
				usage_error("--socket needs a path");
			sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'C':
			no_color = true;
			break;
		case 't': {
			char *end = NULL;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || !end || *end || optarg[0] == '-' || optarg[0] == '\0' ||
			    v == 0 || v > MAX_TIMEOUT_MS)
				usage_error("--timeout wants milliseconds, 1 to %lu, not '%s'",
					    MAX_TIMEOUT_MS, optarg);
			timeout_ms = (unsigned)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pflinkctl %s (protocol v%d)\n", PFLINK_VERSION, AGENT_CLIENT_PROTOCOL);
			return 0;
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("no command given");
	cmdname = argv[optind++];

	if (!strcmp(cmdname, "show")) {
		cmd = CMD_SHOW;
	} else if (!strcmp(cmdname, "pf")) {
		cmd = CMD_PF;
	} else if (!strcmp(cmdname, "vf")) {
		cmd = CMD_VF;
	} else if (!strcmp(cmdname, "pod")) {
		cmd = CMD_POD;
	} else if (!strcmp(cmdname, "health")) {
		cmd = CMD_HEALTH;
	} else if (!strcmp(cmdname, "leaks")) {
		cmd = CMD_LEAKS;
	} else if (!strcmp(cmdname, "devlink")) {
		cmd = CMD_DEVLINK;
	} else if (!strcmp(cmdname, "pf-health")) {
		cmd = CMD_PF_HEALTH;
	} else {
		usage_error("unknown command '%s'", cmdname);
	}

	switch (cmd) {
	case CMD_SHOW:
	case CMD_HEALTH:
	case CMD_LEAKS:
	case CMD_DEVLINK:
	case CMD_PF_HEALTH:
		if (optind != argc)
			usage_error("%s takes no argument", cmdname);
		req = new_request(cmd == CMD_SHOW ? "topology" : cmdname);
		break;
	case CMD_PF:
	case CMD_VF:
		if (argc - optind != 1)
			usage_error("%s wants one PCI address, e.g. %s %s", cmdname, cmdname,
				    cmd == CMD_PF ? "0000:01:00.0" : "0000:01:10.2");
		if (parse_bdf(argv[optind], bdf) < 0)
			usage_error("'%s' is not a PCI address (want DDDD:BB:DD.F, e.g. 0000:01:10.2)",
				    argv[optind]);
		req = new_request(cmdname);
		if (req && !cJSON_AddStringToObject(req, "pciAddress", bdf))
			cJSON_Delete(TAKE_PTR(req));
		break;
	case CMD_POD: {
		const char *arg, *slash;

		if (argc - optind != 1)
			usage_error("pod wants NAMESPACE/NAME, e.g. pod team-a/web-0");
		arg = argv[optind];
		slash = strchr(arg, '/');
		if (!slash || slash == arg || !slash[1] || strchr(slash + 1, '/'))
			usage_error("'%s' is not NAMESPACE/NAME, e.g. team-a/web-0", arg);
		ns = strndup(arg, (size_t)(slash - arg));
		name = slash + 1;
		req = new_request("pod");
		if (req && (!ns || !cJSON_AddStringToObject(req, "namespace", ns) ||
			    !cJSON_AddStringToObject(req, "name", name)))
			cJSON_Delete(TAKE_PTR(req));
		break;
	}
	}
	if (!req) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_FAIL;
	}

	r = agent_request(sock, req, timeout_ms, &resp);
	if (r < 0) {
		say_request_error(r, sock, timeout_ms);
		return EXIT_FAIL;
	}
	agent_err = agent_response_error(resp);

	ro = (struct render_opts){ .color = !json && want_color(no_color) };
	if (json) {
		_cleanup_free_ char *out = cJSON_Print(resp);

		if (!out) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return EXIT_FAIL;
		}
		puts(out);
		r = 0;
		if (cmd == CMD_LEAKS && !agent_err) {
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(resp, "leaks");

			leaks = cJSON_IsArray(l) ? (unsigned)cJSON_GetArraySize(l) : 0;
		}
		if (cmd == CMD_PF_HEALTH && !agent_err) {
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(resp, "findings");

			leaks = cJSON_IsArray(l) ? (unsigned)cJSON_GetArraySize(l) : 0;
		}
	} else if (cmd == CMD_HEALTH) {
		r = render_health(stdout, resp, &ro);
	} else if (agent_err) {
		r = 0;	/* said below */
	} else {
		switch (cmd) {
		case CMD_SHOW:
			r = render_topology(stdout, resp, &ro);
			break;
		case CMD_PF:
			r = render_pf(stdout, resp, &ro);
			break;
		case CMD_VF:
			r = render_vf(stdout, resp, &ro);
			break;
		case CMD_POD:
			r = render_pod(stdout, resp, ns, name, &ro);
			break;
		case CMD_LEAKS:
			r = render_leaks(stdout, resp, &ro, &leaks);
			break;
		case CMD_DEVLINK:
			r = render_devlink(stdout, resp, &ro);
			break;
		case CMD_PF_HEALTH:
			r = render_pf_health(stdout, resp, &ro, &leaks);
			break;
		case CMD_HEALTH:
			break;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write to stdout: %s\n", prog, strerror(errno));
		return EXIT_FAIL;
	}
	if (r == -ENOMEM) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_FAIL;
	}
	if (r < 0) {
		fprintf(stderr, "%s: pflinkd's answer on %s lacks what '%s' shows "
			"(pflinkd of another release? see --json)\n", prog, sock, cmdname);
		return EXIT_FAIL;
	}
	if (agent_err) {
		/* health already said it on stdout, the probe's one line. */
		if (cmd != CMD_HEALTH) {
			_cleanup_free_ char *safe = render_safe_text(agent_err);

			fprintf(stderr, "%s: pflinkd: %s\n", prog, safe ? safe : "(error)");
		}
		return EXIT_FAIL;
	}
	/* Leaks and pf-health findings are findings, not a failure to talk:
	 * status 1 for a script. */
	return leaks ? EXIT_FAIL : 0;
}
