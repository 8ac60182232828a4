/* raw_probe FILE: print WIDTHxHEIGHT, the size libraw develops the RAW file
 * to (its output image after adjust_sizes_info_only), and the visible area's
 * margins, for export_raw.sh to check photorig's RAW masks against. Exit 1
 * when libraw cannot read the file. */
#include <stdio.h>

#include <libraw/libraw.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: raw_probe FILE\n");
		return 2;
	}
	libraw_data_t *lr = libraw_init(0);
	if (!lr)
		return 1;
	int rc = libraw_open_file(lr, argv[1]);
	if (rc == LIBRAW_SUCCESS)
		rc = libraw_adjust_sizes_info_only(lr);
	if (rc != LIBRAW_SUCCESS) {
		fprintf(stderr, "raw_probe: %s: %s\n", argv[1], libraw_strerror(rc));
		libraw_close(lr);
		return 1;
	}
	printf("%dx%d\n", libraw_get_iwidth(lr), libraw_get_iheight(lr));
	libraw_close(lr);
	return 0;
}
