#!/bin/bash
# Boots the host's Debian kernel in QEMU with the initramfs of build-initramfs.sh, runs GUEST-SCRIPT in it as
# /guest.sh and prints the serial console on stdout; the guest powers off at the end.
#
# usage: boot.sh BUILD-DIR [--disk FILE]... [--pmem FILE] [--nbd SOCKET] [--timeout SECONDS] GUEST-SCRIPT
#   BUILD-DIR     where build-initramfs.sh put (or is to put) vmlinuz and initramfs.cpio.gz
#   --disk FILE   a raw virtio disk: /dev/vda, /dev/vdb, ... in order
#   --pmem FILE   an emulated NVDIMM backed by FILE (shared: guest stores land in FILE): /dev/pmem0, made DAX-capable
#                 by /bin/pmem-fsdax, starting at file offset 2 MiB
#   --nbd SOCKET  eth0 on user networking restricted to forwarded peers: the first --nbd is TCP 10.0.2.100:10809,
#                 the second 10.0.2.101:10809, ..., each forwarded to its host Unix socket (QEMU connects once, when it
#                 starts: the server must be listening; one connection each)
#   --timeout S   kill QEMU after S seconds (default 300)
# Accelerator: TCG unless KERNEL_VM_ACCEL=kvm (this project's CI hosts have kvm_pvm, which cannot run a stock kernel).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: boot.sh BUILD-DIR [options] GUEST-SCRIPT}; shift
DISKS=() SOCKETS=() PMEM="" TIMEOUT=300
while [ $# -gt 1 ]; do
    case "$1" in
        --disk) DISKS+=("$2"); shift 2 ;;
        --pmem) PMEM=$2; shift 2 ;;
        --nbd) SOCKETS+=("$2"); shift 2 ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        *) echo "boot.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ $# -eq 1 ] || { sed -n '5,14p' "$0" >&2; exit 2; }
command -v qemu-system-x86_64 > /dev/null || { echo "boot.sh: qemu-system-x86_64 missing: apt-get install qemu-system-x86" >&2; exit 2; }
kver=$(ls /lib/modules 2>/dev/null | sort -V | tail -n 1)
if [ ! -f "$BUILD/initramfs.cpio.gz" ] || [ "$(cat "$BUILD/kver" 2>/dev/null)" != "$kver" ] ||
   [ -n "$(find "$HERE" -newer "$BUILD/initramfs.cpio.gz" -name 'init' -o -newer "$BUILD/initramfs.cpio.gz" -name 'pmem-fsdax' -o -newer "$BUILD/initramfs.cpio.gz" -name 'build-initramfs.sh')" ]; then
    # Built once per kernel (and again when the initramfs sources change); concurrent test runs share the lock.
    mkdir -p "$BUILD"
    flock "$BUILD/.lock" "$HERE/build-initramfs.sh" "$BUILD" >&2
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/root"
cp "$1" "$WORK/root/guest.sh"
expected=()
letter=({a..z})
for i in "${!DISKS[@]}"; do expected+=("/dev/vd${letter[$i]}"); done
[ -n "$PMEM" ] && expected+=(/dev/pmem0)
[ ${#SOCKETS[@]} -gt 0 ] && expected+=(/sys/class/net/eth0)
printf '%s\n' "${expected[@]}" > "$WORK/root/expected-devices"
(cd "$WORK/root" && printf 'guest.sh\nexpected-devices\n' | cpio -o -H newc --quiet | gzip) > "$WORK/guest.cpio.gz"
cat "$BUILD/initramfs.cpio.gz" "$WORK/guest.cpio.gz" > "$WORK/initrd"
case "${KERNEL_VM_ACCEL:-tcg}" in
    kvm) ARGS=(-enable-kvm -cpu host) ;;
    *) ARGS=(-accel tcg) ;;
esac
ARGS+=(-nographic -no-reboot -smp 1 -nodefaults -serial stdio -kernel "$BUILD/vmlinuz" -initrd "$WORK/initrd")
if [ -n "$PMEM" ]; then
    ARGS+=(-machine pc,nvdimm=on -m 1G,slots=2,maxmem=4G
           -object memory-backend-file,id=mem1,share=on,mem-path="$PMEM",size="$(stat -c %s "$PMEM")"
           -device nvdimm,memdev=mem1,id=nv1)
else
    ARGS+=(-machine pc -m 1G)
fi
# discard=unmap: a discard punches a hole in the file (reads zeros), as a discard of a file origin does on the host
for disk in "${DISKS[@]}"; do ARGS+=(-drive file="$disk",format=raw,if=virtio,cache=writethrough,discard=unmap); done
if [ ${#SOCKETS[@]} -gt 0 ]; then
    netdev=user,id=n0,restrict=on
    for i in "${!SOCKETS[@]}"; do
        [ -S "${SOCKETS[$i]}" ] || { echo "boot.sh: ${SOCKETS[$i]} is not a Unix socket" >&2; exit 2; }
        # reconnect=1: a server that drops the idle connection (its handshake timeout) is reconnected a second later,
        # so a slow boot still meets a fresh connection when the guest's nbd-client comes
        ARGS+=(-chardev socket,id=nbd$i,path="${SOCKETS[$i]//,/,,}",reconnect=1)
        netdev+=",guestfwd=tcp:10.0.2.$((100 + i)):10809-chardev:nbd$i"
    done
    ARGS+=(-netdev "$netdev" -device virtio-net-pci,netdev=n0,romfile=)
fi
ARGS+=(-append "console=ttyS0 panic=-1 loglevel=4")
# The console's input is this script's: a host may answer a guest that waits for it (read from /dev/console).
timeout "$TIMEOUT" qemu-system-x86_64 "${ARGS[@]}" 2>&1 | stdbuf -oL tr -d '\r'
