/* Administration: one test per behaviour of include/svipc/admin.h. Objects are
 * made with raw syscalls where the test is about what the kernel reports, so
 * the listing is checked against the kernel, not against svipc itself. */
#include <svipc/svipc.h>

#include "harness.h"
#include "proc_util.h"
#include "semctl_arg.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#define TEST_KEY 0x5eed0601
#define CHILD_TIMEOUT_MS 10000
#define MAX_OBJECTS 64
#define HOUR_NS (3600LL * 1000000000LL)

struct test_msg {
    long type;
    char text[16];
};

static const svipc_shm_info *find_shm(const svipc_shm_info *list, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (list[i].id == id)
            return &list[i];
    return NULL;
}

static const svipc_sem_info *find_sem(const svipc_sem_info *list, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (list[i].id == id)
            return &list[i];
    return NULL;
}

static const svipc_msg_info *find_msg(const svipc_msg_info *list, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (list[i].id == id)
            return &list[i];
    return NULL;
}

static const svipc_orphan *find_orphan(const svipc_orphan *list, int n, uint32_t kind, int id)
{
    for (int i = 0; i < n; i++)
        if (list[i].kind == kind && list[i].id == id)
            return &list[i];
    return NULL;
}

static void sem_touch(int semid)
{
    struct sembuf op = {0, 1, 0};
    ck_assert_int_eq(semop(semid, &op, 1), 0);
}

static void msg_put(int msqid, const char *text)
{
    struct test_msg m = {1, ""};
    snprintf(m.text, sizeof m.text, "%s", text);
    ck_assert_int_eq(msgsnd(msqid, &m, strlen(m.text), 0), 0);
}

/* Make a few objects of every kind with varied modes, sizes and contents. */
static void make_objects(int shm[3], int sem[2], int msg[2])
{
    shm[0] = shmget(TEST_KEY, 4096, IPC_CREAT | IPC_EXCL | 0640);
    shm[1] = shmget(IPC_PRIVATE, 100000, IPC_CREAT | 0600);
    shm[2] = shmget(TEST_KEY + 1, 1, IPC_CREAT | IPC_EXCL | 0444);
    sem[0] = semget(TEST_KEY, 3, IPC_CREAT | IPC_EXCL | 0660);
    sem[1] = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    msg[0] = msgget(TEST_KEY, IPC_CREAT | IPC_EXCL | 0620);
    msg[1] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    for (int i = 0; i < 3; i++)
        ck_assert_int_ge(shm[i], 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_ge(sem[i], 0);
        ck_assert_int_ge(msg[i], 0);
    }
    sem_touch(sem[0]);
    msg_put(msg[0], "hello");
    msg_put(msg[0], "world!");
}

static void remove_objects(const int shm[3], const int sem[2], const int msg[2])
{
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(shmctl(shm[i], IPC_RMID, NULL), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(semctl(sem[i], 0, IPC_RMID), 0);
        ck_assert_int_eq(msgctl(msg[i], IPC_RMID, NULL), 0);
    }
}

/* ---- listing ------------------------------------------------------------ */

START_TEST(list_shm_reports_what_ipc_stat_reports)
{
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);
    void *addr = shmat(shm[0], NULL, 0);
    ck_assert_ptr_ne(addr, (void *)-1);

    svipc_shm_info list[MAX_OBJECTS];
    int n = svipc_list_shm(list, MAX_OBJECTS, 0);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < 3; i++) {
        const svipc_shm_info *info = find_shm(list, n, shm[i]);
        ck_assert_ptr_nonnull(info);
        svipc_shm_info expected;
        ck_assert_int_eq(svipc_shm_stat_id(shm[i], &expected), 0);
        ck_assert_mem_eq(info, &expected, sizeof expected);
    }
    const svipc_shm_info *first = find_shm(list, n, shm[0]);
    ck_assert_int_eq(first->key, TEST_KEY);
    ck_assert_uint_eq(first->mode, 0640);
    ck_assert_uint_eq(first->size, 4096);
    ck_assert_uint_eq(first->nattch, 1);
    ck_assert_int_eq(first->cpid, getpid());
    ck_assert_int_eq(first->lpid, getpid());
    ck_assert_uint_eq(first->uid, geteuid());
    ck_assert_int_ne(first->atime_ns, 0);
    ck_assert_uint_eq(find_shm(list, n, shm[1])->size, 100000);
    ck_assert_int_eq(find_shm(list, n, shm[1])->key, 0);
    ck_assert_uint_eq(find_shm(list, n, shm[2])->mode, 0444);

    ck_assert_int_eq(shmdt(addr), 0);
    remove_objects(shm, sem, msg);
}
END_TEST

START_TEST(list_sem_and_msg_report_counts_and_pids)
{
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);

    svipc_sem_info sets[MAX_OBJECTS];
    int nsets = svipc_list_sem(sets, MAX_OBJECTS, 0);
    ck_assert_int_eq(nsets, 2);
    const svipc_sem_info *set = find_sem(sets, nsets, sem[0]);
    ck_assert_ptr_nonnull(set);
    ck_assert_int_eq(set->key, TEST_KEY);
    ck_assert_uint_eq(set->nsems, 3);
    ck_assert_uint_eq(set->mode, 0660);
    ck_assert_int_ne(set->otime_ns, 0); /* sem_touch */
    ck_assert_int_eq(find_sem(sets, nsets, sem[1])->otime_ns, 0);
    ck_assert_uint_eq(find_sem(sets, nsets, sem[1])->nsems, 1);

    svipc_msg_info queues[MAX_OBJECTS];
    int nqueues = svipc_list_msg(queues, MAX_OBJECTS, 0);
    ck_assert_int_eq(nqueues, 2);
    const svipc_msg_info *queue = find_msg(queues, nqueues, msg[0]);
    ck_assert_ptr_nonnull(queue);
    ck_assert_uint_eq(queue->messages, 2);
    ck_assert_uint_eq(queue->bytes, 11);
    ck_assert_int_eq(queue->lspid, getpid());
    ck_assert_int_eq(queue->lrpid, 0);
    ck_assert_uint_eq(queue->mode, 0620);
    struct msqid_ds ds;
    ck_assert_int_eq(msgctl(msg[0], IPC_STAT, &ds), 0);
    ck_assert_uint_eq(queue->qbytes, ds.msg_qbytes);
    ck_assert_uint_eq(find_msg(queues, nqueues, msg[1])->messages, 0);

    remove_objects(shm, sem, msg);
}
END_TEST

START_TEST(list_capacity_zero_counts_and_short_array_gets_first_records)
{
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);
    ck_assert_int_eq(svipc_list_shm(NULL, 0, 0), 3);
    ck_assert_int_eq(svipc_list_sem(NULL, 0, 0), 2);
    ck_assert_int_eq(svipc_list_msg(NULL, 0, 0), 2);

    svipc_shm_info all[MAX_OBJECTS], two[3];
    memset(two, 0x5a, sizeof two);
    ck_assert_int_eq(svipc_list_shm(all, MAX_OBJECTS, 0), 3);
    ck_assert_int_eq(svipc_list_shm(two, 2, 0), 3);
    ck_assert_mem_eq(two, all, 2 * sizeof two[0]);
    unsigned char untouched[sizeof two[2]];
    memset(untouched, 0x5a, sizeof untouched);
    ck_assert_mem_eq(&two[2], untouched, sizeof untouched);
    remove_objects(shm, sem, msg);
}
END_TEST

START_TEST(list_bad_arguments_are_einval)
{
    svipc_shm_info info;
    ck_assert_int_eq(svipc_list_shm(NULL, 1, 0), -EINVAL);
    ck_assert_int_eq(svipc_list_sem(NULL, 4, 0), -EINVAL);
    ck_assert_int_eq(svipc_list_msg(NULL, 4, 0), -EINVAL);
    ck_assert_int_eq(svipc_list_shm(&info, 1, 0x1), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "unknown listing flags 0x1"));
    ck_assert_int_eq(svipc_list_shm(&info, 1, SVIPC_LIST_SYSCALLS | SVIPC_LIST_PROC_ONLY), -EINVAL);
    ck_assert_int_eq(svipc_find_orphans(NULL, 1, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_find_orphans(NULL, 0, -1, 0), -EINVAL);
    ck_assert_int_eq(svipc_limits(NULL), -EINVAL);
    ck_assert_int_eq(svipc_usage(NULL), -EINVAL);
}
END_TEST

/* Creates a segment, a set and a queue with creator gid 4321 (cuid 0), so a
 * listing that confuses cgid with cuid (util-linux's old fallback) shows. */
static int child_create_with_other_gid(void *arg)
{
    int *ids = arg;
    if (setegid(4321) != 0)
        return 3;
    int shm = shmget(TEST_KEY + 10, 8192, IPC_CREAT | IPC_EXCL | 0604);
    int sem = semget(TEST_KEY + 10, 2, IPC_CREAT | IPC_EXCL | 0604);
    int msg = msgget(TEST_KEY + 10, IPC_CREAT | IPC_EXCL | 0604);
    (void)ids;
    return shm >= 0 && sem >= 0 && msg >= 0 ? 0 : 1;
}

START_TEST(proc_and_syscall_paths_give_identical_records)
{
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);
    /* A removed-but-attached segment (key 0, SVIPC_SHM_INFO_REMOVED) too. */
    int removed = shmget(IPC_PRIVATE, 12345, IPC_CREAT | 0600);
    void *addr = shmat(removed, NULL, 0);
    ck_assert_ptr_ne(addr, (void *)-1);
    ck_assert_int_eq(shmctl(removed, IPC_RMID, NULL), 0);
    /* Owner differing from creator. */
    struct shmid_ds ds;
    ck_assert_int_eq(shmctl(shm[1], IPC_STAT, &ds), 0);
    ds.shm_perm.uid = 1000;
    ds.shm_perm.gid = 2000;
    int as_root = shmctl(shm[1], IPC_SET, &ds) == 0;
    int other_gid = 0;
    if (as_root) {
        pid_t child = proc_spawn(child_create_with_other_gid, NULL);
        ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
        other_gid = 1;
    }

    svipc_shm_info a[MAX_OBJECTS], b[MAX_OBJECTS];
    int na = svipc_list_shm(a, MAX_OBJECTS, SVIPC_LIST_PROC_ONLY);
    int nb = svipc_list_shm(b, MAX_OBJECTS, SVIPC_LIST_SYSCALLS);
    ck_assert_int_eq(na, 4 + other_gid);
    ck_assert_int_eq(na, nb);
    ck_assert_mem_eq(a, b, (size_t)na * sizeof a[0]);
    const svipc_shm_info *gone = find_shm(a, na, removed);
    ck_assert_ptr_nonnull(gone);
    ck_assert_uint_eq(gone->flags, SVIPC_SHM_INFO_REMOVED);
    ck_assert_int_eq(gone->key, 0);

    svipc_sem_info sa[MAX_OBJECTS], sb[MAX_OBJECTS];
    na = svipc_list_sem(sa, MAX_OBJECTS, SVIPC_LIST_PROC_ONLY);
    nb = svipc_list_sem(sb, MAX_OBJECTS, SVIPC_LIST_SYSCALLS);
    ck_assert_int_eq(na, 2 + other_gid);
    ck_assert_int_eq(na, nb);
    ck_assert_mem_eq(sa, sb, (size_t)na * sizeof sa[0]);

    svipc_msg_info qa[MAX_OBJECTS], qb[MAX_OBJECTS];
    na = svipc_list_msg(qa, MAX_OBJECTS, SVIPC_LIST_PROC_ONLY);
    nb = svipc_list_msg(qb, MAX_OBJECTS, SVIPC_LIST_SYSCALLS);
    ck_assert_int_eq(na, 2 + other_gid);
    ck_assert_int_eq(na, nb);
    ck_assert_mem_eq(qa, qb, (size_t)na * sizeof qa[0]);

    if (as_root) {
        ck_assert_uint_eq(find_shm(a, 5, shm[1])->uid, 1000);
        ck_assert_uint_eq(find_shm(a, 5, shm[1])->cuid, 0);
        /* The child's objects: creator gid 4321, creator uid 0, in both paths. */
        int child_shm = shmget(TEST_KEY + 10, 0, 0), child_sem = semget(TEST_KEY + 10, 0, 0),
            child_msg = msgget(TEST_KEY + 10, 0);
        ck_assert_uint_eq(find_shm(b, 5, child_shm)->cgid, 4321);
        ck_assert_uint_eq(find_shm(b, 5, child_shm)->cuid, 0);
        ck_assert_uint_eq(find_sem(sb, 3, child_sem)->cgid, 4321);
        ck_assert_uint_eq(find_msg(qb, 3, child_msg)->cgid, 4321);
        shmctl(child_shm, IPC_RMID, NULL);
        semctl(child_sem, 0, IPC_RMID);
        msgctl(child_msg, IPC_RMID, NULL);
    }
    ck_assert_int_eq(shmdt(addr), 0);
    remove_objects(shm, sem, msg);
}
END_TEST

START_TEST(default_listing_reads_proc_like_proc_only)
{
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);
    svipc_sem_info a[MAX_OBJECTS], b[MAX_OBJECTS];
    int na = svipc_list_sem(a, MAX_OBJECTS, 0);
    int nb = svipc_list_sem(b, MAX_OBJECTS, SVIPC_LIST_PROC_ONLY);
    ck_assert_int_eq(na, nb);
    ck_assert_mem_eq(a, b, (size_t)na * sizeof a[0]);
    remove_objects(shm, sem, msg);
}
END_TEST

/* ---- limits and usage --------------------------------------------------- */

static uint64_t read_u64(const char *path, int field)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    unsigned long long v = 0;
    for (int i = 0; i <= field; i++)
        ck_assert_int_eq(fscanf(f, "%llu", &v), 1);
    fclose(f);
    return v;
}

START_TEST(limits_match_proc_sys_kernel)
{
    svipc_ipc_limits l;
    ck_assert_int_eq(svipc_limits(&l), 0);
    ck_assert_uint_eq(l.shmmax, read_u64("/proc/sys/kernel/shmmax", 0));
    ck_assert_uint_eq(l.shmall, read_u64("/proc/sys/kernel/shmall", 0));
    ck_assert_uint_eq(l.shmmni, read_u64("/proc/sys/kernel/shmmni", 0));
    ck_assert_uint_eq(l.shmmin, 1);
    ck_assert_uint_eq(l.page_size, svipc_page_size());
    ck_assert_uint_eq(l.semmsl, read_u64("/proc/sys/kernel/sem", 0));
    ck_assert_uint_eq(l.semmns, read_u64("/proc/sys/kernel/sem", 1));
    ck_assert_uint_eq(l.semopm, read_u64("/proc/sys/kernel/sem", 2));
    ck_assert_uint_eq(l.semmni, read_u64("/proc/sys/kernel/sem", 3));
    ck_assert_uint_eq(l.semvmx, 32767);
    ck_assert_uint_eq(l.msgmni, read_u64("/proc/sys/kernel/msgmni", 0));
    ck_assert_uint_eq(l.msgmax, read_u64("/proc/sys/kernel/msgmax", 0));
    ck_assert_uint_eq(l.msgmnb, read_u64("/proc/sys/kernel/msgmnb", 0));
}
END_TEST

START_TEST(limits_follow_a_changed_sysctl_in_this_namespace)
{
    FILE *f = fopen("/proc/sys/kernel/msgmnb", "w");
    if (!f)
        return; /* not writable here (no CAP_SYS_ADMIN over the namespace) */
    uint64_t before = read_u64("/proc/sys/kernel/msgmnb", 0);
    int wrote = fprintf(f, "12345\n") > 0;
    wrote &= fclose(f) == 0;
    svipc_ipc_limits l;
    int rc = svipc_limits(&l);
    f = fopen("/proc/sys/kernel/msgmnb", "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%llu\n", (unsigned long long)before);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rc, 0);
    if (wrote)
        ck_assert_uint_eq(l.msgmnb, 12345);
}
END_TEST

START_TEST(usage_counts_objects_pages_and_messages)
{
    svipc_ipc_usage before, after;
    ck_assert_int_eq(svipc_usage(&before), 0);
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);
    ck_assert_int_eq(svipc_usage(&after), 0);
    ck_assert_uint_eq(after.shm_segments - before.shm_segments, 3);
    /* 4096 + 100000 + 1 bytes = 1 + 25 + 1 pages of 4 KiB. */
    uint64_t page = svipc_page_size();
    uint64_t pages = (4096 + page - 1) / page + (100000 + page - 1) / page + 1;
    ck_assert_uint_eq(after.shm_pages - before.shm_pages, pages);
    ck_assert_uint_eq(after.sem_sets - before.sem_sets, 2);
    ck_assert_uint_eq(after.sem_semaphores - before.sem_semaphores, 4);
    ck_assert_uint_eq(after.msg_queues - before.msg_queues, 2);
    ck_assert_uint_eq(after.msg_messages - before.msg_messages, 2);
    ck_assert_uint_eq(after.msg_bytes - before.msg_bytes, 11);
    remove_objects(shm, sem, msg);
}
END_TEST

/* ---- orphans ------------------------------------------------------------ */

struct orphan_ids {
    int shm, sem, msg;
};

/* Child: makes one object of each kind (the set and the queue used once)
 * and exits, leaving them without any live user. */
static int child_make_orphans(void *arg)
{
    (void)arg;
    int shm = shmget(TEST_KEY + 20, 4096, IPC_CREAT | IPC_EXCL | 0600);
    int sem = semget(TEST_KEY + 20, 1, IPC_CREAT | IPC_EXCL | 0600);
    int msg = msgget(TEST_KEY + 20, IPC_CREAT | IPC_EXCL | 0600);
    if (shm < 0 || sem < 0 || msg < 0)
        return 1;
    struct sembuf op = {0, 1, 0};
    struct test_msg m = {1, "bye"};
    void *addr = shmat(shm, NULL, 0);
    if (semop(sem, &op, 1) != 0 || msgsnd(msg, &m, 3, 0) != 0 || addr == (void *)-1)
        return 2;
    return 0; /* exiting detaches */
}

static struct orphan_ids make_orphans(pid_t *ret_pid)
{
    pid_t child = proc_spawn(child_make_orphans, NULL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    *ret_pid = child;
    struct orphan_ids ids = {shmget(TEST_KEY + 20, 0, 0), semget(TEST_KEY + 20, 0, 0), msgget(TEST_KEY + 20, 0)};
    ck_assert_int_ge(ids.shm, 0);
    ck_assert_int_ge(ids.sem, 0);
    ck_assert_int_ge(ids.msg, 0);
    return ids;
}

static void remove_orphans(struct orphan_ids ids)
{
    ck_assert_int_eq(shmctl(ids.shm, IPC_RMID, NULL), 0);
    ck_assert_int_eq(semctl(ids.sem, 0, IPC_RMID), 0);
    ck_assert_int_eq(msgctl(ids.msg, IPC_RMID, NULL), 0);
}

START_TEST(orphans_are_exactly_the_objects_of_a_dead_process)
{
    int shm[3], sem[2], msg[2];
    make_objects(shm, sem, msg);
    /* The live objects the orphan rules must not take: used by this process. */
    sem_touch(sem[1]);
    msg_put(msg[1], "live");
    pid_t dead;
    struct orphan_ids ids = make_orphans(&dead);

    for (int pass = 0; pass < 2; pass++) {
        uint32_t flags = pass ? SVIPC_LIST_SYSCALLS : 0;
        svipc_orphan list[MAX_OBJECTS];
        int n = svipc_find_orphans(list, MAX_OBJECTS, 0, flags);
        ck_assert_int_eq(n, 3);
        const svipc_orphan *o = find_orphan(list, n, SVIPC_KIND_SHM, ids.shm);
        ck_assert_ptr_nonnull(o);
        ck_assert_int_eq(o->pid, dead);
        ck_assert_int_eq(o->key, TEST_KEY + 20);
        ck_assert_uint_eq(o->uid, geteuid());
        ck_assert_uint_eq(o->flags, 0);
        ck_assert_int_ge(o->idle_ns, 0);
        o = find_orphan(list, n, SVIPC_KIND_SEM, ids.sem);
        ck_assert_ptr_nonnull(o);
        ck_assert_int_eq(o->pid, dead);
        o = find_orphan(list, n, SVIPC_KIND_MSG, ids.msg);
        ck_assert_ptr_nonnull(o);
        ck_assert_int_eq(o->pid, dead);
    }
    remove_orphans(ids);
    remove_objects(shm, sem, msg);
}
END_TEST

START_TEST(orphan_idle_threshold_spares_recent_sets_and_queues_only)
{
    pid_t dead;
    struct orphan_ids ids = make_orphans(&dead);
    svipc_orphan list[MAX_OBJECTS];
    /* Used a moment ago: with an hour's threshold only the segment remains
     * (segments have no idle rule: no attachment + dead creator suffices). */
    int n = svipc_find_orphans(list, MAX_OBJECTS, HOUR_NS, 0);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(list[0].kind, SVIPC_KIND_SHM);
    ck_assert_int_eq(list[0].id, ids.shm);
    remove_orphans(ids);
}
END_TEST

static int child_create_segment(void *arg)
{
    (void)arg;
    return shmget(TEST_KEY + 30, 4096, IPC_CREAT | IPC_EXCL | 0600) >= 0 ? 0 : 1;
}

START_TEST(segment_of_dead_creator_still_attached_is_not_orphan)
{
    pid_t child = proc_spawn(child_create_segment, NULL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    int id = shmget(TEST_KEY + 30, 0, 0);
    ck_assert_int_ge(id, 0);
    void *addr = shmat(id, NULL, 0);
    ck_assert_ptr_ne(addr, (void *)-1);
    svipc_orphan list[4];
    ck_assert_int_eq(svipc_find_orphans(list, 4, 0, 0), 0);
    ck_assert_int_eq(shmdt(addr), 0);
    ck_assert_int_eq(svipc_find_orphans(list, 4, 0, 0), 1);
    ck_assert_int_eq(list[0].id, id);
    ck_assert_int_eq(list[0].pid, child);
    ck_assert_int_eq(shmctl(id, IPC_RMID, NULL), 0);
}
END_TEST

START_TEST(objects_of_this_process_are_never_orphans)
{
    int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); /* never attached, creator alive */
    int sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    int msg = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    ck_assert_int_ge(shm, 0);
    union semun_arg arg = {.val = 3};
    ck_assert_int_eq(semctl(sem, 1, SETVAL, arg), 0); /* records this pid on member 1 */
    msg_put(msg, "x");
    svipc_orphan list[4];
    ck_assert_int_eq(svipc_find_orphans(list, 4, 0, 0), 0);
    shmctl(shm, IPC_RMID, NULL);
    semctl(sem, 0, IPC_RMID);
    msgctl(msg, IPC_RMID, NULL);
}
END_TEST

/* ---- channels ----------------------------------------------------------- */

static int child_make_orphan_channel(void *arg)
{
    (void)arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open_key(TEST_KEY + 40, SVIPC_CHANNEL_TYPE_INT64, 8, 4, SVIPC_CREATE, 0, &ch) != 0)
        return 1;
    int64_t value = 42;
    if (svipc_channel_publish(ch, &value, sizeof value, NULL) != 0)
        return 2;
    svipc_channel_close(ch);
    return 0;
}

START_TEST(channel_stat_reads_the_header_of_a_channel)
{
    svipc_channel *ch = NULL;
    ck_assert_int_eq(svipc_channel_open_key(SVIPC_KEY_PRIVATE, SVIPC_CHANNEL_TYPE_FLOAT64, 24, 5, SVIPC_CREATE, 0,
                                            &ch), 0);
    double v[3] = {1, 2, 3};
    ck_assert_int_eq(svipc_channel_publish(ch, v, sizeof v, NULL), 0);
    ck_assert_int_eq(svipc_channel_publish(ch, v, sizeof v, NULL), 0);
    svipc_channel_info own, probed;
    ck_assert_int_eq(svipc_channel_stat(ch, &own), 0);
    ck_assert_int_eq(svipc_admin_channel_stat(own.shm_id, &probed), 0);
    ck_assert_int_eq(probed.shm_id, own.shm_id);
    ck_assert_int_eq(probed.sem_id, own.sem_id);
    ck_assert_int_eq(probed.key, own.key);
    ck_assert_uint_eq(probed.type, SVIPC_CHANNEL_TYPE_FLOAT64);
    ck_assert_uint_eq(probed.payload_size, 24);
    ck_assert_uint_eq(probed.buffer_num, 5);
    ck_assert_uint_eq(probed.layout_version, own.layout_version);
    ck_assert_uint_eq(probed.latest_sequence, 2);
    ck_assert_int_eq(probed.latest_publish_time_ns, own.latest_publish_time_ns);
    ck_assert_int_eq(probed.writer_pid, getpid()); /* exclusive writer holds the lock */
    ck_assert_uint_eq(probed.segment_size, own.segment_size);
    ck_assert_int_eq(svipc_channel_remove(ch), 0);
    svipc_channel_close(ch);
}
END_TEST

START_TEST(channel_stat_of_other_segments_is_eproto_or_einval)
{
    int small = shmget(IPC_PRIVATE, 64, IPC_CREAT | 0600);
    int big = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
    svipc_channel_info info;
    memset(&info, 0x77, sizeof info);
    ck_assert_int_eq(svipc_admin_channel_stat(small, &info), -EPROTO);
    ck_assert_int_eq(svipc_admin_channel_stat(big, &info), -EPROTO);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "is not a svipc channel"));
    unsigned char untouched[sizeof info];
    memset(untouched, 0x77, sizeof untouched);
    ck_assert_mem_eq(&info, untouched, sizeof info);
    ck_assert_int_eq(svipc_admin_channel_stat(big + 1000000, &info), -EINVAL);
    ck_assert_int_eq(svipc_admin_channel_stat(-1, &info), -EINVAL);
    ck_assert_int_eq(svipc_admin_channel_stat(big, NULL), -EINVAL);
    shmctl(small, IPC_RMID, NULL);
    shmctl(big, IPC_RMID, NULL);
}
END_TEST

START_TEST(orphan_channel_reports_segment_and_writer_lock_live_channel_neither)
{
    /* A live channel of this process that never published: its writer lock
     * was never operated on, so only the channel link keeps it off the list. */
    svipc_channel *live = NULL;
    ck_assert_int_eq(svipc_channel_open_key(TEST_KEY + 41, SVIPC_CHANNEL_TYPE_INT64, 8, 2, SVIPC_CREATE, 0, &live),
                     0);
    svipc_channel_info live_info;
    ck_assert_int_eq(svipc_channel_stat(live, &live_info), 0);

    pid_t child = proc_spawn(child_make_orphan_channel, NULL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    svipc_channel *dead = NULL;
    ck_assert_int_eq(svipc_channel_open_key(TEST_KEY + 40, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &dead), 0);
    svipc_channel_info dead_info;
    ck_assert_int_eq(svipc_channel_stat(dead, &dead_info), 0);
    svipc_channel_close(dead); /* detached again: nattch 0 */

    svipc_orphan list[MAX_OBJECTS];
    int n = svipc_find_orphans(list, MAX_OBJECTS, HOUR_NS, 0);
    ck_assert_int_eq(n, 2);
    const svipc_orphan *seg = find_orphan(list, n, SVIPC_KIND_SHM, dead_info.shm_id);
    ck_assert_ptr_nonnull(seg);
    ck_assert_uint_eq(seg->flags, SVIPC_ORPHAN_CHANNEL);
    ck_assert_int_eq(seg->pid, child);
    const svipc_orphan *lock = find_orphan(list, n, SVIPC_KIND_SEM, dead_info.sem_id);
    ck_assert_ptr_nonnull(lock); /* despite the hour: it goes with its channel */
    ck_assert_uint_eq(lock->flags, SVIPC_ORPHAN_CHANNEL_LOCK);

    ck_assert_int_eq(svipc_find_orphans(list, MAX_OBJECTS, 0, 0), 2);
    ck_assert_ptr_null(find_orphan(list, 2, SVIPC_KIND_SEM, live_info.sem_id));

    ck_assert_int_eq(shmctl(dead_info.shm_id, IPC_RMID, NULL), 0);
    ck_assert_int_eq(semctl(dead_info.sem_id, 0, IPC_RMID), 0);
    ck_assert_int_eq(svipc_channel_remove(live), 0);
    svipc_channel_close(live);
}
END_TEST

HARNESS_SUITE("admin")
{
    HARNESS_CASE("list", 60, list_shm_reports_what_ipc_stat_reports, list_sem_and_msg_report_counts_and_pids,
                 list_capacity_zero_counts_and_short_array_gets_first_records, list_bad_arguments_are_einval,
                 proc_and_syscall_paths_give_identical_records, default_listing_reads_proc_like_proc_only);
    HARNESS_CASE("limits", 60, limits_match_proc_sys_kernel, limits_follow_a_changed_sysctl_in_this_namespace,
                 usage_counts_objects_pages_and_messages);
    HARNESS_CASE("orphans", 60, orphans_are_exactly_the_objects_of_a_dead_process,
                 orphan_idle_threshold_spares_recent_sets_and_queues_only,
                 segment_of_dead_creator_still_attached_is_not_orphan, objects_of_this_process_are_never_orphans);
    HARNESS_CASE("channels", 60, channel_stat_reads_the_header_of_a_channel,
                 channel_stat_of_other_segments_is_eproto_or_einval,
                 orphan_channel_reports_segment_and_writer_lock_live_channel_neither);
}
