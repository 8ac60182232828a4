/* photorig web-password: set the operator page's password.
 *
 * The password is read from the terminal (twice, not echoed) or, for
 * scripts, from the first line of standard input, and stored as a salted
 * yescrypt hash (libxcrypt's crypt_gensalt_rn and crypt_r: a memory-hard
 * KDF, so a stolen file is slow to guess from). The file is written
 * atomically with mode 0600; run as root, it is given to the user photorig
 * (photorigd's), so no one else can read it. photorigd reads it at every
 * login: a new password counts at once. */
#define _GNU_SOURCE
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"

#define DEFAULT_FILE "/var/lib/photorig/web-password"

static const char usage[] =
	"usage: photorig web-password [--file PATH]\n"
	"\n"
	"Sets the password of photorigd's operator page ([web] in the config). Asks for it\n"
	"twice on a terminal; otherwise reads its first line from standard input.\n"
	"\n"
	"  --file PATH   where to store the hash (default " DEFAULT_FILE ", which is\n"
	"                STATE_DIR/web-password for the default state_dir; photorigd reads\n"
	"                [web] password_file, else STATE_DIR/web-password)\n";

static int read_line(const char *prompt, char *buf, size_t size)
{
	int tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *got = fgets(buf, (int)size, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!got)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int write_hash(const char *path, const char *hash)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		fprintf(stderr, "photorig web-password: %s: path too long\n", path);
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "photorig web-password: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	size_t len = strlen(hash);
	int bad = write(fd, hash, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd);
	if (!bad && geteuid() == 0) {
		struct passwd *pw = getpwnam("photorig");
		if (pw && fchown(fd, pw->pw_uid, pw->pw_gid))
			bad = 1;
	}
	if (close(fd) || bad || rename(tmp, path)) {
		fprintf(stderr, "photorig web-password: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cmd_web_password(int argc, char **argv)
{
	const char *file = DEFAULT_FILE;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--file") && i + 1 < argc) {
			file = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "photorig web-password: unexpected argument '%s'\n%s", argv[i],
				usage);
			return 2;
		}
	}
	char pw[512], again[512];
	if (read_line("New password for the operator page: ", pw, sizeof(pw))) {
		fprintf(stderr, "photorig web-password: no password given\n");
		return 1;
	}
	if (isatty(STDIN_FILENO) && (read_line("Again: ", again, sizeof(again)) ||
				     strcmp(pw, again))) {
		fprintf(stderr, "photorig web-password: the two passwords differ; nothing changed\n");
		return 1;
	}
	if (strlen(pw) < 8) {
		fprintf(stderr, "photorig web-password: at least 8 characters, please\n");
		return 1;
	}
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	/* NULL random bytes: libxcrypt takes them from the kernel */
	if (!cd || !crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt))) {
		fprintf(stderr, "photorig web-password: cannot make a salt: %s\n", strerror(errno));
		free(cd);
		return 1;
	}
	const char *hash = crypt_r(pw, salt, cd);
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	int rc = 1;
	if (!hash || hash[0] != '$')
		fprintf(stderr, "photorig web-password: hashing failed: %s\n", strerror(errno));
	else if (!write_hash(file, hash)) {
		printf("password of the operator page stored in %s (yescrypt)\n", file);
		rc = 0;
	}
	free(cd);
	return rc;
}
