# SPDX-License-Identifier: GPL-2.0
# Guest side of the chain test (run by the module harness's /init as pw.suite=chain):
# network + the host's root over 9p, then the host's own node runs the agent (kernel
# backend) in a chroot. The host drives it over the serial console, one word a line:
#   restart   drain the agent and start it again (same state dir)
#   status    print /proc/physwatch as @@STATUS lines
#   quit      stop the agent and power off
#   writer    load the hunt test's kernel writer; print @@WRITER paddr=0x… value=0x…
#   write V   the writer stores V (its pw_chain_writer_store(), from this shell's task)
# With pw.kdump=1 (the kdump test) the crash kernel is loaded before the agent starts, the
# agent's state dir and crash dir live on the writable 9p export "persist" (they outlive
# a crash), and two more commands exist:
#   policy allow|deny   rewrite the agent's kdump.allowCrash and restart it
#   crash               echo c > /proc/sysrq-trigger (the guest itself, no agent involved)
#   freeze              SIGSTOP the agent: the module keeps running, nothing reads its
#                       events (a hit can then reach the orchestrator only from a vmcore)
arg() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" /proc/cmdline; }
GRPC=$(arg pw.grpc)
HOSTID=$(arg pw.host)
NODE=$(arg pw.node)
KO=$(arg pw.ko)
AGENT=$(arg pw.agent)
KDUMP=$(arg pw.kdump)
ENROLL=$(arg pw.enroll)
CA=$(arg pw.ca)
TOKEN=$(arg pw.token)
echo "@@BOOT $(cat /proc/sys/kernel/random/boot_id)"

for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover \
	net_failover virtio_net 9pnet 9pnet_virtio netfs fscache 9p; do
	[ -e /chainmods/$m.ko ] && insmod /chainmods/$m.ko 2>/dev/null
done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
H=/host
mkdir -p $H
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot $H || { echo "@@CHAIN-ERROR 9p mount failed"; exit 1; }
mount -t proc proc $H/proc
mount -t sysfs sysfs $H/sys
mount -t devtmpfs devtmpfs $H/dev
# The agent's writable scratch is a tmpfs over a host directory that must not hide the
# checkout (CI may clone under /tmp): the first of these that is not above the agent.
for SCRATCH in /run /tmp /mnt; do
	case "$AGENT" in "$SCRATCH"/*) continue ;; esac
	break
done
mount -t tmpfs tmpfs $H$SCRATCH
STATE=$SCRATCH/agent-state
if [ "$KDUMP" = 1 ]; then
	mkdir -p $H$SCRATCH/persist
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 persist $H$SCRATCH/persist ||
		{ echo "@@CHAIN-ERROR persistent 9p mount failed"; exit 1; }
	STATE=$SCRATCH/persist/state
	echo "@@PERSIST $SCRATCH/persist"
	mkdir -p $H$SCRATCH/persist/crash
	# The crash kernel boots the harness's plain image plus this layer (9p modules and
	# its suite): appended as one more cpio archive, which the kernel unpacks over it.
	cp /crash-initrd.gz /tmp/crash-initrd.gz
	(cd / && find chainmods suites | cpio -o -H newc 2>/dev/null) | gzip -1 >>/tmp/crash-initrd.gz
	kexec -p /vmlinuz --initrd=/tmp/crash-initrd.gz \
		--append="console=ttyS0 quiet panic=-1 irqpoll nr_cpus=1 reset_devices nokaslr pw.suite=chainkdump"
	echo "@@KEXEC-LOADED $(cat /sys/kernel/kexec_crash_loaded)"
fi
mkdir -p $H$STATE
write_config() { # allowCrash: true|false (kdump test only)
	local kdump=
	[ "$KDUMP" = 1 ] && kdump=",\"kdump\":{\"allowCrash\":$1,\"crashDir\":\"$SCRATCH/persist/crash\"}"
	cat >$H$SCRATCH/agent.json <<JSON
{"server":"10.0.2.2:$GRPC","hostId":"$HOSTID","stateDir":"$STATE","heartbeatIntervalMs":1000,
 "tls":{"ca":"$CA","serverName":"localhost"},"enrollment":{"server":"10.0.2.2:$ENROLL","token":"$TOKEN"},
 "reconnect":{"initialMs":100,"maxMs":1000},"batch":{"maxHits":500,"maxDelayMs":5},
 "backend":{"kind":"kernel","modulePath":"$KO","readIntervalMs":2}$kdump}
JSON
}
write_config false

start_agent() {
	chroot $H $NODE $AGENT --config $SCRATCH/agent.json </dev/null &
	AGENT_PID=$!
	echo "@@AGENT-STARTED $AGENT_PID"
}
stop_agent() {
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	echo "@@AGENT-STOPPED $?"
}

start_agent
echo "@@CHAIN-READY"
while read -r cmd; do
	case "$cmd" in
	restart) stop_agent; start_agent ;;
	status) sed 's/^/@@STATUS /' /proc/physwatch; echo "@@STATUS-END" ;;
	"policy allow") stop_agent; write_config true; start_agent ;;
	"policy deny") stop_agent; write_config false; start_agent ;;
	crash) echo c >/proc/sysrq-trigger ;;
	freeze) kill -STOP "$AGENT_PID" && echo "@@AGENT-FROZEN $AGENT_PID" ;;
	writer) insmod /pw_chain_writer.ko && echo "@@WRITER $(cat /proc/pw_chain_writer)" ;;
	"write "*) echo "${cmd#write }" >/proc/pw_chain_writer && echo "@@WROTE ${cmd#write }" ;;
	quit) stop_agent; break ;;
	esac
done
