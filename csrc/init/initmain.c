/* pyrunc-init - the runtime's processes that enter the container, run from a sealed memfd.
 *
 *   pyrunc-init setup PLAN_FD SYNC_FD PARENT_PID V2_DIR [V1_TASKS_FILE...]
 *       CHILD (csrc/spawn.c): exec'd by the runtime's vfork'd clone; joins the cgroups, enters or creates
 *       the namespaces and clones INIT, which runs the init stage in this same image.
 *   pyrunc-init PLAN_FD SYNC_FD
 *       INIT re-exec'd from a CHILD that forked from the runtime (exec_init_binary in csrc/spawn.c).
 *
 * Decodes the plan from its sealed memfd and runs the same stages the in-process path runs. Built
 * static by setup.py from the same sources as the C core; never run by hand. */
#include "../errors.h"
#include "../initmain.h"
#include "../plan.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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
    static char v1_tasks[16384];
    struct pyrunc_err err = {0};
    struct stat st;
    void *blob;
    int plan_fd, sync_fd, setup = argc >= 6 && strcmp(argv[1], "setup") == 0;
    size_t tasks_len = 0;
    sigset_t none;

    /* execve made us dumpable again: not for a moment inside the container's namespaces. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (!setup && argc != 3)
        return 125;
    if (setup) {
        /* The runtime blocked every signal around the vfork; CHILD and INIT start from none blocked. */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        argv++;
        for (int i = 5; i < argc - 1; i++) {
            size_t len = strlen(argv[i]) + 1;
            if (tasks_len + len > sizeof(v1_tasks))
                return 125;
            memcpy(v1_tasks + tasks_len, argv[i], len);
            tasks_len += len;
        }
    }
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
    if (setup)
        pr_stage_setup(&plan, (pid_t)atoi(argv[3]), v1_tasks, tasks_len, argv[4]);
    pr_stage_init(&plan);
fail:
    pyrunc_msg_send(sync_fd, PM_ERROR, err.errnum, &err, sizeof(err), -1, NULL);
    return 1;
}
