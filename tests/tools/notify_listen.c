/* Test helper: stands in for systemd's notification socket.
 *
 *   notify_listen PATH SECONDS
 *
 * Binds an AF_UNIX datagram socket at PATH and prints every datagram it
 * receives (sd_notify's "READY=1", "STATUS=...", ...) as one line, flushed,
 * until SECONDS pass or it is killed. Tests point $NOTIFY_SOCKET at PATH. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "notify_listen: path too long\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("notify_listen");
		return 1;
	}
	time_t end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 200) <= 0)
			continue;
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (char *q = buf; *q; q++)
			if (*q == '\n')
				*q = ' ';
		printf("%s\n", buf);
		fflush(stdout);
	}
	return 0;
}
