//! Where a parse's helper threads start: on a CPU of their own (Linux).
//!
//! A new thread starts where its creator runs, or wherever the scheduler first puts it, and on a two-CPU machine
//! that was often the creator's CPU: the helper of `opsight parse` started 2 ms late at the median, and both threads
//! then shared one CPU until the load balancer moved one of them. So the creator moves itself to the helper's CPU,
//! spawns it there (a thread inherits its creator's CPU set), and moves back. The helper keeps that one CPU for the
//! rest of its short life: the parts are handed out one at a time, so a helper whose CPU gets busy takes fewer of
//! them. Measured in docs/performance.md ("Twenty-first look").
//!
//! Linux only, and not Android: a phone's CPUs are not alike (big and little cores), and which one a helper would
//! get is for its scheduler to decide. Elsewhere, and whenever the CPU set cannot be read or changed (a sandbox
//! that refuses the calls), threads are spawned as usual.

use std::thread::{Scope, ScopedJoinHandle};

/// Spawns the `k`-th helper (from 1) of a parse on `scope`, on a CPU of the caller's set other than the caller's
/// own, the `k`-th after it. The caller's CPU set is as it was when this returns.
pub(super) fn spawn_apart<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    k: usize,
    f: impl FnOnce() -> T + Send + 'scope,
) -> ScopedJoinHandle<'scope, T> {
    let _moved = imp::Moved::to_helper_cpu(k);
    scope.spawn(f)
}

/// The `k`-th CPU (from 1) after `home` in `cpus` (increasing), going round and never to `home`; `None` when
/// `cpus` has no other CPU, or does not hold `home`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn helper_cpu(cpus: &[usize], home: usize, k: usize) -> Option<usize> {
    let at = cpus.iter().position(|&c| c == home)?;
    let others = cpus.len().checked_sub(1).filter(|&n| n > 0)?;
    cpus.get((at + 1 + k.saturating_sub(1) % others) % cpus.len()).copied()
}

#[cfg(target_os = "linux")]
mod imp {
    use rustix::thread::{sched_getaffinity, sched_getcpu, sched_setaffinity, CpuSet};

    /// The calling thread moved to a helper's CPU; dropped, it goes back.
    pub(super) struct Moved {
        home: usize,
        set: CpuSet,
    }

    impl Moved {
        pub(super) fn to_helper_cpu(k: usize) -> Option<Moved> {
            let set = sched_getaffinity(None).ok()?;
            let home = sched_getcpu();
            let cpus: Vec<usize> = (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect();
            sched_setaffinity(None, &only(super::helper_cpu(&cpus, home, k)?)).ok()?;
            Some(Moved { home, set })
        }
    }

    impl Drop for Moved {
        fn drop(&mut self) {
            // Back to its own CPU first: given its whole set at once, the caller stayed on the helper's CPU, and
            // the two shared it as when the helper was not placed (measured: no gain at all that way).
            let _ = sched_setaffinity(None, &only(self.home));
            let _ = sched_setaffinity(None, &self.set);
        }
    }

    fn only(cpu: usize) -> CpuSet {
        let mut set = CpuSet::new();
        set.set(cpu);
        set
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub(super) struct Moved;

    impl Moved {
        pub(super) fn to_helper_cpu(_k: usize) -> Option<Moved> {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::helper_cpu;

    #[test]
    fn helpers_go_round_the_other_cpus() {
        let cpus = [0, 2, 3, 5];
        let of = |home, ks: std::ops::RangeInclusive<usize>| ks.map(|k| helper_cpu(&cpus, home, k)).collect::<Vec<_>>();
        assert_eq!(of(0, 1..=4), [Some(2), Some(3), Some(5), Some(2)]);
        assert_eq!(of(3, 1..=4), [Some(5), Some(0), Some(2), Some(5)]);
        assert_eq!(of(5, 1..=3), [Some(0), Some(2), Some(3)]);
        assert_eq!(helper_cpu(&cpus, 1, 1), None, "home not in the set: spawned as usual");
        assert_eq!(helper_cpu(&[4], 4, 1), None, "no other CPU");
        assert_eq!(helper_cpu(&[], 0, 1), None);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod linux_tests {
    use rustix::thread::{sched_getaffinity, sched_setaffinity, CpuSet};

    use super::spawn_apart;

    fn cpus(set: &CpuSet) -> Vec<usize> {
        (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect()
    }

    #[test]
    fn each_helper_is_kept_to_one_cpu_of_the_callers_set_and_the_caller_keeps_its_set() {
        let before = sched_getaffinity(None).expect("affinity");
        let all = cpus(&before);
        // Where the CPU set cannot be changed (a sandbox refusing the call), helpers are spawned as usual.
        let placeable = all.len() > 1 && sched_setaffinity(None, &before).is_ok();
        let placed: Vec<Vec<usize>> = std::thread::scope(|s| {
            let helpers: Vec<_> =
                (1..=3).map(|k| spawn_apart(s, k, || cpus(&sched_getaffinity(None).expect("affinity")))).collect();
            helpers.into_iter().map(|h| h.join().expect("helper")).collect()
        });
        assert_eq!(sched_getaffinity(None).expect("affinity"), before, "the caller's CPU set is given back");
        for set in &placed {
            if placeable {
                // One CPU of the caller's set. (Not "other than the caller's": the caller may have moved since.)
                assert_eq!(set.len(), 1, "{set:?}");
                assert!(all.contains(&set[0]), "{set:?} in {all:?}");
            } else {
                assert_eq!(set, &all, "spawned as usual");
            }
        }
    }

    #[test]
    fn a_caller_kept_to_one_cpu_spawns_as_usual_and_stays_there() {
        let before = sched_getaffinity(None).expect("affinity");
        let mut one = CpuSet::new();
        one.set(cpus(&before)[0]);
        sched_setaffinity(None, &one).expect("set affinity");
        let helper = std::thread::scope(|s| {
            spawn_apart(s, 1, || sched_getaffinity(None).expect("affinity")).join().expect("helper")
        });
        let after = sched_getaffinity(None).expect("affinity");
        sched_setaffinity(None, &before).expect("restore");
        assert_eq!(after, one);
        assert_eq!(helper, one);
    }
}
