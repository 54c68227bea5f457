#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bundles.py - containerd-shaped CRI bundles for hack/bench.sh.  BENCH ONLY.

    bundles.py ROOT FIRST COUNT NETNS [VFIO_EVERY]

Makes pods FIRST .. FIRST+COUNT-1 under ROOT, each a sandbox bundle and a
container bundle (<id>/config.json, as containerd 1.6 writes them: the
CRI annotations, the sandbox's netns NETNS, mounts, capabilities and the
RuntimeDefault seccomp profile, which make a container's ~16 KiB), so
2*COUNT running containers.  Every VFIO_EVERY-th container is given
vfio group 7 (/dev/vfio/7, 240:7).  Each bundle's directory is made
first and its config.json written after, as containerd does.
"""
import json
import os
import sys

SYSCALLS = ["accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
            "chmod", "chown", "clock_getres", "clock_gettime", "clock_nanosleep", "close", "connect",
            "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
            "epoll_pwait", "epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
            "faccessat", "fadvise64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown",
            "fchownat", "fcntl", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
            "fsetxattr", "fstat", "fstatfs", "fsync", "ftruncate", "futex", "getcwd", "getdents", "getdents64",
            "getegid", "geteuid", "getgid", "getgroups", "getitimer", "getpeername", "getpgid", "getpgrp",
            "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresuid", "getrlimit",
            "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
            "gettid", "gettimeofday", "getuid", "getxattr", "inotify_add_watch", "inotify_init",
            "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
            "ioprio_get", "ioprio_set", "io_setup", "io_submit", "kill", "lchown", "lgetxattr", "link",
            "linkat", "listen", "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat",
            "madvise", "memfd_create", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
            "mlockall", "mmap", "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
            "mq_timedsend", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
            "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open", "openat", "pause", "pipe",
            "pipe2", "poll", "ppoll", "prctl", "pread64", "preadv", "prlimit64", "pselect6", "pwrite64",
            "pwritev", "read", "readahead", "readlink", "readlinkat", "readv", "recvfrom", "recvmmsg",
            "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
            "restart_syscall", "rmdir", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
            "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo", "sched_getaffinity",
            "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
            "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr",
            "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
            "semop", "semtimedop", "sendfile", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsuid",
            "setgid", "setgroups", "setitimer", "setpgid", "setpriority", "setregid", "setresgid",
            "setresuid", "setreuid", "setrlimit", "set_robust_list", "setsid", "setsockopt",
            "set_thread_area", "set_tid_address", "setuid", "setxattr", "shmat", "shmctl", "shmdt",
            "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "socket", "socketpair", "splice",
            "stat", "statfs", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
            "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
            "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime", "timerfd_settime",
            "times", "tkill", "truncate", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
            "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev"]
CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE"]


def spec(kind, i, sid, netns, vfio):
    uid = f"0b0a{i:04x}-1f6e-4c1e-9c31-5a9d2e6f{i:04x}"
    ann = {"io.kubernetes.cri.container-type": kind, "io.kubernetes.cri.sandbox-id": sid,
           "io.kubernetes.cri.sandbox-name": f"pod-{i}", "io.kubernetes.cri.sandbox-namespace": "bench",
           "io.kubernetes.cri.sandbox-uid": uid}
    linux = {"cgroupsPath": f"/kubepods/besteffort/pod{uid}/{sid}",
             "resources": {"devices": [{"allow": False, "access": "rwm"}], "cpu": {"shares": 2}},
             "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware"],
             "readonlyPaths": ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                               "/proc/sysrq-trigger"]}
    if kind == "sandbox":
        ann["io.kubernetes.cri.sandbox-log-directory"] = f"/var/log/pods/bench_pod-{i}_{uid}"
        linux["namespaces"] = [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                               {"type": "network", "path": netns}]
        args = ["/pause"]
    else:
        ann["io.kubernetes.cri.container-name"] = "app"
        ann["io.kubernetes.cri.image-name"] = "registry.example/app:1.0"
        linux["namespaces"] = [{"type": "pid"}, {"type": "ipc", "path": "/proc/4242/ns/ipc"},
                               {"type": "uts", "path": "/proc/4242/ns/uts"}, {"type": "mount"},
                               {"type": "network", "path": "/proc/4242/ns/net"}]
        linux["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
                            "syscalls": [{"names": SYSCALLS, "action": "SCMP_ACT_ALLOW"}]}
        if vfio:
            linux["devices"] = [{"path": "/dev/vfio/7", "type": "c", "major": 240, "minor": 7, "fileMode": 438},
                                {"path": "/dev/vfio/vfio", "type": "c", "major": 10, "minor": 196}]
            linux["resources"]["devices"].append({"allow": True, "type": "c", "major": 240, "minor": 7,
                                                  "access": "rwm"})
        args = ["/app", "--serve"]
    return {"ociVersion": "1.0.2-dev",
            "process": {"user": {"uid": 0, "gid": 0}, "args": args,
                        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                "HOSTNAME=pod-%d" % i, "KUBERNETES_SERVICE_HOST=10.96.0.1"],
                        "cwd": "/", "capabilities": {k: CAPS for k in ("bounding", "effective", "permitted")},
                        "noNewPrivileges": True, "oomScoreAdj": 1000},
            "root": {"path": "rootfs"},
            "mounts": [{"destination": d, "type": t, "source": t, "options": ["nosuid", "noexec", "nodev"]}
                       for d, t in (("/proc", "proc"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"),
                                    ("/dev/mqueue", "mqueue"), ("/sys", "sysfs"), ("/sys/fs/cgroup", "cgroup"))],
            "annotations": ann, "linux": linux}


def main():
    root, first, count, netns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    every = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    for i in range(first, first + count):
        sid, cid = f"{i:032x}" * 2, f"c{i:031x}{i:032x}"
        for kind, bid in (("sandbox", sid), ("container", cid)):
            d = os.path.join(root, bid)
            os.mkdir(d)
            with open(os.path.join(d, "config.json"), "w") as f:
                json.dump(spec(kind, i, sid, netns, kind == "container" and every and i % every == 0), f)


if __name__ == "__main__":
    main()
