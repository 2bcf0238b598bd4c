# Guest half of the file-system test (FileSystemOnNbdTests). The host prepends PHASE=write|verify, DEVICES (one
# "name" per served cache, connected in order to 10.0.2.100, .101, ... port 10809) and, for verify, EXPECTED:
# "device file md5" lines from the write phase.
#   write:  per device: nbd-client, mkfs.ext4, mount, 6 files of 1-3 MiB, sync; then "@KILL-NOW", wait for the host's
#           answer on the console (it SIGKILLs the servers first), and power off without unmounting or syncing.
#   verify: per device: nbd-client, mount (replays the journal), umount, e2fsck -fn, mount -o ro, every md5.
# Every check prints one @-line; the last line is "@RESULT ok" or "@RESULT fail <what failed>".
FAILS=""
fail() { FAILS="$FAILS; $*"; echo "@FAIL $*"; }
finish() {
    dmesg | grep -iE 'nbd|ext4|jbd2|I/O error|blk_update' | sed 's/^/@DMESG /'
    if [ -z "$FAILS" ]; then echo "@RESULT ok"; else echo "@RESULT fail ${FAILS#; }"; fi
}
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up || { fail "network setup"; finish; exit 1; }
n=0
for name in $DEVICES; do
    # newstyle negotiation of the default export, 4 KiB blocks, 30 s request timeout
    # bounded: a connection the server already dropped would leave nbd-client waiting for its reply forever
    if timeout 120 nbd-client 10.0.2.$((100 + n)) /dev/nbd$n -b 4096 -t 30 > /tmp/nbd-client.log 2>&1; then
        echo "@CONNECTED $name /dev/nbd$n $(blockdev --getsize64 /dev/nbd$n) bytes"
    else
        sed "s/^/@NBD-CLIENT $name /" /tmp/nbd-client.log; fail "$name: nbd-client could not connect"
    fi
    n=$((n + 1))
done
[ -z "$FAILS" ] || { finish; exit 1; }
md5() { md5sum "$1" | cut -d' ' -f1; }
n=0
for name in $DEVICES; do
    dev=/dev/nbd$n mnt=/mnt/$name
    mkdir -p $mnt
    if [ "$PHASE" = write ]; then
        mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 $dev > /tmp/mkfs.log 2>&1 ||
            { sed "s/^/@MKFS $name /" /tmp/mkfs.log; fail "$name: mkfs.ext4"; }
        mount -t ext4 $dev $mnt || fail "$name: mount after mkfs"
        i=0
        while [ $i -lt 6 ]; do
            dd if=/dev/urandom of=$mnt/file$i bs=4096 count=$((256 * (i % 3 + 1))) 2> /dev/null || fail "$name: write file$i"
            i=$((i + 1))
        done
        sync
        # after sync: what the page cache still holds is dropped, so each md5 reads what the server has
        echo 3 > /proc/sys/vm/drop_caches
        for f in $mnt/file*; do echo "@MD5 $name $(basename $f) $(md5 $f)"; done
    else
        mount -t ext4 $dev $mnt && umount $mnt || fail "$name: mount to replay the journal"
        e2fsck -fn $dev > /tmp/fsck.log 2>&1; rc=$?
        sed "s/^/@FSCK $name /" /tmp/fsck.log
        echo "@FSCK-RC $name $rc"
        [ $rc -eq 0 ] || fail "$name: e2fsck -fn exited with $rc"
        if mount -t ext4 -o ro $dev $mnt; then
            checked=0
            echo "$EXPECTED" | while read -r device file sum; do
                [ "$device" = "$name" ] || continue
                got=$(md5 $mnt/$file 2> /dev/null)
                echo "@CHECK $name $file $([ "$got" = "$sum" ] && echo ok || echo "BAD want=$sum got=${got:-missing}")"
            done
            umount $mnt
        else
            fail "$name: mount -o ro"
        fi
    fi
    n=$((n + 1))
done
if [ "$PHASE" = write ]; then
    finish
    echo "@KILL-NOW"
    # The host SIGKILLs the servers while the file systems are mounted, and answers on the console once they are gone.
    read -r -t 300 reply
    echo "@HOST-REPLIED ${reply:-nothing}"
    echo "=== GUEST-RC 0 (power cut: no umount, no sync)"
    poweroff -n -f
else
    finish
fi
