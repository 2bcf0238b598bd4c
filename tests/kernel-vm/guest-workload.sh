# Functions the differential suite's generated guest scripts call (DifferentialTests). The host prepends
# ORIGIN_SECTORS and CACHE_SECTORS (one workload's slice) and appends the calls. Workload K runs on /dev/mapper/wcK,
# a writecache over slice K of /dev/vdb (the origins) and slice K of /dev/vdc (ssd caches) or of /dev/pmem0 (pmem
# caches); /dev/vda is the payload the writes copy from. Every failure prints "@FAIL K what".
fail() { echo "@FAIL $*"; }
# slices K MODE: the linear devices oK and cK
slices() {
    dmsetup create o$1 --table "0 $ORIGIN_SECTORS linear /dev/vdb $(($1 * ORIGIN_SECTORS))" || fail $1 "linear origin"
    if [ "$2" = p ]; then cache=/dev/pmem0; else cache=/dev/vdc; fi
    dmsetup create c$1 --table "0 $CACHE_SECTORS linear $cache $(($1 * CACHE_SECTORS))" || fail $1 "linear cache"
}
# create K TABLE (without "0 SECTORS writecache")
create() {
    dmsetup create wc$1 --table "0 $ORIGIN_SECTORS writecache $2" 2> /tmp/err || { fail $1 "create: $(cat /tmp/err) $(dmesg | tail -n 2)"; }
}
# wr K OFFSET LENGTH SOURCE [dsync]: one O_DIRECT write (with O_DSYNC: FUA) of LENGTH bytes of the payload
wr() {
    gnu-dd if=/dev/vda of=/dev/mapper/wc$1 bs=$3 count=1 iflag=skip_bytes skip=$4 oflag=seek_bytes,direct${5:+,$5} seek=$2 conv=notrunc status=none || fail $1 "write $2 $3"
}
rd() { gnu-dd if=/dev/mapper/wc$1 of=/dev/null bs=$3 count=1 iflag=skip_bytes,direct skip=$2 status=none || fail $1 "read $2 $3"; }
fl() { dd if=/dev/null of=/dev/mapper/wc$1 count=0 conv=fsync,notrunc 2> /dev/null || fail $1 "flush"; }
dc() { blkdiscard -o $2 -l $3 /dev/mapper/wc$1 || fail $1 "discard $2 $3"; }
msg() { k=$1; shift; dmsetup message wc$k 0 "$@" || fail $k "message $*"; }
sr() { dmsetup suspend wc$1 && dmsetup resume wc$1 || fail $1 "suspend/resume"; }
# rl K TABLE: suspend, load the new table, resume
rl() { dmsetup suspend wc$1 && dmsetup reload wc$1 --table "0 $ORIGIN_SECTORS writecache $2" && dmsetup resume wc$1 || fail $1 "reload $2"; }
# ck K PHASE BLOCKSIZE: status, table, hash of the device read one block at a time (O_DIRECT), then clear_stats
ck() {
    echo "@STATUS $1 $2 $(dmsetup status wc$1)"
    echo "@TABLE $1 $2 $(dmsetup table wc$1)"
    echo "@HASH $1 $2 $(dd if=/dev/mapper/wc$1 bs=$3 iflag=direct 2> /dev/null | sha256sum | cut -d' ' -f1)"
    dmsetup message wc$1 0 clear_stats || fail $1 "clear_stats"
}
fin() { dmsetup remove wc$1 || fail $1 "remove"; }
