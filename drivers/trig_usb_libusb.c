/* photorig drivers, usbrelay: the libusb side (struct trig_usb_ops).
 *
 * 16c0:05df is V-USB's shared HID id, used by many hobby devices, so a
 * board is only taken for a relay when its product string starts with
 * "USBRelay" (the digit after it is the channel count). Its 5-character id
 * is the first 5 bytes of its feature report (GET_REPORT); byte 7 is the
 * relays' state, which we do not need.
 *
 * The kernel's usbhid driver owns the interface; libusb detaches it while
 * we hold the board and gives it back at close. */
#define _GNU_SOURCE
#include "trigger.h"

#include <ctype.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HID_GET_REPORT 0x01
#define HID_SET_REPORT 0x09
#define HID_FEATURE 0x03
#define USB_TIMEOUT_MS 1000

struct trig_usb_dev {
	libusb_context *ctx;
	libusb_device_handle *dh;
};

static int map_usb(int r)
{
	switch (r) {
	case LIBUSB_ERROR_ACCESS: return PR_EACCES;
	case LIBUSB_ERROR_BUSY: return TRIG_EBUSY;
	case LIBUSB_ERROR_NO_DEVICE: return TRIG_EGONE;
	case LIBUSB_ERROR_TIMEOUT: return TRIG_ETIMEOUT;
	default: return PR_EIO;
	}
}

/* Open, check, claim one candidate. 0 when it is a relay board matching
 * `match`; 1 when it is not (skip); negative on error. */
static int try_board(libusb_device *d, const char *match, libusb_device_handle **out,
		     struct trig_usb_info *info, struct pr_error *err)
{
	struct libusb_device_descriptor desc;
	if (libusb_get_device_descriptor(d, &desc))
		return 1;
	memset(info, 0, sizeof(*info));
	snprintf(info->path, sizeof(info->path), "usb:%u,%u", libusb_get_bus_number(d),
		 libusb_get_device_address(d));
	if (!strncmp(match, "usb:", 4) && strcmp(match, info->path))
		return 1;
	libusb_device_handle *dh = NULL;
	int r = libusb_open(d, &dh);
	if (r)
		return pr_error_set(err, map_usb(r), "USB relay %s: cannot open: %s%s", info->path,
				    libusb_strerror(r),
				    r == LIBUSB_ERROR_ACCESS ? " (install photorig's udev rules)" : "");
	unsigned char s[64] = { 0 };
	if (desc.iProduct && libusb_get_string_descriptor_ascii(dh, desc.iProduct, s, sizeof(s)) > 0)
		snprintf(info->product, sizeof(info->product), "%s", (char *)s);
	if (strncmp(info->product, "USBRelay", 8)) {
		libusb_close(dh);
		return 1;
	}
	info->channels = atoi(info->product + 8);
	libusb_set_auto_detach_kernel_driver(dh, 1);
	r = libusb_claim_interface(dh, 0);
	if (r) {
		libusb_close(dh);
		return pr_error_set(err, map_usb(r), "USB relay %s: cannot claim it: %s%s", info->path,
				    libusb_strerror(r),
				    r == LIBUSB_ERROR_BUSY ? " (another program holds it)" : "");
	}
	unsigned char rep[8] = { 0 };
	r = libusb_control_transfer(dh, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS |
				    LIBUSB_RECIPIENT_INTERFACE, HID_GET_REPORT, HID_FEATURE << 8, 0,
				    rep, sizeof(rep), USB_TIMEOUT_MS);
	for (int i = 0; r >= 5 && i < 5; i++)
		info->serial[i] = isprint(rep[i]) ? (char)rep[i] : '?';
	if (match[0] && strncmp(match, "usb:", 4) && strcmp(match, info->serial)) {
		libusb_release_interface(dh, 0);
		libusb_close(dh);
		return 1;
	}
	*out = dh;
	return 0;
}

static int lu_open(void *ctx, uint16_t vid, uint16_t pid, const char *match,
		   struct trig_usb_dev **out, struct trig_usb_info *info, struct pr_error *err)
{
	(void)ctx;
	*out = NULL;
	struct trig_usb_dev *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return pr_error_set(err, PR_ENOMEM, "USB relay: out of memory");
	int r = libusb_init(&dev->ctx);
	if (r) {
		free(dev);
		return pr_error_set(err, PR_EIO, "USB relay: libusb: %s", libusb_strerror(r));
	}
	libusb_device **list = NULL;
	ssize_t n = libusb_get_device_list(dev->ctx, &list);
	int rc = 1;
	for (ssize_t i = 0; i < n && rc == 1; i++) {
		struct libusb_device_descriptor desc;
		if (libusb_get_device_descriptor(list[i], &desc) || desc.idVendor != vid ||
		    desc.idProduct != pid)
			continue;
		rc = try_board(list[i], match, &dev->dh, info, err);
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	if (rc == 1)
		rc = pr_error_set(err, PR_ENOENT, "no USB relay board %s%s(%04x:%04x, product "
				  "USBRelayN) found: plugged in?", match, match[0] ? " " : "", vid, pid);
	if (rc) {
		libusb_exit(dev->ctx);
		free(dev);
		return rc;
	}
	*out = dev;
	return 0;
}

static int lu_set_feature(struct trig_usb_dev *dev, uint8_t report_id, const uint8_t *data,
			  size_t len, struct pr_error *err)
{
	uint8_t buf[64];
	if (len > sizeof(buf))
		return pr_error_set(err, PR_EINVAL, "HID report of %zu bytes is too long", len);
	memcpy(buf, data, len);
	int r = libusb_control_transfer(dev->dh, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS |
					LIBUSB_RECIPIENT_INTERFACE, HID_SET_REPORT,
					(uint16_t)(HID_FEATURE << 8 | report_id), 0, buf,
					(uint16_t)len, USB_TIMEOUT_MS);
	if (r < 0)
		return pr_error_set(err, map_usb(r), "SET_REPORT: %s", libusb_strerror(r));
	if ((size_t)r != len)
		return pr_error_set(err, PR_EIO, "SET_REPORT: %d of %zu bytes taken", r, len);
	return 0;
}

static void lu_close(struct trig_usb_dev *dev)
{
	if (!dev)
		return;
	if (dev->dh) {
		libusb_release_interface(dev->dh, 0);
		libusb_close(dev->dh);
	}
	libusb_exit(dev->ctx);
	free(dev);
}

static const struct trig_usb_ops lu_ops = {
	.open = lu_open,
	.set_feature = lu_set_feature,
	.close = lu_close,
};

const struct trig_usb_ops *const trig_usb_libusb_ops = &lu_ops;
