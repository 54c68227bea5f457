/* SPDX-License-Identifier: MIT */
/*
 * netns_batch_*: jobs come back in order, each with its own verdict, and
 * sockets made for a job live in that job's netns.  Needs root (unshare
 * makes the netns); exits 77 otherwise.
 */
#include "pflink/netns.h"
#include "pflink/util.h"
#include "t.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* A fresh netns, kept alive by a bind mount at path. */
static int make_netns(const char *path)
{
	pid_t pid;
	int st, fd = open(path, O_CREAT | O_RDONLY | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	pid = fork();
	if (pid == 0) {
		char self[64];

		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		snprintf(self, sizeof(self), "/proc/%d/ns/net", getpid());
		_exit(mount(self, path, NULL, MS_BIND, NULL) < 0 ? 2 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -EPERM;
	return 0;
}

/* The inode of the netns a socket was made in (SIOCGSKNS). */
static ino_t sock_ns_ino(int s)
{
	struct stat st;
	int nsfd = ioctl(s, SIOCGSKNS);
	ino_t ino = 0;

	if (nsfd >= 0 && fstat(nsfd, &st) == 0)
		ino = st.st_ino;
	if (nsfd >= 0)
		close(nsfd);
	return ino;
}

/* prep hooks: one notes the socket it was given, one refuses. */
static int prepped = -1;
static int prep_note(int fd, int arg)
{
	prepped = fd + arg;
	return 0;
}

static int prep_refuse(int fd, int arg)
{
	(void)fd;
	return arg;
}

int main(void)
{
	char *dir, a[512], b[512], plain[512];
	struct netns_id ia, ib, self;
	struct netns_job jobs[5];
	struct netns_batch *bt = NULL;
	int fd, i;

	if (geteuid() != 0) {
		printf("SKIP: netns batch tests need root (unshare, mount)\n");
		return 77;
	}
	dir = t_mkdtemp();
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	CHECK_EQ_INT(make_netns(a), 0);
	CHECK_EQ_INT(make_netns(b), 0);
	fd = open(plain, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	CHECK_EQ_INT(netns_open(a, &fd), 0);
	netns_id(fd, &ia);
	close(fd);
	CHECK_EQ_INT(netns_open(b, &fd), 0);
	netns_id(fd, &ib);
	close(fd);
	netns_id(-1, &self);
	CHECK(!netns_id_eq(&ia, &ib) && !netns_id_eq(&ia, &self));

	T_SECTION("batch");
	memset(jobs, 0, sizeof(jobs));
	jobs[0] = (struct netns_job){ .path = a, .id = ia, .n = 2 };
	jobs[1] = (struct netns_job){ .path = "/nonexistent/netns", .id = ia, .n = 1 };
	jobs[2] = (struct netns_job){ .path = b, .id = ia, .n = 1 };	/* b is not a */
	jobs[3] = (struct netns_job){ .path = plain, .id = ia, .n = 1 };
	jobs[4] = (struct netns_job){ .path = b, .id = ib, .n = 1 };
	for (i = 0; i < 5; i++) {
		jobs[i].req[0] = (struct netns_sock_req){ .domain = AF_NETLINK, .type = SOCK_RAW, .fd = -1 };
		jobs[i].req[1] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1 };
	}
	CHECK_EQ_INT(netns_batch_start(jobs, 5, 0, -1, &bt), 0);
	CHECK_EQ_INT(netns_batch_wait(bt, 0), 0);
	CHECK_EQ_INT(netns_batch_wait(bt, 1), -ENOENT);
	CHECK_EQ_INT(netns_batch_wait(bt, 2), -ESTALE);
	CHECK_EQ_INT(netns_batch_wait(bt, 3), -EINVAL);
	CHECK_EQ_INT(netns_batch_wait(bt, 4), 0);
	netns_batch_end(bt);
	CHECK(jobs[0].req[0].fd >= 0 && jobs[0].req[1].fd >= 0);
	CHECK(sock_ns_ino(jobs[0].req[0].fd) == ia.ino);
	CHECK(sock_ns_ino(jobs[0].req[1].fd) == ia.ino);
	CHECK(sock_ns_ino(jobs[4].req[0].fd) == ib.ino);
	for (i = 1; i < 4; i++)
		CHECK_EQ_INT(jobs[i].req[0].fd, -1);
	/* The caller's own thread never moved. */
	{
		struct netns_id now;

		netns_id(-1, &now);
		CHECK(netns_id_eq(&now, &self));
	}
	close(jobs[0].req[0].fd);
	close(jobs[0].req[1].fd);
	close(jobs[4].req[0].fd);
	close(jobs[4].req[1].fd);

	T_SECTION("prep hooks run on the made sockets; a refusal fails the job");
	memset(jobs, 0, sizeof(jobs));
	jobs[0] = (struct netns_job){ .path = a, .id = ia, .n = 2 };
	jobs[1] = (struct netns_job){ .path = b, .id = ib, .n = 2 };
	jobs[0].req[0] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1,
						   .prep = prep_note, .prep_arg = 1000 };
	jobs[0].req[1] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1 };
	jobs[1].req[0] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1 };
	jobs[1].req[1] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1,
						   .prep = prep_refuse, .prep_arg = -EACCES };
	CHECK_EQ_INT(netns_batch_start(jobs, 2, 0, -1, &bt), 0);
	CHECK_EQ_INT(netns_batch_wait(bt, 0), 0);
	CHECK_EQ_INT(netns_batch_wait(bt, 1), -EACCES);
	netns_batch_end(bt);
	CHECK(jobs[0].req[0].fd >= 0);
	CHECK_EQ_INT(prepped, jobs[0].req[0].fd + 1000);
	CHECK_EQ_INT(jobs[1].req[0].fd, -1);
	CHECK_EQ_INT(jobs[1].req[1].fd, -1);
	close(jobs[0].req[0].fd);
	close(jobs[0].req[1].fd);

	T_SECTION("a descriptor budget fails the job over it, and an eventfd counts every job");
	{
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), low = open("/dev/null", O_RDONLY | O_CLOEXEC);
		uint64_t count = 0;

		CHECK(efd >= 0 && low >= 0);
		close(low);
		memset(jobs, 0, sizeof(jobs));
		jobs[0] = (struct netns_job){ .path = a, .id = ia, .n = 1 };
		jobs[1] = (struct netns_job){ .path = b, .id = ib, .n = 2 };	/* its second socket is over */
		jobs[2] = (struct netns_job){ .path = "/nonexistent/netns", .id = ia, .n = 1 };
		for (i = 0; i < 3; i++) {
			jobs[i].req[0] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1 };
			jobs[i].req[1] = (struct netns_sock_req){ .domain = AF_INET, .type = SOCK_DGRAM, .fd = -1 };
		}
		/* low: job 0's socket; low + 1: job 1's first; its second
		 * (low + 2) is at the limit. */
		CHECK_EQ_INT(netns_batch_start(jobs, 3, low + 2, efd, &bt), 0);
		CHECK_EQ_INT(netns_batch_wait(bt, 0), 0);
		CHECK_EQ_INT(netns_batch_wait(bt, 1), -EMFILE);
		CHECK_EQ_INT(netns_batch_wait(bt, 2), -ENOENT);
		CHECK_EQ_INT(netns_batch_done(bt), 3);
		netns_batch_end(bt);
		CHECK_EQ_INT(jobs[0].req[0].fd, low);
		CHECK_EQ_INT(jobs[1].req[0].fd, -1);
		CHECK_EQ_INT(jobs[1].req[1].fd, -1);
		/* job 1's sockets were closed: the next descriptor is low + 1 */
		i = open("/dev/null", O_RDONLY | O_CLOEXEC);
		CHECK_EQ_INT(i, low + 1);
		close(i);
		CHECK(read(efd, &count, sizeof(count)) == sizeof(count));
		CHECK_EQ_INT((int)count, 3);
		close(jobs[0].req[0].fd);
		close(efd);
	}

	T_SECTION("empty batch");
	CHECK_EQ_INT(netns_batch_start(jobs, 0, 0, -1, &bt), 0);
	netns_batch_end(bt);

	umount2(a, MNT_DETACH);
	umount2(b, MNT_DETACH);
	t_rmrf(dir);
	free(dir);
	return t_done();
}
