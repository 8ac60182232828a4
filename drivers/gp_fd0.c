/* photorig drivers, gphoto2: keeping descriptor 0 safe from libgphoto2. */
#define _GNU_SOURCE
#include "gp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* libgphoto2 2.5.30's PTP/IP code closes file descriptor 0 when a camera
 * is closed (ptp_ptpip_disconnect: a jpgfd field left at 0). Whatever
 * holds 0 at that moment is cut: another camera's socket, a client of the
 * control socket, a file being written. So 0 is kept on /dev/null, and a
 * seccomp filter makes close(0) return 0 without closing anything, in
 * every thread (ignore_close_of_fd0). Where the filter cannot be installed,
 * 0 is put back on /dev/null after each close, under the lock; a thread
 * that opens a file in that instant can still get 0 (the soak saw a
 * capture client cut so once in ~800 requests). */
void gpd_guard_fd0(void)
{
	if (fcntl(0, F_GETFD) < 0 && errno == EBADF) {
		int fd = open("/dev/null", O_RDWR);
		if (fd > 0)
			close(fd); /* someone took 0 in between: leave theirs alone */
	}
}

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define SECCOMP_ARCH AUDIT_ARCH_I386
#endif

/* close(0) becomes a no-op for the whole process; 0 when installed. Needs
 * no privilege (no_new_privs is set; photorigd execs nothing), and the
 * systemd unit allows the seccomp call. */
static int ignore_close_of_fd0(void)
{
#ifdef SECCOMP_ARCH
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 0), /* "closed", nothing done */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
#else
	return -1;
#endif
}

/* Once, before libgphoto2 first runs (lock held). */
void gpd_protect_fd0(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	gpd_guard_fd0();
	if (ignore_close_of_fd0())
		fprintf(stderr, "photorig: gphoto2: close(0) cannot be made harmless (%s): a PTP/IP "
			"camera closing may cut another connection now and then\n", strerror(errno));
}
