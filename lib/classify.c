/* SPDX-License-Identifier: MIT */
#include "pflink/classify.h"

#include <errno.h>
#include <string.h>

/* Strict decimal run (no sign, no blanks, at most 5 digits). */
static const char *num(const char *s, int *v)
{
	int n = 0, x = 0;

	while (s[n] >= '0' && s[n] <= '9' && n < 5)
		x = x * 10 + (s[n++] - '0');
	if (!n || (s[n] >= '0' && s[n] <= '9'))
		return NULL;
	*v = x;
	return s + n;
}

int classify_vf_port(const char *s, int *pf, int *vf)
{
	int c, p, v;

	/* Controller prefix "cN" of multi-host / SmartNIC representors. */
	if (s[0] == 'c' && !(s = num(s + 1, &c)))
		return -EINVAL;
	if (strncmp(s, "pf", 2) || !(s = num(s + 2, &p)) || strncmp(s, "vf", 2) ||
	    !(s = num(s + 2, &v)) || *s)
		return -EINVAL;
	*pf = p;
	*vf = v;
	return 0;
}
