/*
 * hvb-micro: the cost of single operations that virtualization makes expensive.
 *
 *     hvb-micro [--ms N] [--port 0xNNNN] [--devport] OPERATION...
 *
 * Operations:
 *   cpuid      the CPUID instruction (leaf 0): always a VM exit under hardware virtualization
 *   syscall    a null system call (getppid through syscall(2), never cached by the C library)
 *   pagefault  a write to a fresh anonymous page: a page fault plus zeroing the page
 *   ioport     an IN from an I/O port no device claims: an exit to the device model
 *   rdtsc      the RDTSC instruction
 *
 * Where user-mode IN faults although ioperm() granted the port (seen under a nested
 * hypervisor's emulation of SVM, which raises #GP), the ioport line says so
 * ("ioport unavailable: …") and a `devport` line follows instead: a 1-byte pread() of
 * /dev/port at the same port, a system call whose kernel side does the same IN.
 * `--devport` takes that way even where user-mode IN works (to compare the two).
 *
 * Each operation runs in a tight loop for about N milliseconds (default 200) after a short
 * warm-up and prints one line:
 *
 *     cpuid ns_per_op=35.120 iterations=5693440 elapsed_ns=199950000
 *
 * Errors go to standard error as "hvb-micro: ..." with exit status 1 (a failed operation) or
 * 2 (bad usage). Built statically by the hvbench image builder (gcc -O2 -static).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Unassigned on the i440fx (pc) board, so a read is routed to the device model's "unassigned" handler. */
#define DEFAULT_PORT 0xe0
#define DEFAULT_MS 200
#define PAGE_BATCH 4096 /* pages mapped, touched and unmapped at a time (16 MiB) */

static volatile uint64_t sink;
static unsigned long port = DEFAULT_PORT;
static long page_size;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "hvb-micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Each op_* runs `n` operations and returns how many it ran. */
static uint64_t op_cpuid(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint32_t a = 0, b, c = 0, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		sink += a;
	}
	return n;
}

static uint64_t op_syscall(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) sink += (uint64_t)syscall(SYS_getppid);
	return n;
}

static uint64_t op_rdtsc(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		sink += lo;
	}
	return n;
}

static uint64_t op_ioport(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) sink += inb((unsigned short)port);
	return n;
}

static int devport_fd = -1;

static uint64_t op_devport(uint64_t n)
{
	unsigned char b;
	for (uint64_t i = 0; i < n; i++) {
		if (pread(devport_fd, &b, 1, (off_t)port) != 1) die("pread /dev/port");
		sink += b;
	}
	return n;
}

static sigjmp_buf in_fault;

static void on_in_fault(int sig)
{
	(void)sig;
	siglongjmp(in_fault, 1);
}

/* Whether one IN from the port works in user mode (ioperm() granted it, but an emulated
 * CPU may still raise #GP, delivered as SIGSEGV). */
static int user_in_works(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_in_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	int works = 0;
	if (sigsetjmp(in_fault, 1) == 0) {
		sink += inb((unsigned short)port);
		works = 1;
	}
	sigaction(SIGSEGV, &old, NULL);
	return works;
}

/* Page faults are timed per batch: mapping and unmapping stay outside the measured time. */
static uint64_t fault_ns;

static uint64_t op_pagefault(uint64_t n)
{
	uint64_t done = 0;
	while (done < n) {
		uint64_t pages = n - done < PAGE_BATCH ? n - done : PAGE_BATCH;
		size_t len = (size_t)pages * (size_t)page_size;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) die("mmap");
		/* One fault per 4 KiB page, not one per 2 MiB huge page. */
		madvise(p, len, MADV_NOHUGEPAGE);
		uint64_t t0 = now_ns();
		for (uint64_t i = 0; i < pages; i++) p[i * (uint64_t)page_size] = 1;
		fault_ns += now_ns() - t0;
		if (munmap(p, len) != 0) die("munmap");
		done += pages;
	}
	return n;
}

struct op {
	const char *name;
	uint64_t (*run)(uint64_t);
	int self_timed;
};

static const struct op ops[] = {
	{ "cpuid", op_cpuid, 0 },
	{ "syscall", op_syscall, 0 },
	{ "pagefault", op_pagefault, 1 },
	{ "ioport", op_ioport, 0 },
	{ "rdtsc", op_rdtsc, 0 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))
static const struct op devport_op = { "devport", op_devport, 0 };

static void measure(const struct op *op, uint64_t target_ns)
{
	/* Warm-up, and a first guess of the batch size: batches of about 1/20 of the target time. */
	uint64_t batch = 64;
	for (;;) {
		fault_ns = 0;
		uint64_t t0 = now_ns();
		op->run(batch);
		uint64_t spent = op->self_timed ? fault_ns : now_ns() - t0;
		if (spent >= target_ns / 20 || batch >= (1ull << 40)) break;
		batch *= 2;
	}
	uint64_t iterations = 0, elapsed = 0;
	while (elapsed < target_ns) {
		fault_ns = 0;
		uint64_t t0 = now_ns();
		iterations += op->run(batch);
		elapsed += op->self_timed ? fault_ns : now_ns() - t0;
	}
	printf("%s ns_per_op=%.3f iterations=%llu elapsed_ns=%llu\n", op->name, (double)elapsed / (double)iterations,
	       (unsigned long long)iterations, (unsigned long long)elapsed);
	fflush(stdout);
}

static void usage(const char *problem)
{
	fprintf(stderr, "hvb-micro: %s\nusage: hvb-micro [--ms N] [--port 0xNNNN] [--devport] OPERATION...\noperations:", problem);
	for (size_t i = 0; i < NOPS; i++) fprintf(stderr, " %s", ops[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

static unsigned long number(const char *text, const char *what, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 0);
	if (errno != 0 || *text == '\0' || *end != '\0' || v == 0 || v > max) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s must be a number from 1 to %lu, got \"%.40s\"", what, max, text);
		usage(msg);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long ms = DEFAULT_MS;
	int force_devport = 0;
	const struct op *chosen[16];
	size_t count = 0;
	page_size = sysconf(_SC_PAGESIZE);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc) {
			ms = number(argv[++i], "--ms", 600000);
		} else if (strcmp(argv[i], "--devport") == 0) {
			force_devport = 1;
		} else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = number(argv[++i], "--port", 0xffff);
		} else {
			size_t k = 0;
			while (k < NOPS && strcmp(argv[i], ops[k].name) != 0) k++;
			if (k == NOPS) {
				char msg[120];
				snprintf(msg, sizeof msg, "unknown operation \"%.40s\"", argv[i]);
				usage(msg);
			}
			if (count == sizeof chosen / sizeof chosen[0]) usage("too many operations");
			chosen[count++] = &ops[k];
		}
	}
	if (count == 0) usage("no operation given");
	int skip_ioport = 0;
	for (size_t i = 0; i < count; i++) {
		if (chosen[i]->run == op_ioport && ioperm(port, 1, 1) != 0) {
			/* A kernel built without CONFIG_X86_IOPL_IOPERM has no port access for anyone:
			 * the operation does not exist there, which is a fact, not a failure. */
			if (errno == ENOSYS) {
				printf("ioport unavailable: ioperm(0x%lx): %s (this kernel has no I/O port permissions)\n", port, strerror(errno));
				fflush(stdout);
				skip_ioport = 1;
				continue;
			}
			fprintf(stderr, "hvb-micro: ioperm(0x%lx): %s (port access needs root)\n", port, strerror(errno));
			return 1;
		}
		if (chosen[i]->run == op_ioport && force_devport) {
			devport_fd = open("/dev/port", O_RDONLY | O_CLOEXEC);
			if (devport_fd < 0) die("open /dev/port");
			printf("ioport unavailable: --devport: timed through /dev/port\n");
			fflush(stdout);
			skip_ioport = 1;
		} else if (chosen[i]->run == op_ioport && !user_in_works()) {
			devport_fd = open("/dev/port", O_RDONLY | O_CLOEXEC);
			if (devport_fd < 0) {
				printf("ioport unavailable: IN from user mode raised a general protection fault after ioperm(0x%lx), and /dev/port: %s\n", port,
				       strerror(errno));
			} else {
				printf("ioport unavailable: IN from user mode raised a general protection fault after ioperm(0x%lx); timed through /dev/port\n",
				       port);
			}
			fflush(stdout);
			skip_ioport = 1;
		}
	}
	for (size_t i = 0; i < count; i++) {
		if (skip_ioport && chosen[i]->run == op_ioport) {
			if (devport_fd >= 0) measure(&devport_op, (uint64_t)ms * 1000000u);
			continue;
		}
		measure(chosen[i], (uint64_t)ms * 1000000u);
	}
	return 0;
}
