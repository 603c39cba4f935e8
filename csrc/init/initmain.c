/* pyrunc-init - the container's init after the re-exec (see exec_init_binary in csrc/spawn.c).
 *
 *   pyrunc-init PLAN_FD SYNC_FD
 *
 * Decodes the plan from its sealed memfd and runs the same init stage the in-process path runs. Built
 * static by setup.py from the same sources as the C core; never run by hand. */
#include "../errors.h"
#include "../initmain.h"
#include "../plan.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void cloexec(int fd)
{
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int main(int argc, char **argv)
{
    static struct pr_plan plan;
    struct pyrunc_err err = {0};
    struct stat st;
    void *blob;
    int plan_fd, sync_fd;

    /* execve made us dumpable again: not for a moment inside the container's namespaces. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc != 3)
        return 125;
    plan_fd = atoi(argv[1]);
    sync_fd = atoi(argv[2]);
    cloexec(sync_fd);
    if (fstat(plan_fd, &st) < 0 || st.st_size <= 0) {
        pr_fail_errno(&err, PR_STAGE_PLAN, "read the plan in pyrunc-init");
        goto fail;
    }
    blob = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, plan_fd, 0);
    if (blob == MAP_FAILED) {
        pr_fail_errno(&err, PR_STAGE_PLAN, "map the plan in pyrunc-init");
        goto fail;
    }
    close(plan_fd);
    if (pr_plan_decode(blob, (size_t)st.st_size, &plan, &err) < 0)
        goto fail;
    plan.sync_fd = sync_fd;
    plan.init_exe_fd = -1;
    plan.plan_fd = -1;
    cloexec(plan.fifo_fd);
    for (uint32_t i = 0; i < plan.n_mounts; i++)
        cloexec(plan.mounts[i].userns_fd);
    pr_stage_init(&plan);
fail:
    pyrunc_msg_send(sync_fd, PM_ERROR, err.errnum, &err, sizeof(err), -1, NULL);
    return 1;
}
