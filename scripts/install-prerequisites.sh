#!/usr/bin/env bash
# Installs the Debian packages Pmem's tests and benchmarks use (run as root; idempotent).
#   qemu-user-static + arm64 cross libraries: run the linux-arm64 test build under emulation;
#   binutils(-aarch64-linux-gnu): disassemble the runtime's machine code in tests;
#   nbdkit, libnbd-bin, qemu-utils, fio: real NBD peers and clients for interop tests and benchmarks;
#   libpmem1/libpmem-dev: PMDK, the peer of the primitives benchmarks; python3-matplotlib: plots;
#   linux-image-amd64 qemu-system-x86 busybox-static dmsetup kmod cpio xz-utils zstd nbd-client e2fsprogs: the kernel
#   VM of tests/kernel-vm (the real dm-writecache and the kernel's NBD client, for tests/Pmem.Kernel.Tests).
set -euo pipefail
packages=(qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross
          binutils binutils-aarch64-linux-gnu nbdkit libnbd-bin qemu-utils fio libpmem1 libpmem-dev
          python3-matplotlib strace
          linux-image-amd64 qemu-system-x86 busybox-static dmsetup kmod cpio xz-utils zstd nbd-client e2fsprogs)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi

# The .NET runtime loads OpenSSL for hashing (the xunit runner uses it). The arm64 cross sysroot has none, and
# installing libssl3:arm64 through multiarch would also install an arm64 libc that shadows the cross one under
# qemu -L. So take the two libraries out of the package and put them into the sysroot.
sysroot=/usr/aarch64-linux-gnu/lib
if [ ! -e "$sysroot/libssl.so.3" ]; then
    work=$(mktemp -d)
    chmod 755 "$work" # apt-get download drops privileges to _apt
    dpkg --add-architecture arm64
    apt-get update -qq
    (cd "$work" && apt-get download -qq libssl3:arm64)
    dpkg --remove-architecture arm64
    apt-get update -qq
    dpkg-deb -x "$work"/libssl3_*_arm64.deb "$work/x"
    cp "$work"/x/usr/lib/aarch64-linux-gnu/libssl.so.3 "$work"/x/usr/lib/aarch64-linux-gnu/libcrypto.so.3 "$sysroot/"
    rm -rf "$work"
fi
