//! Threads, mutexes and semaphores: the outcome sets of races and their fixes, what a
//! deadlock report names, POSIX's rules for fork and exit in a process with threads (the
//! real backend's threads are in `os_threads`).

use proptest::prelude::*;
use proscenium::explore::session::{explore_scenario, Count, ExploreOptions};
use proscenium::outcome::{End, Limit, Outcome, Termination};
use proscenium::run::{run, RunOptions};
use proscenium::scenario::{compile, Scenario};
use std::collections::BTreeSet;

fn scenario(source: &str) -> Scenario {
    compile("threads.c", source.to_string(), &[])
        .unwrap_or_else(|d| panic!("program does not compile: {d:?}\n{source}"))
}

fn everything() -> ExploreOptions {
    ExploreOptions {
        list: usize::MAX,
        ..ExploreOptions::default()
    }
}

fn outputs(outcomes: &[Outcome]) -> BTreeSet<String> {
    (outcomes.iter())
        .map(|o| String::from_utf8_lossy(&o.terminal()).into_owned())
        .collect()
}

/// `threads` threads each add 1 to a global `times` times, under `lock` if given, then main
/// prints the total.
fn counter(threads: u32, times: u32, locked: bool, config: &str) -> String {
    let (lock, unlock) = if locked {
        ("pthread_mutex_lock(&m);", "pthread_mutex_unlock(&m);")
    } else {
        ("", "")
    };
    format!(
        "#include <pthread.h>\n#include <stdio.h>\n{config}\n\
         int counter = 0;\npthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;\n\
         void *work(void *arg) {{ for (int i = 0; i < {times}; i++) {{ {lock} counter++; {unlock} }} return NULL; }}\n\
         int main() {{ pthread_t t[{threads}];\n\
         for (int i = 0; i < {threads}; i++) pthread_create(&t[i], NULL, work, NULL);\n\
         for (int i = 0; i < {threads}; i++) pthread_join(t[i], NULL);\n\
         printf(\"%d\\n\", counter); return 0; }}\n"
    )
}

fn numbers(range: std::ops::RangeInclusive<u32>) -> BTreeSet<String> {
    range.map(|n| format!("{n}\n")).collect()
}

#[test]
fn the_unlocked_counter_can_lose_updates() {
    let e = explore_scenario(&scenario(&counter(2, 2, false, "")), &everything());
    assert_eq!(outputs(&e.outcomes), numbers(2..=4));
}

#[test]
fn the_locked_counter_has_one_outcome() {
    let e = explore_scenario(&scenario(&counter(2, 3, true, "")), &everything());
    assert_eq!(e.count, Count::Exact(1));
    assert_eq!(outputs(&e.outcomes), numbers(6..=6));
}

#[test]
fn a_deadlock_names_what_each_thread_waits_for() {
    let source = "#include <pthread.h>\n\
        pthread_mutex_t a, b;\n\
        void *one(void *x) { pthread_mutex_lock(&a); pthread_mutex_lock(&b); return NULL; }\n\
        void *two(void *x) { pthread_mutex_lock(&b); pthread_mutex_lock(&a); return NULL; }\n\
        int main() { pthread_t t, u; pthread_create(&t, NULL, one, NULL);\n\
        pthread_create(&u, NULL, two, NULL); pthread_join(t, NULL); pthread_join(u, NULL); return 0; }\n";
    let e = explore_scenario(&scenario(source), &everything());
    let waiting = (e.outcomes.iter())
        .find_map(|o| match &o.end {
            End::Deadlock { waiting } => Some(waiting.clone()),
            _ => None,
        })
        .expect("opposite lock orders can deadlock");
    let (_, phrase) = &waiting[0];
    assert!(
        phrase.contains("thread 1: pthread_join() of thread 2"),
        "{phrase}"
    );
    assert!(
        phrase.contains("thread 2: pthread_mutex_lock() of a mutex held by thread 3"),
        "{phrase}"
    );
    assert!(
        phrase.contains("thread 3: pthread_mutex_lock() of a mutex held by thread 2"),
        "{phrase}"
    );
}

#[test]
fn fork_in_a_thread_copies_only_that_thread() {
    let source = "#include <pthread.h>\n#include <stdio.h>\n#include <sys/wait.h>\n#include <unistd.h>\n\
        void *spin(void *x) { sleep(5); printf(\"never in the child\\n\"); return NULL; }\n\
        void *forker(void *x) { if (fork() == 0) { printf(\"child\\n\"); return NULL; } wait(NULL); return NULL; }\n\
        int main() { pthread_t a, b; pthread_create(&a, NULL, spin, NULL); pthread_create(&b, NULL, forker, NULL);\n\
        pthread_join(b, NULL); pthread_join(a, NULL); return 0; }\n";
    let e = explore_scenario(&scenario(source), &everything());
    assert_eq!(outputs(&e.outcomes).len(), 1);
    let o = &e.outcomes[0];
    assert_eq!(o.terminal(), b"child\nnever in the child\n");
    assert_eq!(o.processes.len(), 2);
    assert_eq!(o.processes[1].threads, 0);
    // The child's only thread returned from the forking thread's function: it was the last
    // thread, so its process exited 0.
    assert_eq!(o.processes[1].termination, Some(Termination::Exited(0)));
}

#[test]
fn exit_in_a_thread_ends_every_thread() {
    let source = "#include <pthread.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n\
        void *quit(void *x) { exit(3); }\n\
        int main() { pthread_t t; pthread_create(&t, NULL, quit, NULL); sleep(1); printf(\"main\\n\"); return 0; }\n";
    let e = explore_scenario(&scenario(source), &everything());
    assert_eq!(outputs(&e.outcomes), [String::new()].into());
    assert_eq!(
        e.outcomes[0].processes[0].termination,
        Some(Termination::Exited(3))
    );
}

#[test]
fn pthread_exit_in_main_lets_the_other_threads_finish() {
    let source = "#include <pthread.h>\n#include <stdio.h>\n\
        void *late(void *x) { printf(\"thread\\n\"); return NULL; }\n\
        int main() { pthread_t t; pthread_create(&t, NULL, late, NULL); pthread_exit(NULL); }\n";
    let e = explore_scenario(&scenario(source), &everything());
    assert_eq!(outputs(&e.outcomes), ["thread\n".to_string()].into());
    assert_eq!(
        e.outcomes[0].processes[0].termination,
        Some(Termination::Exited(0))
    );
}

proptest! {
    /// Law: whatever a random schedule of a race produces is among the explored outcomes.
    #[test]
    fn a_random_schedule_is_an_explored_outcome(seed in 0u64..1000, times in 1u32..3) {
        let config = format!("config {{ policy = random; seed = {seed}; }}");
        let s = scenario(&counter(2, times, false, &config));
        let explored = outputs(&explore_scenario(&s, &everything()).outcomes);
        let o = run(&s, &RunOptions::default()).expect("no schedule to replay");
        let got = String::from_utf8_lossy(&o.terminal()).into_owned();
        prop_assert!(explored.contains(&got), "{got:?} not in {explored:?}");
    }
}

#[test]
fn broadcast_wakes_every_waiter_and_signal_one() {
    let source = "#include <pthread.h>\n#include <stdio.h>\n\
        int go = 0, woken = 0; pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER; pthread_cond_t c = PTHREAD_COND_INITIALIZER;\n\
        void *waiter(void *x) { pthread_mutex_lock(&m); while (!go) pthread_cond_wait(&c, &m); woken++; pthread_mutex_unlock(&m); return NULL; }\n\
        int main() { pthread_t t[3]; for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, waiter, NULL);\n\
        pthread_mutex_lock(&m); go = 1; pthread_cond_broadcast(&c); pthread_mutex_unlock(&m);\n\
        for (int i = 0; i < 3; i++) pthread_join(t[i], NULL); printf(\"%d\\n\", woken); return 0; }\n";
    let e = explore_scenario(&scenario(source), &everything());
    assert_eq!(outputs(&e.outcomes), numbers(3..=3));
    assert!(e.outcomes.iter().all(|o| o.end == End::Finished));
    let one = source.replace("pthread_cond_broadcast", "pthread_cond_signal");
    let e = explore_scenario(&scenario(&one), &everything());
    assert!(
        e.outcomes
            .iter()
            .any(|o| matches!(o.end, End::Deadlock { .. })),
        "one signal leaves a waiter behind in some schedule"
    );
}

#[test]
fn named_semaphores_follow_sem_open_rules() {
    let source = "#include <errno.h>\n#include <fcntl.h>\n#include <semaphore.h>\n#include <stdio.h>\n\
        int main() { int v;\n\
        printf(\"%d \", sem_open(\"/s\", 0) == SEM_FAILED && errno == ENOENT);\n\
        sem_t *a = sem_open(\"/s\", O_CREAT, 0600, 2);\n\
        printf(\"%d \", sem_open(\"/s\", O_CREAT | O_EXCL, 0600, 0) == SEM_FAILED && errno == EEXIST);\n\
        sem_t *b = sem_open(\"s\", 0);\n\
        sem_wait(b); sem_getvalue(a, &v); printf(\"%d \", v);\n\
        printf(\"%d %d \", sem_unlink(\"/s\"), sem_unlink(\"/s\"));\n\
        sem_post(a); sem_getvalue(b, &v); printf(\"%d %d\\n\", v, sem_close(a)); return 0; }\n";
    let o = run(&scenario(source), &RunOptions::default()).expect("no schedule to replay");
    assert_eq!(String::from_utf8_lossy(&o.terminal()), "1 1 1 0 -1 2 0\n");
}

/// A thread blocks in a pipe `read` where a run's thread blocks (the pipe's own predicate),
/// and a child process's write wakes it: both orders of the two prints are explored.
#[test]
fn a_thread_reads_a_pipe_another_process_writes() {
    let source = "#include <pthread.h>\n#include <stdio.h>\n#include <sys/wait.h>\n#include <unistd.h>\n\
        int fd[2];\n\
        void *reader(void *x) { char c; read(fd[0], &c, 1); printf(\"got %c\\n\", c); return NULL; }\n\
        int main() { pthread_t t; pipe(fd); if (fork() == 0) { write(fd[1], \"x\", 1); return 0; }\n\
        pthread_create(&t, NULL, reader, NULL); printf(\"main\\n\");\n\
        pthread_join(t, NULL); wait(NULL); return 0; }\n";
    let e = explore_scenario(&scenario(source), &everything());
    let expected: BTreeSet<String> = ["got x\nmain\n", "main\ngot x\n"].map(String::from).into();
    assert_eq!(outputs(&e.outcomes), expected);
    assert!(e.outcomes.iter().all(|o| o.end == End::Finished));
}

/// A scenario explored by dispatch (it installs a handler) moves whole processes, so a
/// process that creates a thread stops the exploration as unsupported.
#[test]
fn threads_under_dispatch_stop_as_unsupported() {
    let source = "#include <pthread.h>\n#include <signal.h>\n#include <stdio.h>\n\
        void on_usr1(int sig) { }\n\
        void *work(void *x) { printf(\"thread\\n\"); return NULL; }\n\
        int main() { pthread_t t; signal(SIGUSR1, on_usr1); pthread_create(&t, NULL, work, NULL);\n\
        pthread_join(t, NULL); return 0; }\n";
    let e = explore_scenario(&scenario(source), &everything());
    assert_eq!(e.incomplete, Some((Limit::Unsupported, 0)));
}
