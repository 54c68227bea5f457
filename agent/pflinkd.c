/* SPDX-License-Identifier: MIT */
/*
 * pflinkd: the node agent.  Parses options, sets up logging, runs the core's
 * serving loop (lib/agent*.c).  See docs/agent-protocol.md.
 */
#include "agent.h"
#include "pods/index.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static void log_line(void *ud, enum pf_log_level lvl, const char *msg)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	(void)ud;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s pflinkd %s: %s\n", ts, pf_log_level_name(lvl), msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pflinkd [options]\n"
		"  --socket PATH      unix socket to serve (default /run/pflink/pflinkd.sock)\n"
		"  --sysfs DIR        the host's sysfs (default /sys)\n"
		"  --proc DIR         the host's procfs (default /proc)\n"
		"  --state-dir DIR    pflink's stateDir, for pod names (default /run/pflink/state)\n"
		"  --rescan-ms N      periodic netns discovery (default 5000)\n"
		"  --containerd-root DIR\n"
		"                     containerd's CRI bundles, to name pods from the node\n"
		"                     (default " PODS_CONTAINERD_ROOT ";\n"
		"                     \"\" reads none)\n"
		"  --crio-root DIR    CRI-O's (default " PODS_CRIO_ROOT ")\n"
		"  --metrics-address [ADDR]:PORT\n"
		"                     serve Prometheus /metrics there, exactly that address\n"
		"                     (numeric; [IPv6]:PORT, [IPv4]:PORT or IPv4:PORT;\n"
		"                     default off)\n"
		"  --netns-link-budget N\n"
		"                     links a netns may have before it is marked and only\n"
		"                     its links with a parent device are kept (default %u)\n"
		"  --track-userns-netns\n"
		"                     also track netns owned by another user namespace\n"
		"                     that discovery finds (default: only those pflink names)\n"
		"  --mount-walk HOW   listmount|mountinfo: how netns mounts are found\n"
		"                     (default listmount, mountinfo where the kernel lacks it)\n"
		"  --log-level L      error|warning|info|debug (default info)\n"
		"  -h, --help         this text\n", AGENT_LINK_BUDGET);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "sysfs", required_argument, NULL, 'y' },
		{ "proc", required_argument, NULL, 'p' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "rescan-ms", required_argument, NULL, 'r' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "metrics-address", required_argument, NULL, 'm' },
		{ "netns-link-budget", required_argument, NULL, 'b' },
		{ "track-userns-netns", no_argument, NULL, 'u' },
		{ "containerd-root", required_argument, NULL, 'C' },
		{ "crio-root", required_argument, NULL, 'O' },
		{ "mount-walk", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pf_log log = { .fn = log_line, .level = PF_LOG_INFO };
	struct agent_opts o = { .log = &log };
	struct agent *a;
	char why[512];
	int c, r, lv;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o.socket = optarg; break;
		case 'y': o.sysfs = optarg; break;
		case 'p': o.proc = optarg; break;
		case 'd': o.state_dir = optarg; break;
		case 'm': o.metrics_address = optarg; break;
		case 'u': o.track_userns = true; break;
		case 'b': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (!*optarg || *end || *optarg == '-' || v < 16 || v > 1000000) {
				fprintf(stderr, "pflinkd: --netns-link-budget must be 16..1000000\n");
				return 2;
			}
			o.link_budget = (unsigned)v;
			break;
		}
		case 'C': o.containerd_root = optarg; break;
		case 'O': o.crio_root = optarg; break;
		case 'w':
			if (strcmp(optarg, "listmount") && strcmp(optarg, "mountinfo")) {
				fprintf(stderr, "pflinkd: --mount-walk must be listmount or mountinfo\n");
				return 2;
			}
			o.mountinfo = !strcmp(optarg, "mountinfo");
			break;
		case 'r': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v < 100 || v > 3600000) {
				fprintf(stderr, "pflinkd: --rescan-ms must be 100..3600000\n");
				return 2;
			}
			o.rescan_ms = (unsigned)v;
			break;
		}
		case 'l':
			if ((lv = pf_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "pflinkd: --log-level must be error, warning, info or debug\n");
				return 2;
			}
			log.level = (enum pf_log_level)lv;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Three sockets per tracked netns plus one per client: a node's
	 * default soft limit (1024) is too few.  The hard limit is the
	 * administrator's word. */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	agent_fd_map_mode(true);
	r = agent_new(&o, &a, why, sizeof(why));
	agent_fd_map_mode(false);
	if (r < 0) {
		fprintf(stderr, "pflinkd: cannot start: %s: %s\n", why, strerror(-r));
		return 1;
	}
	why[0] = '\0';
	r = agent_serve(a, why, sizeof(why));
	agent_free(a);
	if (r < 0) {
		fprintf(stderr, "pflinkd: %s%s%s\n", why, why[0] ? ": " : "", strerror(-r));
		return 1;
	}
	return 0;
}
