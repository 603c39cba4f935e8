/* pidfd.h - the pidfd system call numbers, for C library headers that predate them (the numbers are
 * the same on every architecture: the unified table from Linux 5.1 on). */
#ifndef PYRUNC_PIDFD_H
#define PYRUNC_PIDFD_H

#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#endif
