/* chown_eperm: an LD_PRELOAD library whose chown family fails with EPERM,
 * as it does for photorigd under its unit (SystemCallFilter=~@privileged
 * refuses chown, fchown and fchownat). daemon_socket_group.sh runs photorigd
 * with it to check that the control socket is only chowned when its group
 * needs changing, and that a refused change is still reported. Built without
 * the sanitizers: it is loaded before their runtime. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

static int refused(void)
{
	errno = EPERM;
	return -1;
}

int chown(const char *path, uid_t owner, gid_t group)
{
	(void)path;
	(void)owner;
	(void)group;
	return refused();
}

int lchown(const char *path, uid_t owner, gid_t group)
{
	return chown(path, owner, group);
}

int fchown(int fd, uid_t owner, gid_t group)
{
	(void)fd;
	(void)owner;
	(void)group;
	return refused();
}

int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flags)
{
	(void)dirfd;
	(void)flags;
	return chown(path, owner, group);
}
