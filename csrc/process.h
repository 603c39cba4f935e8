/* process.h - the container process's identity and attributes, applied by the init just before execve. */
#ifndef PYRUNC_PROCESS_H
#define PYRUNC_PROCESS_H

#include "plan.h"

int pr_process_attrs(const struct pr_plan *p, struct pyrunc_err *err);     /* rlimits, oom, sched, ioprio... */
int pr_process_identity(const struct pr_plan *p, struct pyrunc_err *err);  /* groups, uid/gid, capabilities */
int pr_process_lookup(const struct pr_plan *p, char *out, size_t cap, struct pyrunc_err *err);
int pr_process_chdir(const struct pr_plan *p, struct pyrunc_err *err);
void pr_process_reset_signals(void);
int pr_process_home(struct pr_plan *p, struct pyrunc_err *err);    /* HOME from /etc/passwd if unset */

#endif
