/* cgroup_bpf.h - the device-filter program generator, exposed for C unit tests. */
#ifndef PYRUNC_CGROUP_BPF_H
#define PYRUNC_CGROUP_BPF_H

#include "pyrunc.h"

#include <linux/bpf.h>

/* Name given to every program pyrunc loads; how an update recognises the program it replaces. */
#define PR_DEVICES_PROG_NAME "pyrunc_devices"

/* Translate rules (PYRUNC_DEVRULE_SIZE-byte records, see pyrunc.h) into a program. On success *out is a
 * malloc'd array of *count instructions owned by the caller. */
int pr_devices_prog_build(const unsigned char *rules, size_t len, struct bpf_insn **out, size_t *count,
                          struct pyrunc_err *err);

#endif
