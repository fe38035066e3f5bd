# ceph-kmod top-level Makefile.
#
#   make                       build the ceph-kmod tool (tool/ceph-kmod)
#   make KVER=K                same as "make modules KVER=K"
#   make modules KVER=K        prepare + build the modules for kernel K into out/K/
#                              (CEPH_KMOD_KERNEL_DIR=path builds against a tree not under /lib/modules)
#   make install KVER=K        by hand, without dkms: the pipeline's sign and verify steps
#                              on what "make modules" built in out/K (the whole pipeline
#                              when nothing is built), then swapped into
#                              /lib/modules/K/updates/ceph-kmod, depmod (stages/install-manual)
#   make uninstall KVER=K      undo "make install"
#   make install-package       install the dkms source tree, the tools and the depmod.d file
#   make dist                  source tarball out/pkg/ceph-kmod-VERSION.tar.gz (what deb/rpm build from)
#   make deb                   Debian packages ceph-kmod-dkms (all) + ceph-kmod (tool) into out/pkg/
#   make rpm / make srpm       RPM packages (noarch ceph-kmod-dkms + the tool) / the source RPM
#   make kmod-deb KVER=K       prebuilt signed modules of kernel K as a .deb (fleets without compilers)
#   make kmod-rpm KVER=K       the same as an .rpm
#   make check                 install the test dependencies and run every test suite
#   make bench                 build benchmark (figures and ratios)
# dkms runs "make KVER=K modules" (see dkms.conf).

VERSION   := $(shell cat VERSION)
PREFIX    ?= /usr
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
SRCDIR    ?= /usr/src/ceph-kmod-$(VERSION)
# By hand: /etc/depmod.d (the admin's); the packages ship it in /usr/lib/depmod.d.
DEPMODDIR ?= /etc/depmod.d
PKGOUT    ?= $(CURDIR)/out/pkg
DESTDIR   ?=
OUT        = out/$(KVER)

# Files that make up the dkms source tree (everything dkms needs to build): with the
# Kbuild directory of every module of lib/modules.map.
MOD_DIRS  := $(shell awk '!/^[ \t]*(\#|$$)/ { print $$2 }' lib/modules.map)
PKG_FILES := VERSION Makefile dkms.conf lib stages configure kbuild patches sign \
             $(MOD_DIRS) packaging/depmod.d-ceph-kmod.conf packaging/pkg-hook

.PHONY: all tool modules install uninstall install-package uninstall-package \
        check bench clean clean-kernel need-kver dist deb rpm srpm kmod-deb kmod-rpm

all: $(if $(KVER),modules,tool)

tool:
	$(MAKE) -C tool

need-kver:
	@test -n "$(KVER)" || { echo "make: set KVER=<kernel release>, e.g. KVER=$$(uname -r)" >&2; exit 2; }

# One stage script per step; each exits with the codes of lib/ceph-kmod.sh.
modules: need-kver
	stages/pipeline "$(KVER)" "$(CURDIR)/$(OUT)" --until build

install: need-kver
	stages/install-manual "$(KVER)" "$(CURDIR)/$(OUT)"

uninstall: need-kver
	stages/install-manual --remove "$(KVER)"

install-package:
	install -d "$(DESTDIR)$(SRCDIR)"
	cp -a --parents $(PKG_FILES) "$(DESTDIR)$(SRCDIR)/"
	rm -rf "$(DESTDIR)$(SRCDIR)/out"
	install -D -m 0755 bin/ceph-kmod-install "$(DESTDIR)$(SBINDIR)/ceph-kmod-install"
	install -D -m 0755 bin/ceph-kmod-fetch-source "$(DESTDIR)$(SBINDIR)/ceph-kmod-fetch-source"
	sed -i 's|^CK_PKG_DIR=.*|CK_PKG_DIR=$(SRCDIR)|' \
		"$(DESTDIR)$(SBINDIR)/ceph-kmod-install" "$(DESTDIR)$(SBINDIR)/ceph-kmod-fetch-source"
	install -D -m 0644 packaging/depmod.d-ceph-kmod.conf "$(DESTDIR)$(DEPMODDIR)/ceph-kmod.conf"
	install -D -m 0644 packaging/rsyslog/ceph-kmod-debug.conf \
		"$(DESTDIR)$(PREFIX)/share/ceph-kmod/rsyslog/ceph-kmod-debug.conf"
	install -D -m 0644 packaging/rsyslog/journald-note.txt \
		"$(DESTDIR)$(PREFIX)/share/ceph-kmod/rsyslog/journald-note.txt"
	install -D -m 0644 packaging/rsyslog/ceph-kmod-debug.logrotate \
		"$(DESTDIR)$(PREFIX)/share/ceph-kmod/rsyslog/ceph-kmod-debug.logrotate"
	for d in postinst.d header_postinst.d prerm.d postrm.d; do \
		install -D -m 0755 packaging/kernel/ceph-kmod-kernel-hook "$(DESTDIR)/etc/kernel/$$d/ceph-kmod" || exit 1; \
	done
	install -D -m 0755 packaging/kernel/50-ceph-kmod.install "$(DESTDIR)/etc/kernel/install.d/50-ceph-kmod.install"
	install -D -m 0755 packaging/initramfs/ceph-kmod "$(DESTDIR)/usr/share/initramfs-tools/hooks/ceph-kmod"
	install -D -m 0644 packaging/apt/80ceph-kmod "$(DESTDIR)/etc/apt/apt.conf.d/80ceph-kmod"
	$(MAKE) -C tool install DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)"

uninstall-package:
	rm -rf "$(DESTDIR)$(SRCDIR)"
	rm -f "$(DESTDIR)$(SBINDIR)/ceph-kmod-install" "$(DESTDIR)$(SBINDIR)/ceph-kmod-fetch-source" \
		"$(DESTDIR)/etc/depmod.d/ceph-kmod.conf" "$(DESTDIR)$(SBINDIR)/ceph-kmod" \
		"$(DESTDIR)$(MANDIR)/man8/ceph-kmod.8" \
		"$(DESTDIR)/etc/kernel/postinst.d/ceph-kmod" "$(DESTDIR)/etc/kernel/header_postinst.d/ceph-kmod" \
		"$(DESTDIR)/etc/kernel/prerm.d/ceph-kmod" "$(DESTDIR)/etc/kernel/postrm.d/ceph-kmod" \
		"$(DESTDIR)/etc/kernel/install.d/50-ceph-kmod.install" "$(DESTDIR)/etc/apt/apt.conf.d/80ceph-kmod" \
		"$(DESTDIR)/usr/share/initramfs-tools/hooks/ceph-kmod"
	rm -rf "$(DESTDIR)$(PREFIX)/share/ceph-kmod/rsyslog"

# Packages (README.md, "Packages"). Each builds from the "make dist" tarball in a
# scratch directory under $(PKGOUT) and leaves the packages in $(PKGOUT).
dist:
	packaging/dist "$(PKGOUT)"

deb: dist
	packaging/build-deb "$(PKGOUT)"

rpm: dist
	packaging/build-rpm --binary "$(PKGOUT)"

srpm: dist
	packaging/build-rpm --source "$(PKGOUT)"

kmod-deb: need-kver
	packaging/build-kmod --deb "$(KVER)" "$(PKGOUT)"

kmod-rpm: need-kver
	packaging/build-kmod --rpm "$(KVER)" "$(PKGOUT)"

check:
	tests/install-deps
	tests/run

bench:
	bench/build.sh

clean-kernel: need-kver
	rm -rf "$(OUT)"

clean:
	rm -rf out
	-$(MAKE) -C tool clean
