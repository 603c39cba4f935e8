/* initmain.h - the init stage, shared by the in-process path (spawn.c) and pyrunc-init (initmain.c). */
#ifndef PYRUNC_INITMAIN_H
#define PYRUNC_INITMAIN_H

#include "plan.h"

#include <sys/types.h>

void __attribute__((noreturn)) pr_stage_init(struct pr_plan *p);

/* CHILD's stage (csrc/spawn.c) run by pyrunc-init's setup mode: v1_tasks is NUL-separated. */
void __attribute__((noreturn)) pr_stage_setup(struct pr_plan *p, pid_t parent, const char *v1_tasks,
                                             size_t v1_tasks_len, const char *v2_dir);

#endif
