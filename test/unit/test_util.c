/* SPDX-License-Identifier: MIT */
/* util: bounded copies, safe names, whole-file reads, atomic writes, mkdir -p. */
#include "t.h"

#include "pflink/util.h"
#include "pflink/log.h"
#include "pflink/json.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static void test_strscpy(void)
{
	char buf[4];

	T_SECTION("pf_strscpy");
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ_INT(pf_strscpy(buf, "abc", sizeof(buf)), 0);	/* 3 + NUL fits */
	CHECK_STR(buf, "abc");
	CHECK_EQ_INT(pf_strscpy(buf, "", sizeof(buf)), 0);
	CHECK_STR(buf, "");
	/* exactly one byte too long: refused, nothing copied */
	strcpy(buf, "old");
	CHECK_EQ_INT(pf_strscpy(buf, "abcd", sizeof(buf)), -ENAMETOOLONG);
	CHECK_STR(buf, "old");
	CHECK_EQ_INT(pf_strscpy(buf, "a much longer string", sizeof(buf)), -ENAMETOOLONG);
	CHECK_STR(buf, "old");
	CHECK_EQ_INT(pf_strscpy(buf, "", 0), -ENAMETOOLONG);
	CHECK_STR(buf, "old");
	CHECK_EQ_INT(pf_strscpy(buf, "", 1), 0);
	CHECK_STR(buf, "");
}

static void test_safe_component(void)
{
	char big[300];

	T_SECTION("pf_safe_component");
	CHECK(pf_safe_component("abc", 255));
	CHECK(pf_safe_component("a.b-c_D9", 255));
	CHECK(pf_safe_component("0123456789abcdef0123456789abcdef", 255));
	CHECK(pf_safe_component("...", 255));	/* a plain name, not a parent */
	CHECK(pf_safe_component("abcd", 4));	/* exactly max */
	CHECK(!pf_safe_component("abcde", 4));	/* max + 1 */
	CHECK(!pf_safe_component(NULL, 255));
	CHECK(!pf_safe_component("", 255));
	CHECK(!pf_safe_component(".", 255));
	CHECK(!pf_safe_component("..", 255));
	CHECK(!pf_safe_component("../x", 255));
	CHECK(!pf_safe_component("a/b", 255));
	CHECK(!pf_safe_component("/abs", 255));
	CHECK(!pf_safe_component("a b", 255));
	CHECK(!pf_safe_component("a\nb", 255));
	CHECK(!pf_safe_component("a\\b", 255));
	CHECK(!pf_safe_component("caf\xc3\xa9", 255));
	CHECK(!pf_safe_component("x*", 255));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(!pf_safe_component(big, 255));
	big[255] = '\0';
	CHECK(pf_safe_component(big, 255));
	big[256 - 1] = 'a';
	big[256] = '\0';
	CHECK(!pf_safe_component(big, 255));
}

static void test_ifname(void)
{
	T_SECTION("pf_ifname_valid: the kernel's dev_valid_name()");
	CHECK(pf_ifname_valid("net1"));
	CHECK(pf_ifname_valid("n@2"));
	CHECK(pf_ifname_valid("a%b"));
	CHECK(pf_ifname_valid("caf\xc3\xa9"));
	CHECK(pf_ifname_valid("..."));
	CHECK(pf_ifname_valid("0123456789abcde"));	/* 15 */
	CHECK(!pf_ifname_valid("0123456789abcdef"));	/* 16 */
	CHECK(!pf_ifname_valid(""));
	CHECK(!pf_ifname_valid(NULL));
	CHECK(!pf_ifname_valid("."));
	CHECK(!pf_ifname_valid(".."));
	CHECK(!pf_ifname_valid("a/b"));
	CHECK(!pf_ifname_valid("a:b"));
	CHECK(!pf_ifname_valid("a b"));
	CHECK(!pf_ifname_valid("a\nb"));
	CHECK(!pf_ifname_valid("a\tb"));
	CHECK(!pf_ifname_valid("a\xa0"));
}

static void test_log_escape(void)
{
	char out[64];

	T_SECTION("pf_log_escape: one message, one line");
	pf_log_escape("deviceID \"0000:01:10.0\n2026-01-01 pflink error: forged\"", out, sizeof(out));
	CHECK(!strchr(out, '\n'));
	CHECK(strstr(out, "0000:01:10.0\\x0a2026") != NULL);
	pf_log_escape("a\rb\tc\x1b[31md\x7f caf\xc3\xa9", out, sizeof(out));
	CHECK_STR(out, "a\\x0db\\x09c\\x1b[31md\\x7f caf\xc3\xa9");
	pf_log_escape("abc\n", out, 6);	/* "abc" fits, "\x0a" does not */
	CHECK_STR(out, "abc");
}

static void test_paths(void)
{
	char *d = t_mkdtemp(), p[8192], out[4096], real[4096];
	struct stat st;

	T_SECTION("pf_path_clean");
	CHECK(pf_path_clean("/run/pflink/state"));
	CHECK(pf_path_clean("/var/log/pflink.log"));
	CHECK(pf_path_clean("/run/pflink/state/"));
	CHECK(pf_path_clean("/..."));
	CHECK(pf_path_clean("/procfs/x"));
	CHECK(!pf_path_clean("run/pflink"));
	CHECK(!pf_path_clean(""));
	CHECK(!pf_path_clean(NULL));
	CHECK(!pf_path_clean("/var/log/../../etc/x"));
	CHECK(!pf_path_clean("/var/./log"));
	CHECK(!pf_path_clean("/proc"));
	CHECK(!pf_path_clean("/proc/self/fd/1"));
	CHECK(!pf_path_clean("/sys/kernel/x"));
	CHECK(!pf_path_clean("/dev/sda"));
	CHECK(!pf_path_clean("//proc/1"));	/* the same directory */

	T_SECTION("pf_path_trusted");
	if (!CHECK(realpath(d, real)))
		return;
	snprintf(p, sizeof(p), "%s/new/dirs/file.log", d);
	CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), 0);	/* not there yet: as written */
	snprintf(p, sizeof(p), "%s/new/dirs/file.log", real);
	CHECK_STR(out, p);
	snprintf(p, sizeof(p), "%s/f", d);
	t_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/f/under-a-file", d);
	CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), -ENOTDIR);
	snprintf(p, sizeof(p), "%s/to-proc", d);
	CHECK(symlink("/proc/self", p) == 0);
	snprintf(p, sizeof(p), "%s/to-proc/fd/1", d);
	/* A symlink of root's, in a directory of root's (0700): followed,
	 * and where it leads is checked. */
	if (getuid() == 0) {
		CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), -EPERM);
		snprintf(p, sizeof(p), "%s/dir", d);
		CHECK(mkdir(p, 0755) == 0);
		snprintf(p, sizeof(p), "%s/ok", d);
		CHECK(symlink("dir", p) == 0);
		snprintf(p, sizeof(p), "%s/ok/x.log", d);
		CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), 0);
		snprintf(p, sizeof(p), "%s/dir/x.log", real);
		CHECK_STR(out, p);
		/* Someone else's symlink, or one in a directory others may
		 * write: refused. */
		snprintf(p, sizeof(p), "%s/ok", d);
		CHECK(lchown(p, 65534, 65534) == 0);
		snprintf(p, sizeof(p), "%s/ok/x.log", d);
		CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), -ELOOP);
		snprintf(p, sizeof(p), "%s/ok", d);
		CHECK(lchown(p, 0, 0) == 0);
		CHECK(chmod(d, 01777) == 0 && stat(d, &st) == 0);
		snprintf(p, sizeof(p), "%s/ok/x.log", d);
		CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), -ELOOP);
		CHECK(chmod(d, 0700) == 0);
		/* Someone else's symlink as the last component of a path
		 * that exists: refused as well (the one-call path for a
		 * path without symlinks must see it too). */
		snprintf(p, sizeof(p), "%s/dir/last", d);
		CHECK(symlink("/etc/hostname", p) == 0 && lchown(p, 65534, 65534) == 0);
		CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), -ELOOP);
	}
	/* A path that exists with no symlink on it: itself, its slashes
	 * joined as the walk joins them; a FIFO at its end is not opened. */
	snprintf(p, sizeof(p), "%s/plain", d);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/plain/fifo", d);
	CHECK(mkfifo(p, 0600) == 0);
	snprintf(p, sizeof(p), "/%s//plain///fifo", real);
	CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), 0);
	snprintf(p, sizeof(p), "%s/plain/fifo", real);
	CHECK_STR(out, p);
	snprintf(p, sizeof(p), "%s/plain/", real);
	CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), 0);
	snprintf(p, sizeof(p), "%s/plain", real);
	CHECK_STR(out, p);
	CHECK_EQ_INT(pf_path_trusted(p, out, 4), -ENAMETOOLONG);
	CHECK_EQ_INT(pf_path_trusted("//", out, sizeof(out)), 0);
	CHECK_STR(out, "/");
	snprintf(p, sizeof(p), "%s/../x", d);
	CHECK_EQ_INT(pf_path_trusted(p, out, sizeof(out)), -EINVAL);
	t_rmrf(d);
	free(d);
}

static unsigned count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 9999;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_files(void)
{
	char *tmp = t_mkdtemp(), path[4096], *buf = NULL, *got;
	char big[100000];
	size_t len = 0;
	struct stat st;
	int dfd;

	umask(022);
	T_SECTION("pf_write_file_atomic");
	CHECK_EQ_INT(pf_write_file_atomic(tmp, "f.json", "hello\n", 6, 0600), 0);
	snprintf(path, sizeof(path), "%s/f.json", tmp);
	got = t_slurp(path, &len);
	CHECK_STR(got, "hello\n");
	CHECK_EQ_INT(len, 6);
	free(got);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	CHECK(S_ISREG(st.st_mode));
	/* replace: new content, no temp file left behind */
	CHECK_EQ_INT(pf_write_file_atomic(tmp, "f.json", "x", 1, 0600), 0);
	got = t_slurp(path, &len);
	CHECK_STR(got, "x");
	free(got);
	CHECK_EQ_INT(count_entries(tmp), 1);
	/* data with an embedded NUL is written verbatim (len, not strlen) */
	CHECK_EQ_INT(pf_write_file_atomic(tmp, "nul", "a\0b", 3, 0644), 0);
	snprintf(path, sizeof(path), "%s/nul", tmp);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_size, 3);
	CHECK_EQ_INT(st.st_mode & 07777, 0644);
	/* empty file */
	CHECK_EQ_INT(pf_write_file_atomic(tmp, "empty", "", 0, 0644), 0);
	/* missing directory */
	snprintf(path, sizeof(path), "%s/nodir", tmp);
	CHECK_EQ_INT(pf_write_file_atomic(path, "f", "x", 1, 0600), -ENOENT);
	CHECK_EQ_INT(count_entries(tmp), 3);

	T_SECTION("pf_read_file_at");
	snprintf(path, sizeof(path), "%s/f.json", tmp);
	CHECK_EQ_INT(pf_read_file_at(AT_FDCWD, path, 100, &buf, &len), 0);
	CHECK_STR(buf, "x");
	CHECK_EQ_INT(len, 1);
	free(buf);
	buf = NULL;
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	CHECK_EQ_INT(pf_read_file_at(dfd, "f.json", 100, &buf, NULL), 0);
	CHECK_STR(buf, "x");
	free(buf);
	buf = NULL;
	len = 77;
	CHECK_EQ_INT(pf_read_file_at(dfd, "empty", 100, &buf, &len), 0);
	CHECK_STR(buf, "");
	CHECK_EQ_INT(len, 0);
	free(buf);
	buf = NULL;
	len = 77;
	CHECK_EQ_INT(pf_read_file_at(dfd, "nul", 100, &buf, &len), 0);
	CHECK_EQ_INT(len, 3);
	CHECK(buf && !memcmp(buf, "a\0b", 4));
	free(buf);
	buf = NULL;
	CHECK_EQ_INT(pf_read_file_at(dfd, "absent", 100, &buf, &len), -ENOENT);
	CHECK(buf == NULL);

	/* max is enforced, across the reader's buffer growth */
	memset(big, 'q', sizeof(big));
	CHECK_EQ_INT(pf_write_file_atomic(tmp, "big", big, sizeof(big), 0600), 0);
	len = 0;
	CHECK_EQ_INT(pf_read_file_at(dfd, "big", 1u << 20, &buf, &len), 0);
	CHECK_EQ_INT(len, sizeof(big));
	CHECK(buf && buf[sizeof(big)] == '\0' && !memcmp(buf, big, sizeof(big)));
	free(buf);
	buf = NULL;
	CHECK_EQ_INT(pf_read_file_at(dfd, "big", sizeof(big) - 1, &buf, &len), -EFBIG);
	CHECK(buf == NULL);
	CHECK_EQ_INT(pf_read_file_at(dfd, "big", 10, &buf, &len), -EFBIG);
	CHECK_EQ_INT(pf_read_file_at(dfd, "big", 300, &buf, &len), -EFBIG);
	CHECK(buf == NULL);
	/* 11 bytes with max 10: too big */
	CHECK_EQ_INT(pf_write_file_atomic(tmp, "eleven", "0123456789A", 11, 0600), 0);
	CHECK_EQ_INT(pf_read_file_at(dfd, "eleven", 10, &buf, &len), -EFBIG);
	CHECK(buf == NULL);
	CHECK_EQ_INT(pf_read_file_at(dfd, "eleven", 12, &buf, &len), 0);
	CHECK_STR(buf, "0123456789A");
	free(buf);
	buf = NULL;
	/* "at most max bytes": a file of exactly max bytes must be read.
	 * CORE BUG: util.c returns -EFBIG here (it grows the buffer, and
	 * gives up, before the read() that would have seen EOF). */
	T_SECTION("pf_read_file_at exactly max");
	len = 0;
	CHECK_EQ_INT(pf_read_file_at(dfd, "eleven", 11, &buf, &len), 0);
	CHECK_STR(buf, "0123456789A");
	CHECK_EQ_INT(len, 11);
	free(buf);
	buf = NULL;
	len = 0;
	CHECK_EQ_INT(pf_read_file_at(dfd, "big", sizeof(big), &buf, &len), 0);
	CHECK_EQ_INT(len, sizeof(big));
	free(buf);
	buf = NULL;
	close(dfd);

	t_rmrf(tmp);
	free(tmp);
}

static bool is_dir(const char *p, unsigned mode)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == mode;
}

static void test_mkdir_p(void)
{
	char *tmp = t_mkdtemp(), path[4096];

	umask(022);
	T_SECTION("pf_mkdir_p");
	snprintf(path, sizeof(path), "%s/a/b/c", tmp);
	CHECK_EQ_INT(pf_mkdir_p(path, 0700), 0);
	CHECK(is_dir(path, 0700));
	snprintf(path, sizeof(path), "%s/a", tmp);
	CHECK(is_dir(path, 0700));
	/* again: idempotent */
	snprintf(path, sizeof(path), "%s/a/b/c", tmp);
	CHECK_EQ_INT(pf_mkdir_p(path, 0700), 0);
	CHECK(is_dir(path, 0700));
	/* trailing slash, doubled slashes */
	snprintf(path, sizeof(path), "%s/x//y/", tmp);
	CHECK_EQ_INT(pf_mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/x/y", tmp);
	CHECK(is_dir(path, 0755));
	/* through a regular file */
	snprintf(path, sizeof(path), "%s/file", tmp);
	t_write(path, "x", 1);
	snprintf(path, sizeof(path), "%s/file/sub", tmp);
	CHECK_EQ_INT(pf_mkdir_p(path, 0700), -ENOTDIR);
	/* over-long path */
	{
		char lng[5000];

		memset(lng, 'a', sizeof(lng) - 1);
		lng[0] = '/';
		lng[sizeof(lng) - 1] = '\0';
		CHECK_EQ_INT(pf_mkdir_p(lng, 0700), -ENAMETOOLONG);
	}
	/* The path itself is an existing regular file: "mkdir -p" fails
	 * (EEXIST).  CORE BUG: pf_mkdir_p treats EEXIST on the last
	 * component as success without checking it is a directory. */
	T_SECTION("pf_mkdir_p on a regular file");
	snprintf(path, sizeof(path), "%s/file", tmp);
	CHECK(pf_mkdir_p(path, 0700) < 0);

	t_rmrf(tmp);
	free(tmp);
}

static void test_now(void)
{
	unsigned long long a, b;

	T_SECTION("pf_now_ns");
	a = pf_now_ns();
	usleep(2000);
	b = pf_now_ns();
	CHECK(a > 0);
	CHECK(b >= a + 1000000ull);	/* slept 2 ms, so at least 1 ms later */
	CHECK(b - a < 10ull * 1000000000ull);
}

/* cJSON's own text of a string, then ours: the same bytes. */
static void check_text_str(const char *in)
{
	cJSON *s = cJSON_CreateString(in);
	char *want = s ? cJSON_PrintUnformatted(s) : NULL;
	struct json_text t = { 0 };
	cJSON *raw;

	json_text_str(&t, in);
	raw = json_text_take(&t);
	CHECK(want && raw);
	if (want && raw)
		CHECK_STR(raw->valuestring, want);
	CHECK(!t.s && !t.len);
	free(want);
	cJSON_Delete(s);
	cJSON_Delete(raw);
}

static void test_json_text(void)
{
	struct json_text t = { 0 };
	char one[2] = "", all[256], big[5000];
	cJSON *o;
	char *want;
	int c;

	T_SECTION("json_text");
	/* Every byte on its own (controls, quote, backslash, DEL, UTF-8
	 * halves), then all of them in one string, then one that grows the
	 * buffer past its first size many times over. */
	for (c = 1; c < 256; c++) {
		one[0] = (char)c;
		check_text_str(one);
		all[c - 1] = (char)c;
	}
	all[255] = '\0';
	check_text_str(all);
	check_text_str("");
	check_text_str("/run/netns/p\"o\\d\x01\x1f\x7f\xc3\xa9");
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	check_text_str(big);
	/* Numbers as json_add_int prints them, raw text as it is: an object
	 * written by hand prints as cJSON prints the same object. */
	o = cJSON_CreateObject();
	json_add_str(o, "name", "eth0");
	json_add_int(o, "ifindex", -9223372036854775807ll - 1);
	json_add_int(o, "ino", 4026531833ll);
	want = cJSON_PrintUnformatted(o);
	json_text_raw(&t, "{\"name\":");
	json_text_str(&t, "eth0");
	json_text_raw(&t, ",\"ifindex\":");
	json_text_int(&t, -9223372036854775807ll - 1);
	json_text_raw(&t, ",\"ino\":");
	json_text_int(&t, 4026531833ll);
	json_text_raw(&t, "}");
	CHECK(want != NULL);
	if (want)
		CHECK_STR(t.s, want);
	CHECK_EQ_INT((int)t.len, (int)strlen(want ? want : ""));
	free(want);
	/* The raw node prints as its text inside a tree. */
	json_add_item(o, "netdevs", json_text_take(&t));
	want = cJSON_PrintUnformatted(o);
	CHECK(want && strstr(want, ",\"netdevs\":{\"name\":\"eth0\",\"ifindex\":-9223372036854775808,\"ino\":4026531833}}"));
	free(want);
	cJSON_Delete(o);
	/* Nothing written: take answers NULL, as after a failed allocation. */
	CHECK(json_text_take(&t) == NULL);
	t.oom = true;
	json_text_raw(&t, "x");
	CHECK(!t.s && json_text_take(&t) == NULL);
}

int main(void)
{
	test_json_text();
	test_strscpy();
	test_safe_component();
	test_ifname();
	test_log_escape();
	test_paths();
	test_files();
	test_mkdir_p();
	test_now();
	return t_done();
}
