// SPDX-License-Identifier: GPL-2.0
/* ceph-kmod status [--json]: what is built, installed, resolved, signed and loaded. */
#include <dirent.h>
#include <getopt.h>
#include <libkmod.h>
#include <limits.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "certs.h"
#include "ck.h"
#include "cmds.h"
#include "config.h"
#include "efi.h"
#include "json.h"
#include "module.h"
#include "status.h"

const char *const ck_status_mod_names[NMODS] = CK_MODULE_NAMES;
const char *const ck_status_prov_keys[NPROV] = { "ceph_kmod_version",  "ceph_kmod_source",
						  "ceph_kmod_patches",  "ceph_kmod_compat",
						  "ceph_kmod_build",    "ceph_kmod_key_types" };
#define mod_names ck_status_mod_names
#define prov_keys ck_status_prov_keys

struct status_ctx {
	const char *modules_root, *dkms_tree, *sys_module;
	char state_dir[4096];
	int bad_sets; /* kernels whose installed set is mixed or incomplete */
	char running[256];
	char cert_path[4096];
	STACK_OF(X509) *certs;
	char cert_err[512], cert_subject[256], cert_skid[128];
	enum ck_sb_state sb;
	enum ck_enrolled enrolled;
	char enrolled_how[256], enrolled_err[512];
	int json, verbose, width;
	const char *only; /* the one kernel asked for, or NULL */
	struct ck_json j;
};

void ck_usage_status(FILE *f)
{
	fputs("usage: ceph-kmod status [-v] [--json] [KERNEL]\n"
	      "\n"
	      "One line per kernel under /lib/modules (only KERNEL when given): ceph-kmod\n"
	      "version, the installed set (complete: every module the kernel can take is\n"
	      "ours, of one ceph_kmod_build; mixed: modules of different builds; incomplete:\n"
	      "a module of the set is missing, or the kernel still ships one in-tree that\n"
	      "the set lacks; none: the in-tree modules), N/M ours (M: the modules the\n"
	      "kernel can take, those of the set and those modprobe finds in-tree or\n"
	      "builtin; N: those modprobe resolves to ours), whether they verify against the\n"
	      "configured MOK certificate, the number of backported patches, and the CephX\n"
	      "key types its libceph accepts: its ceph_kmod_key_types, else read from what\n"
	      "the module imports (crypto_krb5_*, as upstream Linux 7.0+: aes,aes256k;\n"
	      "otherwise aes), unknown when it cannot be read. A kernel ceph-kmod could not\n"
	      "build for (pending) or whose set is mixed or incomplete gets two more lines:\n"
	      "what is wrong and the command that fixes it. Above: the MOK certificate,\n"
	      "whether it is enrolled, whether Secure Boot is on.\n"
	      "\n"
	      "-v, --verbose: the full report, per module: dkms built and installed files, the\n"
	      "file modprobe resolves (ours or in-tree), build-id, provenance, signer and\n"
	      "signature, and for the running kernel whether each loaded module is ours; per\n"
	      "kernel where the key types come from and the modules it can take.\n"
	      "--json: the full report as one JSON object (per kernel key_types,\n"
	      "key_types_from; set.can_take, set.can_take_count, set.ours_count, set.fix).\n"
	      "Reads only.\n"
	      "\n"
	      "Exit status: 0 report printed, 4 modules root unreadable, 5 a kernel's set\n"
	      "is mixed or incomplete (repair: the fix line's ceph-kmod-install), 64 usage\n"
	      "error (also: no such KERNEL).\n",
	      f);
}

static void find_built(const struct status_ctx *c, const char *kver, struct mod_report *m)
{
	char top[PATH_MAX], kdir[PATH_MAX + 512], mdir[PATH_MAX * 2];
	struct dirent **vers = NULL;
	int nv, i;

	if (ck_pathf(top, sizeof(top), "%s/ceph-kmod", c->dkms_tree) < 0)
		return;
	nv = scandir(top, &vers, NULL, versionsort);
	for (i = 0; i < nv; i++) {
		const char *v = vers[i]->d_name;
		struct dirent **arches = NULL;
		int na, k;

		if (v[0] == '.' || strcmp(v, "source") == 0 || strncmp(v, "kernel-", 7) == 0 ||
		    ck_pathf(kdir, sizeof(kdir), "%s/%s/%s", top, v, kver) < 0 ||
		    !ck_is_dir(kdir)) {
			free(vers[i]);
			continue;
		}
		na = scandir(kdir, &arches, NULL, alphasort);
		for (k = 0; k < na; k++) {
			if (arches[k]->d_name[0] != '.' && m->nbuilt < MAX_BUILT &&
			    ck_pathf(mdir, sizeof(mdir), "%s/%s/module", kdir,
				     arches[k]->d_name) == 0 &&
			    ck_module_find(mdir, m->name, m->built[m->nbuilt], PATH_MAX))
				m->nbuilt++;
			free(arches[k]);
		}
		free(arches);
		free(vers[i]);
	}
	free(vers);
}

static void resolve(struct kmod_ctx *kctx, const char *kdir, struct mod_report *m)
{
	struct kmod_list *list = NULL, *l;
	char a[PATH_MAX], b[PATH_MAX], intree[PATH_MAX];

	m->resolved[0] = '\0';
	m->resolved_is = CK_RES_NOT_FOUND;
	if (!kctx) {
		snprintf(m->resolved_err, sizeof(m->resolved_err), "libkmod context failed");
		return;
	}
	if (kmod_module_new_from_lookup(kctx, m->name, &list) < 0 || !list) {
		snprintf(m->resolved_err, sizeof(m->resolved_err),
			 "modprobe finds no module %s (modules.dep missing?)", m->name);
		return;
	}
	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);
		const char *path = kmod_module_get_path(mod);

		if (strcmp(kmod_module_get_name(mod), m->name) == 0 ||
		    m->resolved_is == CK_RES_NOT_FOUND) {
			if (path) {
				snprintf(m->resolved, sizeof(m->resolved), "%s", path);
				m->resolved_is = CK_RES_OTHER;
			} else {
				m->resolved_is = CK_RES_BUILTIN;
			}
		}
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	if (!m->resolved[0])
		return;
	if (m->installed[0] && realpath(m->resolved, a) && realpath(m->installed, b) &&
	    strcmp(a, b) == 0) {
		m->resolved_is = CK_RES_OURS;
		return;
	}
	if (ck_pathf(intree, sizeof(intree), "%s/kernel/", kdir) == 0 &&
	    strncmp(m->resolved, intree, strlen(intree)) == 0)
		m->resolved_is = CK_RES_IN_TREE;
}

/* Reads PATH into f; with imports, also what it imports (libceph's key types). */
static void inspect(const struct status_ctx *c, const char *path, int imports,
		    struct file_report *f)
{
	struct ck_module m;
	struct ck_err e;
	size_t i;

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	e.msg[0] = '\0';
	if (ck_module_load(path, &m, &e) != CK_VALID) {
		snprintf(f->err, sizeof(f->err), "%s", e.msg);
		f->verdict = CK_MALFORMED;
		ck_module_free(&m);
		return;
	}
	f->readable = 1;
	if (imports)
		ck_status_read_imports(&m.elf, f);
	if (m.elf.build_id)
		ck_hex(m.elf.build_id, m.elf.build_id_len, f->build_id, sizeof(f->build_id));
	for (i = 0; i < NPROV; i++) {
		size_t n;
		const char *v = ck_modinfo_get(&m.elf, prov_keys[i], &n);

		if (v) {
			f->has_prov[i] = 1;
			snprintf(f->prov[i], sizeof(f->prov[i]), "%.*s", (int)n, v);
		}
	}
	e.msg[0] = '\0';
	f->verdict = ck_module_verify(&m, c->certs, &f->sig, &e);
	snprintf(f->verdict_err, sizeof(f->verdict_err), "%s", e.msg);
	ck_module_free(&m);
}

/* Build-id of the loaded module from /sys/module/NAME/notes (read only). */
static void check_loaded(const struct status_ctx *c, struct mod_report *m)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct ck_buf b;
	struct ck_err e;
	const unsigned char *id;
	size_t id_len;

	m->loaded = CK_LOADED_NO;
	m->loaded_ours = CK_OURS_NA;
	if (ck_pathf(dir, sizeof(dir), "%s/%s", c->sys_module, m->name) < 0 || !ck_is_dir(dir))
		return;
	m->loaded = CK_LOADED_YES;
	m->loaded_ours = CK_OURS_UNKNOWN;
	if (ck_pathf(path, sizeof(path), "%s/notes/.note.gnu.build-id", dir) < 0 ||
	    ck_read_file(path, 1 << 16, &b, &e) < 0)
		return;
	if (ck_note_build_id(b.data, b.len, 0, &id, &id_len, &e) == 0)
		ck_hex(id, id_len, m->loaded_build_id, sizeof(m->loaded_build_id));
	ck_buf_free(&b);
	if (!m->loaded_build_id[0])
		return;
	if (m->installed[0] && m->file.readable &&
	    strcmp(m->file.path, m->installed) == 0 && m->file.build_id[0])
		m->loaded_ours = strcmp(m->file.build_id, m->loaded_build_id) == 0 ? CK_OURS_YES : CK_OURS_NO;
	else if (!m->installed[0])
		m->loaded_ours = CK_OURS_NO;
}

static void read_pending(const struct status_ctx *c, struct kernel_report *r)
{
	char pf[PATH_MAX + 300];

	if (c->state_dir[0] &&
	    ck_pathf(pf, sizeof(pf), "%s/pending/%s", c->state_dir, r->kver) == 0 &&
	    ck_status_read_kv(pf, "code", r->code, sizeof(r->code))) {
		r->pending = 1;
		ck_status_read_kv(pf, "reason", r->reason, sizeof(r->reason));
		ck_status_read_kv(pf, "fix", r->fix, sizeof(r->fix));
		ck_status_read_kv(pf, "since", r->since, sizeof(r->since));
	}
}

static void collect_module(const struct status_ctx *c, struct kmod_ctx *kctx, const char *kdir,
			   struct kernel_report *r, int i)
{
	struct mod_report *m = &r->mods[i];
	char sub[PATH_MAX + 32];

	m->name = mod_names[i];
	find_built(c, r->kver, m);
	if (!(ck_pathf(sub, sizeof(sub), "%s/updates/dkms", kdir) == 0 &&
	      ck_module_find(sub, m->name, m->installed, sizeof(m->installed))) &&
	    !(ck_pathf(sub, sizeof(sub), "%s/extra", kdir) == 0 &&
	      ck_module_find(sub, m->name, m->installed, sizeof(m->installed))))
		m->installed[0] = '\0';
	resolve(kctx, kdir, m);
	r->set.resolved[i] = m->resolved_is;
	if (m->installed[0] || m->resolved[0]) {
		inspect(c, m->installed[0] ? m->installed : m->resolved, i == MOD_LIBCEPH, &m->file);
		m->inspected = 1;
	}
	if (m->installed[0]) {
		r->set.installed[i] = 1;
		if (m->inspected && m->file.readable && m->file.has_prov[PROV_BUILD]) {
			/* Both live in r: a copy the compiler can see does not overlap. */
			size_t n = strnlen(m->file.prov[PROV_BUILD], sizeof(r->set.builds[i]) - 1);

			memcpy(r->set.builds[i], m->file.prov[PROV_BUILD], n);
			r->set.builds[i][n] = '\0';
		}
	}
	if (r->running)
		check_loaded(c, m);
}

static void print_kernel(struct status_ctx *c, const struct kernel_report *r)
{
	int i;

	if (c->json) {
		ck_json_obj_begin(&c->j, NULL);
		ck_json_str(&c->j, "kernel", r->kver);
		ck_json_bool(&c->j, "running", r->running);
		ck_json_arr_begin(&c->j, "modules");
		for (i = 0; i < NMODS; i++)
			ck_status_module_json(&c->j, &r->mods[i]);
		ck_json_arr_end(&c->j);
		ck_status_set_json(&c->j, r);
		ck_json_obj_end(&c->j);
	} else if (c->verbose) {
		printf("\nkernel %s%s\n", r->kver, r->running ? " (running)" : "");
		for (i = 0; i < NMODS; i++)
			ck_status_module_human(&r->mods[i]);
		ck_status_set_human(r);
	} else {
		ck_status_brief(stdout, r, c->width);
	}
}

static void do_kernel(struct status_ctx *c, const char *kver)
{
	struct kernel_report *r = calloc(1, sizeof(*r));
	char kdir[PATH_MAX];
	struct kmod_ctx *kctx;
	int i;

	if (!r || ck_pathf(kdir, sizeof(kdir), "%s/%s", c->modules_root, kver) < 0 ||
	    ck_pathf(r->kver, sizeof(r->kver), "%s", kver) < 0) {
		free(r);
		return;
	}
	r->running = strcmp(kver, c->running) == 0;
	/* NULL: the system's modprobe configuration, as modprobe itself would use. */
	kctx = kmod_new(kdir, NULL);
	if (kctx)
		kmod_set_log_fn(kctx, ck_kmod_quiet_log, NULL);
	for (i = 0; i < NMODS; i++)
		collect_module(c, kctx, kdir, r, i);
	kmod_unref(kctx);
	ck_status_judge_set(kdir, kver, &r->set);
	read_pending(c, r);
	ck_status_key_types(r);
	print_kernel(c, r);
	if (ck_set_is_bad(r->set.state))
		c->bad_sets++;
	free(r);
}

static void load_cert(struct status_ctx *c)
{
	struct ck_err e;

	c->certs = sk_X509_new_null();
	if (ck_mok_cert_path(c->cert_path, sizeof(c->cert_path)) < 0) {
		snprintf(c->cert_err, sizeof(c->cert_err), "MOK_CERT setting too long");
		return;
	}
	if (!c->certs || ck_certs_load_file(c->cert_path, c->certs, &e) < 0) {
		snprintf(c->cert_err, sizeof(c->cert_err), "%s", c->certs ? e.msg : "no memory");
		return;
	}
	{
		X509 *x = sk_X509_value(c->certs, 0);
		char tmpl[4096];
		unsigned char *der = NULL;
		int n = ck_cert_der(x, &der), fd = -1;
		const char *der_path = NULL;

		ck_name_str(X509_get_subject_name(x), c->cert_subject, sizeof(c->cert_subject));
		ck_cert_skid(x, c->cert_skid, sizeof(c->cert_skid));
		/* mokutil wants DER on disk; only needed when it is the fallback. */
		if (n > 0)
			fd = ck_mkstemp(tmpl, sizeof(tmpl), "ceph-kmod-cert");
		if (fd >= 0 && write(fd, der, (size_t)n) == n)
			der_path = tmpl;
		e.msg[0] = '\0';
		c->enrolled = ck_mok_enrolled(x, der_path, c->enrolled_how,
					      sizeof(c->enrolled_how), &e);
		snprintf(c->enrolled_err, sizeof(c->enrolled_err), "%s", e.msg);
		if (fd >= 0) {
			close(fd);
			unlink(tmpl);
		}
		OPENSSL_free(der);
	}
}

/* Parses the command line into c: -1 to go on, else the exit code (0 after --help). */
static int parse_args(struct status_ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char bad[256];
	int o, i;

	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			c->json = 1;
			break;
		case 'v':
			c->verbose = 1;
			break;
		case 'h':
			ck_usage_status(stdout);
			return CK_EXIT_OK;
		default:
			return ck_usage_error("status", "unknown option '%s'",
					      ck_opt_refused(argv, o, bad, sizeof(bad)));
		}
	}
	for (i = optind; i < argc; i++) {
		if (c->only || argv[i][0] == '.' || strchr(argv[i], '/'))
			return ck_usage_error("status", "unexpected argument '%s'", argv[i]);
		c->only = argv[i];
	}
	return -1;
}

static void print_header_json(struct status_ctx *c, int running_present)
{
	ck_json_init(&c->j, stdout);
	ck_json_obj_begin(&c->j, NULL);
	ck_json_str(&c->j, "running_kernel", c->running);
	ck_json_bool(&c->j, "running_kernel_present", running_present);
	ck_json_str(&c->j, "secure_boot", ck_sb_name(c->sb));
	ck_json_obj_begin(&c->j, "mok_cert");
	ck_json_str(&c->j, "path", c->cert_path);
	ck_json_bool(&c->j, "usable", !c->cert_err[0]);
	ck_json_str(&c->j, "error", c->cert_err[0] ? c->cert_err : NULL);
	ck_json_str(&c->j, "subject", c->cert_subject[0] ? c->cert_subject : NULL);
	ck_json_str(&c->j, "subject_key_id", c->cert_skid[0] ? c->cert_skid : NULL);
	ck_json_str(&c->j, "enrolled", c->cert_err[0] ? "unknown" : ck_enrolled_name(c->enrolled));
	ck_json_str(&c->j, "enrolled_source", c->enrolled_how[0] ? c->enrolled_how : NULL);
	ck_json_obj_end(&c->j);
	ck_json_arr_begin(&c->j, "kernels");
}

static void print_header_human(const struct status_ctx *c, int running_present)
{
	printf("MOK certificate: %s", c->cert_path);
	if (c->cert_err[0])
		printf(" (unusable: %s)\n", c->cert_err);
	else if (c->verbose)
		printf(" (%s%s%s)\n", c->cert_subject, c->cert_skid[0] ? ", key id " : "",
		       c->cert_skid);
	else
		printf(" (%s)\n", c->cert_subject);
	printf("enrolled:        %s", c->cert_err[0] ? "unknown" : ck_enrolled_name(c->enrolled));
	if (c->enrolled_how[0] && c->enrolled != CK_ENR_NO_EFI)
		printf(" [%s%s%s]", c->enrolled_how, c->enrolled_err[0] ? ": " : "",
		       c->enrolled_err);
	printf("\nSecure Boot:     %s\n", ck_sb_name(c->sb));
	if (c->verbose || !running_present)
		printf("running kernel:  %s%s\n", c->running,
		       running_present ? "" : " (not under the modules root: loaded modules not checked)");
	if (!c->verbose)
		printf("\n");
}

static void setup_ctx(struct status_ctx *c)
{
	struct utsname u;

	c->modules_root = ck_env_or("CEPH_KMOD_MODULES_ROOT", "/lib/modules");
	c->dkms_tree = ck_env_or("CEPH_KMOD_DKMS_TREE", "/var/lib/dkms");
	c->sys_module = ck_env_or("CEPH_KMOD_SYS_MODULE", "/sys/module");
	if (ck_conf_get("STATE", "/var/lib/ceph-kmod", c->state_dir, sizeof(c->state_dir)) < 0)
		c->state_dir[0] = '\0';
	snprintf(c->running, sizeof(c->running), "%s",
		 ck_env_or("CEPH_KMOD_RUNNING_KERNEL", uname(&u) == 0 ? u.release : ""));
	c->enrolled = CK_ENR_UNKNOWN;
}

/* Keeps the kernel directories (only c->only when given); sets the column width. */
static int pick_kernels(struct status_ctx *c, struct dirent **ents, int n, int *running_present)
{
	int i, kept = 0;

	for (i = 0; i < n; i++) {
		char kdir[PATH_MAX];
		const char *name = ents[i]->d_name;

		if (strcmp(name, c->running) == 0)
			*running_present = 1;
		if (name[0] == '.' || (c->only && strcmp(name, c->only) != 0) ||
		    ck_pathf(kdir, sizeof(kdir), "%s/%s", c->modules_root, name) < 0 ||
		    !ck_is_dir(kdir)) {
			free(ents[i]);
			continue;
		}
		if (ck_status_brief_width(name, strcmp(name, c->running) == 0) > c->width)
			c->width = ck_status_brief_width(name, strcmp(name, c->running) == 0);
		ents[kept++] = ents[i];
	}
	return kept;
}

static int run_status(struct status_ctx *c)
{
	struct dirent **ents = NULL;
	int n, i, running_present = 0;

	n = scandir(c->modules_root, &ents, NULL, versionsort);
	if (n < 0) {
		ck_error("status", "cannot read %s", c->modules_root);
		return CK_EXIT_STATUS_UNREADABLE;
	}
	n = pick_kernels(c, ents, n, &running_present);
	if (c->only && n == 0) {
		free(ents);
		return ck_usage_error("status", "no kernel '%s' under %s", c->only, c->modules_root);
	}
	load_cert(c);
	c->sb = ck_secure_boot();
	if (c->json)
		print_header_json(c, running_present);
	else
		print_header_human(c, running_present);
	for (i = 0; i < n; i++) {
		do_kernel(c, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (c->json) {
		ck_json_arr_end(&c->j);
		ck_json_obj_end(&c->j);
	} else if (!c->verbose) {
		printf("\ndetails: ceph-kmod status -v [KERNEL]\n");
	}
	return c->bad_sets ? CK_EXIT_STATUS_BAD_SET : CK_EXIT_OK;
}

int ck_cmd_status(int argc, char **argv)
{
	struct status_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return CK_EXIT_STATUS_UNREADABLE; /* out of memory: no report */
	rc = parse_args(c, argc, argv);
	if (rc < 0) {
		setup_ctx(c);
		rc = run_status(c);
	}
	sk_X509_pop_free(c->certs, X509_free);
	free(c);
	return rc;
}
