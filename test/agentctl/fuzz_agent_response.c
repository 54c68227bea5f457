/* SPDX-License-Identifier: MIT */
/*
 * agent_parse_response on arbitrary bytes, then every view of render.c on
 * whatever parses.  Properties: the parser's errors are the documented
 * ones and leave the output alone; what parses is an object with "v":1
 * and a boolean "ok"; and no view, on any answer, writes a byte a terminal
 * would act on (controls other than '\n', DEL, invalid UTF-8, C1) -- the
 * answer's strings come from pod specs and netns names.
 */
#include "fuzz.h"

#include "pflink/agent_client.h"
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Well-formed UTF-8, no C0 control but '\n', no DEL, no C1 control. */
static void check_terminal_safe(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;

		if (c < 0x80) {
			FUZZ_CHECK(c == '\n' || (c >= 0x20 && c != 0x7f));
			i++;
			continue;
		}
		FUZZ_CHECK(c >= 0xc2 && c <= 0xf4);
		len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		FUZZ_CHECK(i + len <= n);
		for (k = 1; k < len; k++)
			FUZZ_CHECK((s[i + k] & 0xc0) == 0x80);
		FUZZ_CHECK(!(c == 0xc2 && s[i + 1] < 0xa0));
		i += len;
	}
}

static void render_all(const cJSON *a, bool color)
{
	struct render_opts o = { .color = color };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned n;
	int r;

	if (!f)
		return;
	r = render_topology(f, a, &o);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	r = render_pf(f, a, &o);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	r = render_vf(f, a, &o);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	r = render_pod(f, a, "ns", "name", &o);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	r = render_health(f, a, &o);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	r = render_pf_health(f, a, &o, &n);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
	fclose(f);
	if (!color)
		check_terminal_safe((const unsigned char *)buf, len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *sentinel = (cJSON *)&sentinel, *o = sentinel;
	int r = agent_parse_response((const char *)data, size, &o);

	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE ||
		   r == -ENOMEM);
	if (r < 0) {
		FUZZ_CHECK(o == sentinel);
		return 0;
	}
	FUZZ_CHECK(cJSON_IsObject(o));
	FUZZ_CHECK(cJSON_GetObjectItemCaseSensitive(o, "v")->valuedouble == 1);
	FUZZ_CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(o, "ok")));
	FUZZ_CHECK((agent_response_error(o) == NULL) ==
		   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok")));
	render_all(o, false);
	render_all(o, true);
	cJSON_Delete(o);
	return 0;
}
