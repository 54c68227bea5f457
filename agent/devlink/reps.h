/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's devlink view: the table devlink.c reads, kept current, and
 * what the answers take from it (a PF's eswitch mode, a VF's
 * representor).  Where devlink lists a PF's VF ports, a representor is
 * the netdev of that VF's port; where it does not (igb, drivers without
 * devlink ports), the phys_port_name classifier (lib/classify.c) decides
 * as before.  Where both answer and disagree, devlink wins and the
 * disagreement is logged once.
 */
#ifndef PFLINK_AGENT_DEVLINK_REPS_H
#define PFLINK_AGENT_DEVLINK_REPS_H

#include <cjson/cJSON.h>
#include <net/if.h>
#include <stdbool.h>

struct agent;
struct ag_dev;

/* Open devlink and read its table (pflinkd's start).  A kernel or a
 * container without it leaves the agent without devlink: every answer is
 * then the classifier's, and no PF has an eswitch mode. */
void ag_dl_start(struct agent *a);
void ag_dl_free(struct agent *a);

/* The event socket for the serving loop's epoll, or -1. */
int ag_dl_event_fd(const struct agent *a);
/* Events came: the table is read again before it is next used. */
void ag_dl_events(struct agent *a);
/* Read the table again now (the rescan timer), or only when events said
 * it changed (before an answer). */
void ag_dl_refresh(struct agent *a, bool force);

/* "legacy", "switchdev", or NULL when devlink says nothing of the PF. */
const char *ag_dl_eswitch(const struct agent *a, const char *pf_bdf);

/* The name of the representor of VF idx of PF pf into name ("" when it
 * has none; pfdev: the PF's first netdev, for the classifier's switch
 * id).  True when the answer is devlink's, false when the classifier's. */
bool ag_dl_representor(struct agent *a, const char *pf, const struct ag_dev *pfdev, int idx,
		       char name[IF_NAMESIZE]);

/* The "devlink" op's answer members: every instance with its eswitch
 * mode and ports, each port's netdev read by the classifier too. */
void ag_dl_answer(struct agent *a, cJSON *o);

#endif
