#!/bin/sh
# Install what photorig needs to build and test on Debian 12 (run as root or
# with sudo available). Safe to run again.
set -eu
PACKAGES="build-essential cmake pkg-config
  libtiff-dev libturbojpeg0-dev libpng-dev zlib1g-dev
  libinih-dev libjson-c-dev libsystemd-dev
  libgphoto2-dev libv4l-dev libusb-1.0-0-dev
  libmicrohttpd-dev libcrypt-dev
  libcmocka-dev jq python3 systemd curl chromium chromium-driver
  libmosquitto-dev mosquitto mosquitto-clients
  clang libclang-rt-14-dev
  colmap sqlite3 libsqlite3-dev
  libraw-dev"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! dpkg-query -W $PACKAGES >/dev/null 2>&1; then
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
fi
