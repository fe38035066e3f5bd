# lib/kconfig-needs.awk: what a kernel configuration lacks for one Kconfig symbol, read from
# the kernel source's own Kconfig entry for it (its "depends on" lines, the "if" blocks around
# it, and its "select" lines), so that the reason a module cannot be built names the real
# missing option of that source, whatever its version calls it.
#
# Usage: awk -f kconfig-needs.awk -v sym=CEPH_LIB [-v ours="CEPH_LIB ..."] CONFIG KCONFIG...
#   CONFIG   the kernel's include/config/auto.conf or .config
#   KCONFIG  the Kconfig files to look for "config SYM" in
#   ours     symbols that count as present because ceph-kmod builds them (libceph's
#            CEPH_LIB for rbd and ceph)
# Prints one line per missing option, "CONFIG_X<TAB>why" (why: 'in "depends on EXPR"' or
# "selected"); nothing when SYM can be built. Exit 0; 2 when no KCONFIG defines SYM.
#
# Expressions are evaluated the Kconfig way: n=0, m=1, y=2; "&&" is the minimum, "||" the
# maximum, "!" is 2-x; A=B and A!=B compare the values as strings.

function tval(s) {
	if (s == "y" || s == "m" || s == "n") return s == "y" ? 2 : s == "m" ? 1 : 0
	if (!(("CONFIG_" s) in conf)) return 0
	s = conf["CONFIG_" s]
	return s == "y" ? 2 : s == "m" ? 1 : 0
}
function sval(s) {
	if (s ~ /^"/) return substr(s, 2, length(s) - 2)
	if (s == "y" || s == "m" || s == "n") return s
	return (("CONFIG_" s) in conf) ? conf["CONFIG_" s] : "n"
}
function tokenize(e,    n) {
	ntok = 0
	while (length(e) > 0) {
		if (match(e, /^[ \t]+/)) { e = substr(e, RLENGTH + 1); continue }
		if (match(e, /^(&&|\|\||!=|[!()=<>])/) || match(e, /^"[^"]*"/) ||
		    match(e, /^[A-Za-z0-9_]+/)) {
			tok[++ntok] = substr(e, 1, RLENGTH)
			e = substr(e, RLENGTH + 1)
			continue
		}
		e = substr(e, 2) # anything else: skipped
	}
	tok[ntok + 1] = ""
	pos = 1
}
function e_or(    v, w) {
	v = e_and()
	while (tok[pos] == "||") { pos++; w = e_and(); if (w > v) v = w }
	return v
}
function e_and(    v, w) {
	v = e_not()
	while (tok[pos] == "&&") { pos++; w = e_not(); if (w < v) v = w }
	return v
}
function e_not() {
	if (tok[pos] == "!") { pos++; return 2 - e_not() }
	return e_prim()
}
function e_prim(    v, a, op, b) {
	if (tok[pos] == "(") {
		pos++
		v = e_or()
		if (tok[pos] == ")") pos++
		return v
	}
	a = tok[pos++]
	if (tok[pos] == "=" || tok[pos] == "!=") {
		op = tok[pos++]
		b = tok[pos++]
		return ((sval(a) == sval(b)) == (op == "=")) ? 2 : 0
	}
	return tval(a)
}
function eval(e) {
	tokenize(e)
	return ntok ? e_or() : 2
}
# missing_in(EXPR, WHY): the symbols of a false EXPR that are unset (not those under "!").
function missing_in(e, why,    i) {
	tokenize(e)
	for (i = 1; i <= ntok; i++)
		if (tok[i] ~ /^[A-Za-z_][A-Za-z0-9_]*$/ && tok[i] !~ /^[ymn]$/ && tok[i - 1] != "!" &&
		    tval(tok[i]) == 0 && !(tok[i] in is_ours))
			report(tok[i], why)
}
function report(s, why) {
	if (s in said) return
	said[s] = 1
	printf "CONFIG_%s\t%s\n", s, why
}
function strip(s) {
	sub(/[ \t]*#.*$/, "", s)
	sub(/^[ \t]+/, "", s)
	return s
}

BEGIN {
	n = split(ours, o, /[ \t]+/)
	for (i = 1; i <= n; i++) if (o[i] != "") is_ours[o[i]] = 1
}
FNR == NR {
	if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
		v = substr($0, RLENGTH + 1)
		gsub(/"/, "", v)
		conf[substr($0, 1, RLENGTH - 1)] = v
	}
	next
}
FNR == 1 { nif = 0; inblock = 0 }
/^(config|menuconfig|choice|endchoice|comment|menu|endmenu|if|endif|source)([ \t]|$)/ {
	if (inblock) done = 1
	inblock = 0
	if ($1 == "if") ifs[++nif] = strip(substr($0, 3))
	else if ($1 == "endif" && nif > 0) nif--
	else if (($1 == "config" || $1 == "menuconfig") && $2 == sym && !done) {
		inblock = found = 1
		for (i = 1; i <= nif; i++) deps[++ndeps] = ifs[i]
	}
	next
}
inblock && /^[ \t]+depends[ \t]+on[ \t]/ {
	line = strip($0)
	sub(/^depends[ \t]+on[ \t]+/, "", line)
	deps[++ndeps] = line
	next
}
inblock && /^[ \t]+select[ \t]/ {
	line = strip($0)
	sub(/^select[ \t]+/, "", line)
	s = line
	sub(/[ \t].*$/, "", s)
	cond = ""
	if (match(line, /[ \t]if[ \t]/)) cond = substr(line, RSTART + 4)
	sels[++nsels] = s
	selif[nsels] = cond
	next
}
END {
	if (!found) exit 2
	for (i = 1; i <= ndeps; i++)
		if (eval(deps[i]) == 0) missing_in(deps[i], "in \"depends on " deps[i] "\"")
	for (i = 1; i <= nsels; i++)
		if ((selif[i] == "" || eval(selif[i]) > 0) && tval(sels[i]) == 0 && !(sels[i] in is_ours))
			report(sels[i], "selected")
}
