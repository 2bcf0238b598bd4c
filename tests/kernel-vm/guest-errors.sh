# Guest half of the error-text test (ErrorTextTests): functions the host's case lines call, in order.
#   try NAME TABLE     dmsetup create with TABLE; prints "@CREATED NAME <table>|<status>" or "@REFUSED NAME rc",
#                      then "@DMESG NAME <line>" for each kernel log line since the last case
#   msg NAME WORDS...  dmsetup message to the device "wc"; "@RC NAME rc", then its dmesg lines and dmsetup's error line
#                      (which names the errno) as "@DMESG NAME <line>"
dmesg -c > /dev/null
log_since() { dmesg -c | sed "s/^\[[ 0-9.]*\] /@DMESG $1 /"; }
try() {
    if dmsetup create wc --table "$2" 2> /dev/null; then
        echo "@CREATED $1 $(dmsetup table wc)|$(dmsetup status wc)"
        dmsetup remove wc
    else
        echo "@REFUSED $1 $?"
    fi
    log_since "$1"
}
msg() {
    name=$1; shift
    dmsetup message wc 0 "$@" 2> /tmp/err
    echo "@RC $name $?"
    log_since "$name"
    sed "s/^/@DMESG $name /" /tmp/err
}
