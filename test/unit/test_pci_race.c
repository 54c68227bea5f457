/* SPDX-License-Identifier: MIT */
/*
 * openat2(RESOLVE_IN_ROOT) answers EAGAIN when a rename anywhere races with
 * a ".." it resolves.  A child renames files in a loop (as parallel CNI
 * plugins renaming their state files do) while the parent reads PCI facts
 * through the fixture's ".."-laden links: no call may fail.
 * Usage: test_pci_race FIXTURE_ROOT
 */
#include "t.h"

#include "pflink/pci.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char dir[] = "/tmp/pflink-race.XXXXXX", a[64], b[64];
	int fd, i, fails = 0;
	pid_t child;

	T_SECTION("pci reads while renames race");
	if (argc < 2 || !CHECK(mkdtemp(dir)) || !CHECK(pci_sysfs_open(argv[1], &fd) == 0))
		return t_done();
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	if (!CHECK(close(open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) == 0)) {
		rmdir(dir);
		close(fd);
		return t_done();
	}
	child = fork();
	/* kill(-1, SIGKILL) below would signal every process we may signal. */
	if (!CHECK(child >= 0)) {
		unlink(a);
		rmdir(dir);
		close(fd);
		return t_done();
	}
	if (child == 0) {
		for (;;) {
			rename(a, b);
			rename(b, a);
		}
	}
	for (i = 0; i < 20000; i++) {
		struct pci_fn fn;

		if (pci_describe(fd, "0000:01:10.2", &fn) < 0 || !fn.is_vf)
			fails++;
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	unlink(a);
	unlink(b);
	rmdir(dir);
	close(fd);
	CHECK_EQ_INT(fails, 0);
	return t_done();
}
