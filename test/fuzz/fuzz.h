/* SPDX-License-Identifier: MIT */
/*
 * Shared by every fuzz target and by replay_main.c.  A target is one
 * LLVMFuzzerTestOneInput; the same source is linked either with libFuzzer
 * (fuzz_<target>, clang only) or with replay_main.c (fuzz_replay_<target>,
 * any compiler), which runs a corpus directory through it as a test.
 */
#ifndef PFLINK_FUZZ_H
#define PFLINK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code under test must keep.  On violation, say which one
 * and crash, so libFuzzer saves the input and the replay test fails. */
#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: property violated: %s\n",       \
				__FILE__, __LINE__, #cond);                     \
			__builtin_trap();                                       \
		}                                                               \
	} while (0)

/* s has a NUL within its size bytes. */
#define FUZZ_TERMINATED(arr) (memchr((arr), '\0', sizeof(arr)) != NULL)

/*
 * A copy of data that ends exactly where an inaccessible page begins, so a
 * read past size faults in any build -- also inside libraries built without
 * ASan, such as the system's libcjson, which the core hands buffers that
 * are not NUL-terminated.  Valid until the next call.  For byte data only:
 * the copy is not aligned.
 */
static inline const char *fuzz_guarded(const uint8_t *data, size_t size)
{
	static unsigned char *base;
	static size_t cap;	/* usable bytes before the guard page */
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p;

	if (!base || size > cap) {
		if (base)
			munmap(base, cap + pg);
		cap = size ? (size + pg - 1) / pg * pg : pg;
		base = mmap(NULL, cap + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		FUZZ_CHECK(base != MAP_FAILED);
		FUZZ_CHECK(mprotect(base + cap, pg, PROT_NONE) == 0);
	}
	p = base + cap - size;
	if (size)
		memcpy(p, data, size);
	return (const char *)p;
}

/*
 * A heap copy of the first n bytes of data followed by pad bytes of value
 * fill, for a parser that must not look past n: the fill decides nothing
 * when it keeps within n, so two fills give the same answer, and an
 * overread shows up as a mismatch in any build, sanitizers or not.  The
 * caller frees it.  Aligned (malloc): for netlink messages.
 */
static inline unsigned char *fuzz_padded(const uint8_t *data, size_t n, size_t pad, int fill)
{
	unsigned char *b = malloc(n + pad ? n + pad : 1);

	FUZZ_CHECK(b != NULL);
	memcpy(b, data, n);
	memset(b + n, fill, pad);
	return b;
}

#endif
