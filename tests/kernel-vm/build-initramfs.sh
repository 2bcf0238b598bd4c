#!/bin/bash
# Builds the VM's boot files for the newest Debian kernel installed on this host, into $1:
#   vmlinuz             a copy of /boot/vmlinuz-KVER
#   kver                KVER
#   initramfs.cpio.gz   busybox-static, dmsetup and the modules of dm-writecache, the emulated NVDIMM, virtio
#                       disks and net, nbd and ext4; nbd-client, mke2fs and e2fsck with their libraries; /init
# The tests append one more archive holding /guest.sh (boot.sh does). Packages: scripts/install-prerequisites.sh.
set -euo pipefail
OUT=${1:?usage: build-initramfs.sh OUTPUT-DIR}
KVER=$(ls /lib/modules 2>/dev/null | sort -V | tail -n 1)
[ -n "$KVER" ] && [ -e "/boot/vmlinuz-$KVER" ] || { echo "no kernel in /boot and /lib/modules: apt-get install linux-image-amd64" >&2; exit 1; }
for f in /usr/bin/busybox /sbin/dmsetup /usr/sbin/nbd-client /usr/sbin/mke2fs /usr/sbin/e2fsck; do
    [ -e "$f" ] || { echo "missing $f: run scripts/install-prerequisites.sh" >&2; exit 1; }
done
mkdir -p "$OUT"
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,lib/modules}
cp /usr/bin/busybox "$ROOT/bin/busybox"
for applet in $("$ROOT/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"
done
# A binary into /sbin with the shared libraries it loads.
copy_binary() {
    cp -L "$1" "$ROOT/sbin/$2"
    for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
        [ -e "$ROOT$lib" ] || { mkdir -p "$ROOT$(dirname "$lib")"; cp -L "$lib" "$ROOT$lib"; }
    done
}
copy_binary /sbin/dmsetup dmsetup
# GNU dd: oflag=dsync (FUA writes), which busybox dd lacks
copy_binary /bin/dd gnu-dd
copy_binary /usr/sbin/nbd-client nbd-client
copy_binary /usr/sbin/mke2fs mke2fs
ln -s mke2fs "$ROOT/sbin/mkfs.ext4"
copy_binary /usr/sbin/e2fsck e2fsck
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$ROOT/etc/"
# Modules with their dependencies, dependencies first, decompressed. crc32c-intel is left out: it needs SSE4.2,
# which TCG's default CPU lacks (crc32c_generic serves ext4).
: > "$ROOT/lib/modules/load-order"
for module in virtio_pci virtio_blk virtio_net dm-mod dm-writecache nfit nd_pmem nbd ext4; do
    for ko in $(modprobe --show-depends -S "$KVER" "$module" | awk '$1 == "insmod" { print $2 }'); do
        name=$(basename "$ko"); name=${name%.xz}; name=${name%.zst}
        [ "$name" = crc32c-intel.ko ] && continue
        grep -qx "$name" "$ROOT/lib/modules/load-order" && continue
        case "$ko" in
            *.xz) xz -dc "$ko" > "$ROOT/lib/modules/$name" ;;
            *.zst) zstd -dc "$ko" > "$ROOT/lib/modules/$name" ;;
            *) cp "$ko" "$ROOT/lib/modules/$name" ;;
        esac
        echo "$name" >> "$ROOT/lib/modules/load-order"
    done
done
cp "$(dirname "$0")/init" "$(dirname "$0")/pmem-fsdax" "$ROOT/"
mv "$ROOT/pmem-fsdax" "$ROOT/bin/"
chmod +x "$ROOT/init" "$ROOT/bin/pmem-fsdax"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -9) > "$OUT/initramfs.cpio.gz"
cp "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
echo "$KVER" > "$OUT/kver"
echo "built $OUT/initramfs.cpio.gz for $KVER" >&2
