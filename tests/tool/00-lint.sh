#!/usr/bin/env bash
# Static checks of the tool suite's own code: -Werror builds with gcc and clang,
# cppcheck on the C sources, shellcheck on the test scripts, man page warnings.
source "$(dirname "$0")/../lib.sh"
set -euo pipefail

t_check "gcc -Wall -Wextra -Werror build" make -s -C "$CK_TOP/tool"
if command -v clang >/dev/null; then
	w=$(mktemp -d)
	trap 'rm -rf "$w"' EXIT
	t_check "clang -Wall -Wextra -Werror build" make -s -C "$CK_TOP/tool" CC=clang O="$w/clang"
fi
if command -v cppcheck >/dev/null; then
	t_check "cppcheck (warning,style,performance,portability) clean" \
		cppcheck -q --enable=warning,style,performance,portability --std=c11 --error-exitcode=1 \
		-I "$CK_TOP/tool" "$CK_TOP"/tool/*.c "$CK_TOP"/tool/fuzz/*.c "$CK_TOP/tests/tool/unit_tests.c"
else
	t_skip "cppcheck not installed"
fi
# shell_files DIR...: every shell file under DIR (by name or by its #! line or shellcheck
# directive), so a new script is linted without being listed here.
shell_files() {
	local f
	while IFS= read -r -d '' f; do
		case "$f" in
		*.sh) printf '%s\n' "$f" ;;
		*) head -n 3 "$f" | grep -qE '^#!.*/(env )?(ba|da)?sh\b|shellcheck shell=' && printf '%s\n' "$f" ;;
		esac
	done < <(find "$@" -type f ! -name '*.[ch]' ! -name '*.patch' ! -name '*.md' -print0)
	return 0
}
# Runs shellcheck -x on FILE... from the top of the tree (source= paths are relative).
shellcheck_top() {
	(cd "$CK_TOP" && shellcheck -x "$@")
}
if command -v shellcheck >/dev/null; then
	# What we ship (every file a package installs that a shell runs), then the tests.
	mapfile -t shipped < <(cd "$CK_TOP" && shell_files lib stages bin sign packaging debian setup | sort)
	t_match "found the shipped shell scripts (${#shipped[@]})" '^[1-9][0-9]' "${#shipped[@]}"
	t_check "shellcheck every shipped shell script (lib stages bin sign packaging debian setup)" \
		shellcheck_top "${shipped[@]}"
	mapfile -t testsh < <(cd "$CK_TOP" && shell_files tests | sort)
	t_check "shellcheck every test script (${#testsh[@]} under tests/)" \
		shellcheck_top "${testsh[@]}"
else
	t_skip "shellcheck not installed"
fi
t_check "man page renders without warnings" bash -c "man --warnings -l '$CK_TOP/tool/ceph-kmod.8' 2>&1 >/dev/null | (! grep .)"
w2=$(mktemp -d)
t_check "make install DESTDIR PREFIX=/usr" make -s -C "$CK_TOP/tool" install DESTDIR="$w2" PREFIX=/usr
t_check "installed /usr/sbin/ceph-kmod and man8 page" test -x "$w2/usr/sbin/ceph-kmod" -a -f "$w2/usr/share/man/man8/ceph-kmod.8"
rm -rf "$w2"
