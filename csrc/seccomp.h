/* seccomp.h - installing the pre-compiled seccomp program inside the container's init. */
#ifndef PYRUNC_SECCOMP_H
#define PYRUNC_SECCOMP_H

#include "plan.h"

/* This file shadows libseccomp's <seccomp.h> on the csrc include path; seccomp.c (the only user of
 * the library) asks for the real one through here. */
#ifdef PYRUNC_USE_LIBSECCOMP
#include_next <seccomp.h>
#endif

/* Load p->seccomp_bpf with p->seccomp_flags on the calling thread. *notify_fd receives the
 * listener fd when the flags ask for one, else -1 (also when the plan carries no filter).
 * Call it as late as possible before execve: every syscall after it is filtered. When the
 * filter has a listener, send *notify_fd to the parent right away: a notifying rule hit before
 * the parent holds the fd would block the init forever. */
int pr_seccomp_load(const struct pr_plan *p, int *notify_fd, struct pyrunc_err *err);

#endif
