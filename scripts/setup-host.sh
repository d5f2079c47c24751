#!/usr/bin/env bash
# Installs the host packages hvbench needs, when they are missing.
# As root it uses apt-get; otherwise it says what to install and exits non-zero.
# With --for-tests it also installs what the test suite needs: OpenSSH (remote hosts are
# tested against an sshd on 127.0.0.1, and labs are reached with ssh), socat (QMP of a
# remote QEMU), Chromium (the report page is opened in headless Chromium), busybox (the
# shell-quoting test runs commands through busybox ash), pdflatex with the LaTeX packages
# the report's tables use (texlive-latex-base, texlive-latex-extra, texlive-science for siunitx), iproute2 and
# util-linux (network namespaces, unshare), python3 and git (used by a few tests), perf (the
# perf kvm stat recorder is tested against a real perf), and libvirt's
# daemon, QEMU driver and virsh (the libvirt backends are tested against a libvirtd the test
# starts; without systemd nothing starts one otherwise).
set -euo pipefail
for_tests=false
if [ "${1:-}" = --for-tests ]; then for_tests=true; fi

# command → Debian package that provides it
declare -A needed=(
  [qemu-system-x86_64]=qemu-system-x86
  [qemu-img]=qemu-utils
  [cpio]=cpio
  [dpkg-deb]=dpkg
  [apt-get]=apt
  [gcc]=gcc
  [ssh]=openssh-client
  [ssh-keygen]=openssh-client
)
# Packages that bring no command of their own to look for: checked with dpkg.
packages=()
if [ "$for_tests" = true ]; then
  needed+=([sshd]=openssh-server [socat]=socat [chromium]=chromium [busybox]=busybox [pdflatex]=texlive-latex-base
    [ip]=iproute2 [unshare]=util-linux [python3]=python3 [git]=git [perf]=linux-perf [virsh]=libvirt-clients [libvirtd]=libvirt-daemon)
  packages+=(texlive-latex-extra texlive-science libvirt-daemon-driver-qemu)
fi
missing=()
for cmd in "${!needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || [ -x "/sbin/$cmd" ] || missing+=("${needed[$cmd]}")
done
for pkg in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = 'install ok installed' ] || missing+=("$pkg")
done
# Each package once, however many of its commands are missing.
if [ ${#missing[@]} -gt 0 ]; then mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u); fi
# The guest programs are linked statically: they need the C library's static archive.
if ! command -v gcc >/dev/null 2>&1 || [ "$(gcc -print-file-name=libc.a)" = libc.a ]; then
  missing+=(libc6-dev)
fi

# The guest image is built from Debian's package lists; make sure there are some.
lists_empty=false
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then lists_empty=true; fi

# libvirtd's QEMU driver runs QEMU as the user libvirt-qemu unless a domain says otherwise, and
# does not start without it; libvirt-daemon-system creates it, but pulls in systemd.
libvirt_user=false
if [ "$for_tests" = true ] && ! getent passwd libvirt-qemu >/dev/null 2>&1; then libvirt_user=true; fi

if [ ${#missing[@]} -eq 0 ] && [ "$lists_empty" = false ] && [ "$libvirt_user" = false ]; then
  exit 0
fi

if [ "$(id -u 2>/dev/null)" != 0 ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "hvbench needs these Debian packages: ${missing[*]}" >&2
    echo "install them as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  elif [ "$libvirt_user" = true ]; then
    echo "libvirtd's QEMU driver needs the system user libvirt-qemu; as root:" >&2
    echo "  addgroup --system libvirt-qemu && adduser --system --ingroup libvirt-qemu --no-create-home --home /var/lib/libvirt libvirt-qemu" >&2
  else
    echo "hvbench builds its guest from Debian's package lists, and there are none here." >&2
    echo "run as root:  apt-get update" >&2
  fi
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ] || [ "$lists_empty" = true ]; then
  echo "setup: apt-get update" >&2
  apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$libvirt_user" = true ]; then
  echo "setup: adding the system user libvirt-qemu (libvirtd's QEMU driver)" >&2
  # In the group that may open /dev/kvm where there is one (Debian: kvm), as libvirt-daemon-system does.
  group=libvirt-qemu
  if getent group kvm >/dev/null; then group=kvm; fi
  getent group "$group" >/dev/null || addgroup --quiet --system "$group"
  adduser --quiet --system --ingroup "$group" --no-create-home --home /var/lib/libvirt --disabled-login --disabled-password libvirt-qemu
fi
