# Included by each module's Kbuild (libceph/, rbd/, cephfs/, nbd/).
# The build tree prepared by stages/prepare looks like:
#   Kbuild            obj-m += <selected module dirs>/
#   include/          include/linux/{ceph,crush} and trace/events/nbd.h of the source
#   ck_compat.h       HAVE_* results of the kernel API probes
#   <module>/ck_info.h  MODULE_INFO provenance fields of that module
#   <module>/         the source files of that module and its Kbuild
#
# NOSTDINC_FLAGS comes before LINUXINCLUDE on the compiler command line, so the
# source's (possibly patched) Ceph headers win over the kernel headers' copies.
NOSTDINC_FLAGS += -I$(src)/../include
ccflags-y += -include $(src)/../ck_compat.h

# ck-info-into OBJ: the provenance fields go into exactly one object per module.
ck-info-into = $(eval CFLAGS_$(1) += -include $(src)/ck_info.h)
