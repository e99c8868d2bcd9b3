#!/usr/bin/env bash
# The local test cluster: a single-node SLURM 22.05 (slurmctld + slurmd as root),
# munged, and an sshd on 127.0.0.1:12222, all configured under one fixed
# directory (/tmp/swarmctl-cluster) that the fixture config refers to.
#
#   scripts/test-cluster.sh up          install what is missing, start what is not running
#   scripts/test-cluster.sh down        cancel jobs, stop every daemon this script started
#   scripts/test-cluster.sh status      print each component; exit 1 if any is down
#   scripts/test-cluster.sh stop-ctld   kill slurmctld only (simulates a controller outage)
#   scripts/test-cluster.sh start-ctld  start slurmctld again from the same state
#   scripts/test-cluster.sh install     only install the apt packages that are missing
#   scripts/test-cluster.sh env         print the env file (KEY=value lines)
#   scripts/test-cluster.sh hosts-up    only the extra hosts (network namespaces h1..h3, each with its
#                                       own sshd) and the sshfs mount; `up` calls it; leaves SLURM/sshd alone
#   scripts/test-cluster.sh hosts-down  stop the extra hosts and unmount the sshfs mount only
#   scripts/test-cluster.sh hosts-exec H ARGV...  run ARGV inside host H (its network and hostname)
#
# Runs as root on Debian 12. Progress goes to stderr. Idempotent: `up` on a running
# cluster checks each daemon (pid file + liveness) and starts only what is missing.
set -euo pipefail

# Daemons live in /usr/sbin, which a non-login root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

readonly DIR=/tmp/swarmctl-cluster
readonly SLURM_DIR="$DIR/slurm"
readonly SSH_DIR="$DIR/ssh"
readonly SHARED_DIR="$DIR/shared"
readonly ENV_FILE="$DIR/env"

readonly SLURM_CONF_FILE="$SLURM_DIR/slurm.conf"
readonly SLURM_STATE="$SLURM_DIR/state"
readonly SLURM_SPOOL="$SLURM_DIR/spool"
readonly SLURM_LOGS="$SLURM_DIR/log"
readonly SLURM_RUN="$SLURM_DIR/run"
readonly CTLD_PID="$SLURM_RUN/slurmctld.pid"
readonly SLURMD_PID="$SLURM_RUN/slurmd.pid"
readonly CTLD_LOG="$SLURM_LOGS/slurmctld.log"
readonly SLURMD_LOG="$SLURM_LOGS/slurmd.log"
readonly CTLD_PORT=16817
readonly SLURMD_PORT=16818
readonly PARTITION=debug

readonly SSH_PORT=12222
readonly SSH_HOST_KEY="$SSH_DIR/ssh_host_ed25519_key"
readonly SSH_CLIENT_KEY="$SSH_DIR/id_ed25519"
readonly SSH_AUTH_KEYS="$SSH_DIR/authorized_keys"
readonly SSH_KNOWN_HOSTS="$SSH_DIR/known_hosts"
readonly SSHD_CONFIG="$SSH_DIR/sshd_config"
readonly SSHD_PID="$SSH_DIR/sshd.pid"
readonly SSHD_LOG="$SSH_DIR/sshd.log"

readonly MUNGE_KEY=/etc/munge/munge.key
readonly MUNGE_RUN=/run/munge
readonly MUNGE_PID="$MUNGE_RUN/munged.pid"
readonly MUNGE_LOG=/var/log/munge/munged.log
# Present when this script started munged, so `down` stops only what it started.
readonly MUNGE_MARK="$DIR/munged.started-by-test-cluster"

# The extra hosts: one network namespace each (swarmctl-h1..), a veth into one
# bridge, HOSTS_NET.1X/24, its own hostname (a persisted UTS namespace) and its own
# sshd on port 22 (own host key, the client key above authorized).
readonly HOSTS=(h1 h2 h3)
readonly HOSTS_DIR="$DIR/hosts"
readonly HOSTS_UTS_DIR=/run/swarmctl-hosts
readonly HOSTS_BRIDGE=swarmctl-br0
readonly HOSTS_NET=10.77.0
readonly HOSTS_KNOWN_HOSTS="$HOSTS_DIR/known_hosts"
# A real network filesystem (fuse.sshfs through the test sshd) for the state-path checks.
readonly NETFS_EXPORT="$DIR/netfs-export"
readonly NETFS_MOUNT="$DIR/netfs"

readonly APT_PACKAGES=(slurmctld slurmd slurm-client munge openssh-server openssh-client tmux procps iproute2 shellcheck sshfs)

NODE="$(hostname -s)"
readonly NODE

export SLURM_CONF="$SLURM_CONF_FILE"

log() { printf 'test-cluster: %s\n' "$*" >&2; }

# Print the last lines of each named log file to stderr.
tail_logs() {
  local f
  for f in "$@"; do
    if [[ -f "$f" ]]; then
      printf -- '----- last lines of %s -----\n' "$f" >&2
      tail -n 25 "$f" >&2 || true
    else
      printf -- '----- %s does not exist -----\n' "$f" >&2
    fi
  done
}

die() {
  printf 'test-cluster: FAILED: %s\n' "$1" >&2
  shift
  if (($# > 0)); then tail_logs "$@"; fi
  exit 1
}

require_root() {
  if [[ "$(id -u)" != 0 ]]; then
    die "must run as root (slurmd, munged and sshd are started as system daemons)"
  fi
}

# ---------------------------------------------------------------- packages

pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

install_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
  done
  # Binaries the script needs, whatever the package database says.
  local c
  for c in slurmctld slurmd sbatch squeue scontrol sinfo munged munge unmunge sshd ssh ssh-keygen tmux pgrep ip sshfs nsenter unshare; do
    if ! command -v "$c" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$c" ]]; then
      missing+=("(binary $c)")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "packages: all present"
    return 0
  fi
  log "packages: missing ${missing[*]}; installing with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update || die "apt-get update failed"
  apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}" || die "apt-get install failed"
  # Debian's postinst may start the packaged services with the default
  # /etc/slurm config; this cluster uses its own, so those are not used.
}

# ---------------------------------------------------------------- helpers

# pid_alive PIDFILE [COMM]: the pid file names a live process (whose command
# name is COMM, when given, so a recycled pid does not count).
pid_alive() {
  local file="$1" comm="${2:-}" pid
  [[ -s "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # A killed daemon can linger as a zombie until reaped; that is not alive.
  [[ "$(ps -o stat= -p "$pid" 2>/dev/null || true)" != Z* ]] || return 1
  if [[ -n "$comm" ]]; then
    [[ "$(ps -o comm= -p "$pid" 2>/dev/null || true)" == "$comm" ]] || return 1
  fi
  return 0
}

pid_of() { tr -dc '0-9' <"$1"; }

# stop_pidfile NAME PIDFILE COMM: SIGTERM, wait up to 15 s, then SIGKILL.
stop_pidfile() {
  local name="$1" file="$2" comm="$3" pid i
  if ! pid_alive "$file" "$comm"; then
    log "$name: not running"
    rm -f "$file"
    return 0
  fi
  pid="$(pid_of "$file")"
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after 15 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$file"
}

mem_mb() {
  local kb
  kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
  # a bit under MemTotal: 95 %, minus 256 MB for the daemons, at least 256
  local mb=$((kb * 95 / 102400 - 256))
  ((mb < 256)) && mb=256
  echo "$mb"
}

# ---------------------------------------------------------------- files

make_dirs() {
  mkdir -p "$SLURM_STATE" "$SLURM_SPOOL" "$SLURM_LOGS" "$SLURM_RUN" "$SSH_DIR" \
    "$SHARED_DIR/ai/endpoints" "$SHARED_DIR/ai/logs" "$SHARED_DIR/wt" \
    "$SHARED_DIR/code/repo" "$SHARED_DIR/archive"
  chmod 0755 "$DIR"
  chmod 0700 "$SSH_DIR"
  # Jobs may run as any user in tests; the share is writable like an NFS scratch.
  chmod 1777 "$SHARED_DIR/ai/endpoints" "$SHARED_DIR/ai/logs" "$SHARED_DIR/wt" "$SHARED_DIR/archive"
}

# Set by write_slurm_conf / write_ssh_files when the file's content changed, so a
# running daemon is told to re-read it (and left alone otherwise).
SLURM_CONF_CHANGED=0
SSHD_CONFIG_CHANGED=0

# replace_if_changed TMP DEST: move TMP over DEST if they differ; status 0 if replaced.
replace_if_changed() {
  if [[ -f "$2" ]] && cmp -s "$1" "$2"; then
    rm -f "$1"
    return 1
  fi
  mv -f "$1" "$2"
}

write_slurm_conf() {
  local tmp="$SLURM_CONF_FILE.tmp.$$"
  cat >"$tmp" <<EOF
# Written by scripts/test-cluster.sh; rewritten on every \`up\`.
ClusterName=swarmctl-test
SlurmctldHost=${NODE}(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
# CPUs only: with the default CR_Core_Memory a job without --mem takes the whole
# node's memory and every other job waits.
SelectTypeParameters=CR_CPU
StateSaveLocation=${SLURM_STATE}
SlurmdSpoolDir=${SLURM_SPOOL}
SlurmctldPidFile=${CTLD_PID}
SlurmdPidFile=${SLURMD_PID}
SlurmctldLogFile=${CTLD_LOG}
SlurmdLogFile=${SLURMD_LOG}
SlurmctldDebug=info
SlurmdDebug=info
MinJobAge=300
ReturnToService=2
KillWait=5
InactiveLimit=0
SlurmctldTimeout=120
SlurmdTimeout=300
MailProg=/bin/true
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(mem_mb) State=UNKNOWN
# OverSubscribe lets parallel test files each run a few jobs on this small node.
PartitionName=${PARTITION} Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
EOF
  if replace_if_changed "$tmp" "$SLURM_CONF_FILE"; then SLURM_CONF_CHANGED=1; fi
}

# write_sshd_config FILE NOTE PORT ADDRESS HOSTKEY PIDFILE: a test sshd's config (root by
# key only, no PAM, many parallel sessions) into FILE; status 0 if FILE changed.
# The loopback sshd (`up`) and each host's (`hosts-up`) differ only in these arguments.
write_sshd_config() {
  local file="$1" note="$2" port="$3" addr="$4" hostkey="$5" pidfile="$6"
  local tmp="$file.tmp.$$"
  cat >"$tmp" <<EOF
# Written by scripts/test-cluster.sh${note}.
Port ${port}
ListenAddress ${addr}
HostKey ${hostkey}
AuthorizedKeysFile ${SSH_AUTH_KEYS}
PidFile ${pidfile}
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
PrintMotd no
LogLevel VERBOSE
# Parallel tests open many connections and ControlMaster sessions at once.
MaxStartups 200:30:400
MaxSessions 100
# Remote slurm commands (squeue over ssh) find this cluster's config.
SetEnv SLURM_CONF=${SLURM_CONF_FILE}
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  replace_if_changed "$tmp" "$file"
}

write_ssh_files() {
  if [[ ! -s "$SSH_HOST_KEY" ]]; then
    log "sshd: generating host key"
    ssh-keygen -q -t ed25519 -N '' -C "swarmctl-test-host" -f "$SSH_HOST_KEY"
  fi
  if [[ ! -s "$SSH_CLIENT_KEY" ]]; then
    log "ssh: generating client key $SSH_CLIENT_KEY"
    ssh-keygen -q -t ed25519 -N '' -C "swarmctl-test-client" -f "$SSH_CLIENT_KEY"
  fi
  chmod 0600 "$SSH_HOST_KEY" "$SSH_CLIENT_KEY"
  cp "$SSH_CLIENT_KEY.pub" "$SSH_AUTH_KEYS"
  chmod 0600 "$SSH_AUTH_KEYS"
  local hostkey
  hostkey="$(cut -d' ' -f1,2 "$SSH_HOST_KEY.pub")"
  printf '[127.0.0.1]:%s %s\n[localhost]:%s %s\n' "$SSH_PORT" "$hostkey" "$SSH_PORT" "$hostkey" >"$SSH_KNOWN_HOSTS"
  if write_sshd_config "$SSHD_CONFIG" "; rewritten on every \`up\`" "$SSH_PORT" 127.0.0.1 "$SSH_HOST_KEY" "$SSHD_PID"; then SSHD_CONFIG_CHANGED=1; fi
}

write_env() {
  local tmp="$ENV_FILE.tmp.$$"
  cat >"$tmp" <<EOF
SWARMCTL_TEST_DIR=${DIR}
SLURM_CONF=${SLURM_CONF_FILE}
SWARMCTL_TEST_NODE=${NODE}
SWARMCTL_TEST_PARTITION=${PARTITION}
SWARMCTL_TEST_SLURMCTLD_PORT=${CTLD_PORT}
SWARMCTL_TEST_SLURMD_PORT=${SLURMD_PORT}
SWARMCTL_TEST_SSH_HOST=127.0.0.1
SWARMCTL_TEST_SSH_USER=root
SWARMCTL_TEST_SSH_PORT=${SSH_PORT}
SWARMCTL_TEST_SSH_KEY=${SSH_CLIENT_KEY}
SWARMCTL_TEST_KNOWN_HOSTS=${SSH_KNOWN_HOSTS}
SWARMCTL_TEST_SHARED=${SHARED_DIR}
SWARMCTL_TEST_HOSTS="${HOSTS[*]}"
SWARMCTL_TEST_HOSTS_KNOWN_HOSTS=${HOSTS_KNOWN_HOSTS}
$(for h in "${HOSTS[@]}"; do printf 'SWARMCTL_TEST_HOST_%s=%s\n' "${h^^}" "$(host_addr "$h")"; done)
SWARMCTL_TEST_NETFS=${NETFS_MOUNT}
EOF
  mv -f "$tmp" "$ENV_FILE"
  chmod 0644 "$ENV_FILE"
}

# ---------------------------------------------------------------- munge

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if munge_ok; then
    log "munge: running (credential round trip ok)"
    return 0
  fi
  if [[ ! -s "$MUNGE_KEY" ]]; then
    log "munge: creating $MUNGE_KEY"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1 || [[ -x /usr/sbin/mungekey ]]; then
      PATH="$PATH:/usr/sbin" mungekey --create --keyfile="$MUNGE_KEY" --force
    else
      dd if=/dev/urandom of="$MUNGE_KEY" bs=1 count=1024 status=none
    fi
  fi
  chown munge:munge /etc/munge "$MUNGE_KEY"
  chmod 0700 /etc/munge
  chmod 0400 "$MUNGE_KEY"
  mkdir -p "$MUNGE_RUN" /var/log/munge /var/lib/munge
  chown munge:munge "$MUNGE_RUN" /var/log/munge /var/lib/munge
  chmod 0755 "$MUNGE_RUN"
  if pid_alive "$MUNGE_PID" munged; then
    # A munged that does not answer: stop it before starting a fresh one.
    stop_pidfile munged "$MUNGE_PID" munged
  fi
  log "munge: starting munged as user munge"
  # --force: a stale socket left by a killed munged must not block the start
  # (munge_ok above proved no live munged answers on it).
  runuser -u munge -- /usr/sbin/munged --force ||
    die "munged did not start" "$MUNGE_LOG"
  : >"$MUNGE_MARK"
  local i
  for ((i = 0; i < 50; i++)); do
    munge_ok && { log "munge: ok"; return 0; }
    sleep 0.1
  done
  die "munged started but 'munge -n | unmunge' fails" "$MUNGE_LOG"
}

# ---------------------------------------------------------------- slurm

ctld_running() { pid_alive "$CTLD_PID" slurmctld; }
slurmd_running() { pid_alive "$SLURMD_PID" slurmd; }
ctld_answers() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

start_ctld() {
  if ctld_running; then
    log "slurmctld: running (pid $(pid_of "$CTLD_PID"))"
    if ((SLURM_CONF_CHANGED)) && ctld_answers; then
      log "slurm: $SLURM_CONF_FILE changed; scontrol reconfigure"
      scontrol reconfigure >&2 || log "slurm: scontrol reconfigure failed (run: bash $0 down; bash $0 up)"
    fi
  else
    rm -f "$CTLD_PID"
    log "slurmctld: starting (state $SLURM_STATE, port $CTLD_PORT)"
    # Recovers jobs from StateSaveLocation (the default without -c).
    slurmctld -f "$SLURM_CONF_FILE" || die "slurmctld failed to start" "$CTLD_LOG"
  fi
  local i
  for ((i = 0; i < 600; i++)); do
    if ctld_answers; then
      log "slurmctld: answers scontrol ping"
      return 0
    fi
    if ((i > 20)) && ! ctld_running; then
      die "slurmctld exited during start-up" "$CTLD_LOG"
    fi
    sleep 0.1
  done
  die "slurmctld did not answer 'scontrol ping' within 60 s" "$CTLD_LOG"
}

start_slurmd() {
  if slurmd_running; then
    log "slurmd: running (pid $(pid_of "$SLURMD_PID"))"
    return 0
  fi
  rm -f "$SLURMD_PID"
  log "slurmd: starting (node $NODE, port $SLURMD_PORT)"
  slurmd -f "$SLURM_CONF_FILE" || die "slurmd failed to start" "$SLURMD_LOG"
}

node_state() { sinfo -h -n "$NODE" -o '%t' 2>/dev/null | head -n1; }

wait_node_idle() {
  local i state="" resumed=0
  for ((i = 0; i < 600; i++)); do
    state="$(node_state || true)"
    case "$state" in
      idle | mix | alloc | comp)
        log "slurm: node $NODE is $state"
        return 0
        ;;
      down | drain | drng | fail | failg)
        # Responding (no '*') but down/drained, e.g. after an unclean stop.
        if ((resumed == 0)); then
          log "slurm: node $NODE is $state; resuming it"
          scontrol update nodename="$NODE" state=resume >&2 || true
          resumed=1
        fi
        ;;
    esac
    if ((i % 50 == 49)); then log "slurm: waiting for node $NODE (state '${state:-?}')"; fi
    sleep 0.1
  done
  die "node $NODE not idle after 60 s (state '${state:-none}'; $(sinfo -h -n "$NODE" -o '%t %E' 2>&1 | head -n1))" \
    "$CTLD_LOG" "$SLURMD_LOG"
}

# ---------------------------------------------------------------- sshd

sshd_running() { pid_alive "$SSHD_PID" sshd; }

ssh_ok() {
  ssh -o BatchMode=yes -o ConnectTimeout=5 -o IdentitiesOnly=yes -i "$SSH_CLIENT_KEY" \
    -o UserKnownHostsFile="$SSH_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
    -F /dev/null -p "$SSH_PORT" root@127.0.0.1 true </dev/null >/dev/null 2>&1
}

start_sshd() {
  mkdir -p /run/sshd
  chmod 0755 /run/sshd
  if sshd_running; then
    log "sshd: running (pid $(pid_of "$SSHD_PID"))"
    if ((SSHD_CONFIG_CHANGED)); then
      /usr/sbin/sshd -t -f "$SSHD_CONFIG" 2>>"$SSHD_LOG" || die "sshd config test failed" "$SSHD_LOG"
      log "sshd: config changed; SIGHUP makes it re-read $SSHD_CONFIG"
      kill -HUP "$(pid_of "$SSHD_PID")" 2>/dev/null || true
    fi
  else
    rm -f "$SSHD_PID"
    /usr/sbin/sshd -t -f "$SSHD_CONFIG" 2>>"$SSHD_LOG" || die "sshd config test failed" "$SSHD_LOG"
    log "sshd: starting on 127.0.0.1:$SSH_PORT"
    /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG" || die "sshd failed to start" "$SSHD_LOG"
  fi
  local i
  for ((i = 0; i < 100; i++)); do
    if ssh_ok; then
      log "sshd: ssh root@127.0.0.1 -p $SSH_PORT works"
      return 0
    fi
    sleep 0.2
  done
  die "ssh -p $SSH_PORT root@127.0.0.1 true fails" "$SSHD_LOG"
}

# ---------------------------------------------------------------- extra hosts

host_addr() { printf '%s.%d' "$HOSTS_NET" $((10 + ${1#h})); }
host_ns() { printf 'swarmctl-%s' "$1"; }
host_uts() { printf '%s/%s.uts' "$HOSTS_UTS_DIR" "$1"; }
host_sshd_pid() { printf '%s/%s/sshd.pid' "$HOSTS_DIR" "$1"; }

known_host() {
  local h
  for h in "${HOSTS[@]}"; do [[ "$1" == "$h" ]] && return 0; done
  return 1
}

# host_exec H ARGV...: ARGV in host H's network namespace with its hostname.
host_exec() {
  local h="$1"
  shift
  nsenter --net="/run/netns/$(host_ns "$h")" --uts="$(host_uts "$h")" -- "$@"
}

host_ssh_ok() {
  local out
  out="$(ssh -o BatchMode=yes -o ConnectTimeout=5 -o IdentitiesOnly=yes -i "$SSH_CLIENT_KEY" \
    -o UserKnownHostsFile="$HOSTS_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
    -F /dev/null root@"$(host_addr "$1")" hostname </dev/null 2>/dev/null)" || return 1
  [[ "$out" == "$(host_ns "$1")" ]]
}

host_net_up() {
  local h="$1" ns veth
  ns="$(host_ns "$h")"
  veth="sw$h"
  ip netns list | grep -qw "^$ns" || { log "$h: creating network namespace $ns"; ip netns add "$ns"; }
  if ! ip link show "$veth" >/dev/null 2>&1; then
    log "$h: veth $veth into $ns ($(host_addr "$h"))"
    ip link add "$veth" type veth peer name "${veth}p"
    ip link set "${veth}p" netns "$ns"
    ip -n "$ns" link set "${veth}p" name eth0
  fi
  ip link set "$veth" master "$HOSTS_BRIDGE" up
  ip -n "$ns" addr replace "$(host_addr "$h")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  # Its own hostname: a UTS namespace kept by a bind mount, like ip netns keeps the network one.
  mkdir -p "$HOSTS_UTS_DIR"
  if ! mountpoint -q "$(host_uts "$h")" 2>/dev/null; then
    : >"$(host_uts "$h")"
    unshare --uts="$(host_uts "$h")" hostname "$ns"
  fi
}

host_sshd_up() {
  local h="$1" d="$HOSTS_DIR/$1" cfg
  mkdir -p "$d"
  chmod 0700 "$d"
  [[ -s "$d/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C "swarmctl-test-$h" -f "$d/ssh_host_ed25519_key"
  cfg="$d/sshd_config"
  local changed=0
  if write_sshd_config "$cfg" ' hosts-up' 22 "$(host_addr "$h")" "$d/ssh_host_ed25519_key" "$(host_sshd_pid "$h")"; then changed=1; fi
  if pid_alive "$(host_sshd_pid "$h")" sshd; then
    if ((changed)); then
      log "$h: sshd config changed; SIGHUP"
      kill -HUP "$(pid_of "$(host_sshd_pid "$h")")" 2>/dev/null || true
    fi
  else
    rm -f "$(host_sshd_pid "$h")"
    /usr/sbin/sshd -t -f "$cfg" 2>>"$d/sshd.log" || die "$h: sshd config test failed" "$d/sshd.log"
    log "$h: starting sshd on $(host_addr "$h"):22"
    host_exec "$h" /usr/sbin/sshd -f "$cfg" -E "$d/sshd.log" || die "$h: sshd failed to start" "$d/sshd.log"
  fi
}

write_hosts_known_hosts() {
  local tmp="$HOSTS_KNOWN_HOSTS.tmp.$$" h
  {
    cat "$SSH_KNOWN_HOSTS"
    for h in "${HOSTS[@]}"; do
      printf '%s %s\n' "$(host_addr "$h")" "$(cut -d' ' -f1,2 "$HOSTS_DIR/$h/ssh_host_ed25519_key.pub")"
    done
  } >"$tmp"
  mv -f "$tmp" "$HOSTS_KNOWN_HOSTS"
}

netfs_up() {
  mkdir -p "$NETFS_EXPORT" "$NETFS_MOUNT"
  if [[ "$(findmnt -n -o FSTYPE --target "$NETFS_MOUNT" 2>/dev/null || true)" == fuse.sshfs ]] && ls "$NETFS_MOUNT" >/dev/null 2>&1; then
    log "netfs: $NETFS_MOUNT mounted (fuse.sshfs)"
    return 0
  fi
  # A dead mount (its sshfs gone) answers ENOTCONN: unmount it first.
  mountpoint -q "$NETFS_MOUNT" 2>/dev/null && { umount -l "$NETFS_MOUNT" || true; }
  log "netfs: sshfs root@127.0.0.1:$NETFS_EXPORT on $NETFS_MOUNT"
  sshfs -p "$SSH_PORT" -o IdentityFile="$SSH_CLIENT_KEY",IdentitiesOnly=yes,UserKnownHostsFile="$SSH_KNOWN_HOSTS",StrictHostKeyChecking=yes,BatchMode=yes,ServerAliveInterval=15 \
    root@127.0.0.1:"$NETFS_EXPORT" "$NETFS_MOUNT" || die "sshfs mount of $NETFS_MOUNT failed"
}

netfs_down() {
  if mountpoint -q "$NETFS_MOUNT" 2>/dev/null; then
    log "netfs: unmounting $NETFS_MOUNT"
    fusermount -u "$NETFS_MOUNT" 2>/dev/null || umount -l "$NETFS_MOUNT" || true
  fi
}

cmd_hosts_up() {
  require_root
  [[ -s "$SSH_AUTH_KEYS" && -s "$SSH_KNOWN_HOSTS" ]] || die "$SSH_AUTH_KEYS missing: run bash $0 up first"
  mkdir -p "$HOSTS_DIR"
  if ! ip link show "$HOSTS_BRIDGE" >/dev/null 2>&1; then
    log "hosts: bridge $HOSTS_BRIDGE ($HOSTS_NET.1/24)"
    ip link add "$HOSTS_BRIDGE" type bridge
  fi
  ip addr replace "$HOSTS_NET.1/24" dev "$HOSTS_BRIDGE"
  ip link set "$HOSTS_BRIDGE" up
  local h i
  for h in "${HOSTS[@]}"; do
    host_net_up "$h"
    host_sshd_up "$h"
  done
  write_hosts_known_hosts
  for h in "${HOSTS[@]}"; do
    for ((i = 0; i < 50; i++)); do
      host_ssh_ok "$h" && break
      sleep 0.2
    done
    host_ssh_ok "$h" || die "$h: ssh root@$(host_addr "$h") hostname does not answer $(host_ns "$h")" "$HOSTS_DIR/$h/sshd.log"
    log "$h: ssh root@$(host_addr "$h") works (hostname $(host_ns "$h"))"
  done
  netfs_up
  write_env
}

cmd_hosts_down() {
  require_root
  netfs_down
  local h ns
  local -a pids
  for h in "${HOSTS[@]}"; do
    stop_pidfile "$h sshd" "$(host_sshd_pid "$h")" sshd
    ns="$(host_ns "$h")"
    if ip netns list | grep -qw "^$ns"; then
      # Whatever still runs in the namespace was started there by tests.
      mapfile -t pids < <(ip netns pids "$ns" || true)
      ((${#pids[@]} == 0)) || kill -TERM "${pids[@]}" 2>/dev/null || true
      ip netns del "$ns"
    fi
    mountpoint -q "$(host_uts "$h")" 2>/dev/null && umount "$(host_uts "$h")"
    rm -f "$(host_uts "$h")"
    ip link del "sw$h" 2>/dev/null || true
  done
  ip link del "$HOSTS_BRIDGE" 2>/dev/null || true
  log "hosts-down: extra hosts stopped (files kept in $HOSTS_DIR)"
}

hosts_status() {
  local bad=0 h
  for h in "${HOSTS[@]}"; do
    if pid_alive "$(host_sshd_pid "$h")" sshd && host_ssh_ok "$h"; then
      log "$h: up ($(host_addr "$h"), sshd pid $(pid_of "$(host_sshd_pid "$h")"))"
    else
      log "$h: DOWN"; bad=1
    fi
  done
  if [[ "$(findmnt -n -o FSTYPE --target "$NETFS_MOUNT" 2>/dev/null || true)" == fuse.sshfs ]]; then log "netfs: $NETFS_MOUNT (fuse.sshfs)"; else log "netfs: NOT MOUNTED"; bad=1; fi
  return "$bad"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  require_root
  install_packages
  make_dirs
  write_slurm_conf
  write_ssh_files
  write_env
  start_munge
  start_ctld
  start_slurmd
  wait_node_idle
  start_sshd
  cmd_hosts_up
  log "up: cluster ready; source $ENV_FILE (SLURM_CONF=$SLURM_CONF_FILE)"
}

cmd_down() {
  require_root
  if ctld_running && ctld_answers; then
    # Jobs' slurmstepd processes outlive slurmd; cancel them so nothing is left.
    if [[ -n "$(squeue -h -o %i 2>/dev/null)" ]]; then
      log "slurm: cancelling all jobs"
      scancel --full --quiet --partition="$PARTITION" 2>/dev/null || true
      local i
      for ((i = 0; i < 150; i++)); do
        [[ -z "$(squeue -h -t running,completing -o %i 2>/dev/null)" ]] && break
        sleep 0.1
      done
    fi
  fi
  stop_pidfile slurmd "$SLURMD_PID" slurmd
  stop_pidfile slurmctld "$CTLD_PID" slurmctld
  cmd_hosts_down
  stop_pidfile sshd "$SSHD_PID" sshd
  if [[ -e "$MUNGE_MARK" ]]; then
    stop_pidfile munged "$MUNGE_PID" munged
    rm -f "$MUNGE_MARK"
  else
    log "munged: not started by this script; left alone"
  fi
  log "down: stopped (files kept in $DIR)"
}

cmd_status() {
  local bad=0 state
  if munge_ok; then log "munge: up"; else log "munge: DOWN"; bad=1; fi
  if ctld_running; then
    if ctld_answers; then
      log "slurmctld: up (pid $(pid_of "$CTLD_PID"), port $CTLD_PORT)"
    else
      log "slurmctld: running but does not answer scontrol ping"; bad=1
    fi
  else
    log "slurmctld: DOWN"; bad=1
  fi
  if slurmd_running; then log "slurmd: up (pid $(pid_of "$SLURMD_PID"), port $SLURMD_PORT)"; else log "slurmd: DOWN"; bad=1; fi
  state="$(node_state || true)"
  case "$state" in
    idle | mix | alloc | comp) log "node $NODE: $state" ;;
    *) log "node $NODE: ${state:-unknown} (not usable)"; bad=1 ;;
  esac
  if sshd_running && ssh_ok; then
    log "sshd: up (pid $(pid_of "$SSHD_PID"), 127.0.0.1:$SSH_PORT)"
  else
    log "sshd: DOWN"; bad=1
  fi
  hosts_status || bad=1
  if [[ -s "$ENV_FILE" ]]; then log "env: $ENV_FILE"; else log "env: MISSING ($ENV_FILE)"; bad=1; fi
  if ((bad)); then
    log "status: some components are down; run: bash scripts/test-cluster.sh up"
    return 1
  fi
  log "status: all up"
}

cmd_stop_ctld() {
  require_root
  stop_pidfile slurmctld "$CTLD_PID" slurmctld
}

cmd_start_ctld() {
  require_root
  [[ -s "$SLURM_CONF_FILE" ]] || die "$SLURM_CONF_FILE missing; run: bash scripts/test-cluster.sh up"
  start_ctld
  # slurmd re-registers within a second or two; until then the node shows 'unk'.
  wait_node_idle
}

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    stop-ctld) cmd_stop_ctld ;;
    start-ctld) cmd_start_ctld ;;
    install) require_root; install_packages ;;
    env) cat "$ENV_FILE" ;;
    hosts-up) cmd_hosts_up ;;
    hosts-down) cmd_hosts_down ;;
    hosts-exec)
      shift
      known_host "${1:-}" || { log "hosts-exec: no host '${1:-}' (hosts: ${HOSTS[*]})"; exit 64; }
      host_exec "$@"
      ;;
    -h | --help | help) usage ;;
    *)
      usage
      exit 64
      ;;
  esac
}

main "$@"
