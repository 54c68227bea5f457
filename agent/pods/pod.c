/* SPDX-License-Identifier: MIT */
#include "pod.h"

#include <string.h>

const char *pod_runtime_name(enum pod_runtime rt)
{
	switch (rt) {
	case POD_RT_CONTAINERD: return "containerd";
	case POD_RT_CRIO: return "cri-o";
	case POD_RT_N: break;
	}
	return "";
}

static bool alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool pod_id_valid(const char *s)
{
	size_t i, n = strnlen(s, POD_ID_MAX);

	if (n == 0 || n >= POD_ID_MAX || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (i = 1; i < n; i++)
		if (!alnum(s[i]) && (!strchr("._-", s[i]) || !alnum(s[i - 1])))
			return false;
	return true;
}
