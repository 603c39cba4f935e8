/* initmain.h - the init stage, shared by the in-process path (spawn.c) and pyrunc-init (initmain.c). */
#ifndef PYRUNC_INITMAIN_H
#define PYRUNC_INITMAIN_H

#include "plan.h"

void __attribute__((noreturn)) pr_stage_init(struct pr_plan *p);

#endif
