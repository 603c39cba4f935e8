/* hooks.h - running hooks from inside the C core. */
#ifndef PYRUNC_HOOKS_H
#define PYRUNC_HOOKS_H

#include "pyrunc.h"

/* As pyrunc_run_hook; with exec_fd >= 0 the hook is executed from that fd (execveat), so a path
 * resolved before pivot_root still runs after it. */
int pr_run_hook_fd(const char *path, int exec_fd, char *const argv[], char *const envp[], const char *stdin_data,
                   size_t stdin_len, int timeout_s, char *out, size_t out_cap, size_t *out_len,
                   struct pyrunc_err *err);

#endif
