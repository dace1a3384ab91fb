// Default-deny seccomp allowlist for x86_64 (with its x86 and x32 ABIs, as Docker's default
// profile has). It is Docker's default allowlist for a container without capabilities, minus
// ptrace, process_vm_*, modify_ldt and io_uring. Everything else fails with EPERM, among them:
// mount, umount2, pivot_root, chroot, unshare, setns, reboot, kexec_load, init_module,
// finit_module, delete_module, bpf, perf_event_open, userfaultfd, keyctl, add_key, request_key,
// swapon, swapoff, clock_settime, settimeofday, sethostname, setdomainname, acct, quotactl,
// open_by_handle_at, iopl, ioperm, syslog, kcmp, vhangup. (adjtimex and clock_adjtime stay:
// without CAP_SYS_TIME they can only read.)
export const SECCOMP_ALLOW: readonly string[] = `
accept accept4 access adjtimex alarm arch_prctl bind brk capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3
epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old
eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate
fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr
flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate
ftruncate64 futex futex_time64 futex_waitv futimesat getcpu getcwd getdents getdents64 getegid
getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid
getpgrp getpid getppid getpriority getresgid getresgid32 getresuid getresuid32 getrlimit
get_robust_list getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid
getuid32 getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl
io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit
ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr
link linkat listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise
membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap
mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap
name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open
pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64
preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read
readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages
removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending
rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max
sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64
sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl
semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid
setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority
setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit
set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr shmat
shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socketcall
socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs
sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64
timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat utime
utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev
`.trim().split(/\s+/);

const EPERM = 1;
const ENOSYS = 38;
const AF_VSOCK = 40;
const AF_INET = 2;
const AF_INET6 = 10;
// socket()'s domain is an int: the kernel drops the upper 32 bits, so compare only the lower ones.
const INT_MASK = 0xffffffff;
// CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: clone() may not create namespaces.
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const PERSONALITY_QUERY = 0xffffffff;

export interface SeccompRule {
  names: string[];
  action: "SCMP_ACT_ALLOW" | "SCMP_ACT_ERRNO";
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

export interface SeccompProfile {
  defaultAction: "SCMP_ACT_ERRNO";
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: SeccompRule[];
}

/**
 * `hostNetwork`: the container shares the node's network namespace, and with it the node's
 * abstract unix sockets, which no file permission protects. seccomp cannot read a sockaddr, so
 * such a cage may create IPv4 and IPv6 sockets only (no AF_UNIX at all, no netlink, no packet
 * sockets), and loses socketcall(2), whose arguments sit in memory seccomp cannot inspect.
 */
export function buildSeccomp(opts: { determinism: boolean; hostNetwork?: boolean }): SeccompProfile {
  const allow = opts.hostNetwork ? SECCOMP_ALLOW.filter((n) => n !== "socketcall") : SECCOMP_ALLOW;
  const socketRules: SeccompRule[] = opts.hostNetwork
    ? [AF_INET, AF_INET6].map((domain) => ({ names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: INT_MASK, valueTwo: domain, op: "SCMP_CMP_MASKED_EQ" }] }))
    : [{ names: ["socket"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: AF_VSOCK, op: "SCMP_CMP_NE" }] }];
  const rules: SeccompRule[] = [
    { names: [...allow], action: "SCMP_ACT_ALLOW" },
    // Only the default execution domain; the query form changes nothing.
    { names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 0, op: "SCMP_CMP_EQ" }] },
    { names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: PERSONALITY_QUERY, op: "SCMP_CMP_EQ" }] },
    ...socketRules,
    { names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }] },
    // clone3 passes its flags in memory seccomp cannot inspect: ENOSYS makes libc fall back to clone.
    { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS },
    // ENOSYS (not EPERM) makes libc and language runtimes fall back to /dev/urandom, which the
    // deterministic cage feeds from its seed.
    opts.determinism
      ? { names: ["getrandom"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS }
      : { names: ["getrandom"], action: "SCMP_ACT_ALLOW" },
  ];
  return {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: EPERM,
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls: rules,
  };
}
