//! Where a parse's helper threads run: each on a CPU of its own (Linux).
//!
//! A new thread is often queued on its creator's CPU: the helper of `opsight parse` started 2 ms late at the
//! median on the 2-vCPU machine, or took that CPU from its creator, and the two then shared one CPU until the load
//! balancer moved one of them. So each helper first keeps itself to one CPU of the caller's set other than the
//! caller's (`sched_setaffinity` on itself), and the caller yields once after spawning it, so that a helper queued
//! behind it runs at once and leaves. The caller's own CPU set is never changed. The helper keeps its one CPU for
//! the rest of its short life: the parts are handed out one at a time, so a helper whose CPU gets busy takes fewer
//! of them. Measured in docs/performance-history.md ("Twenty-first look").
//!
//! Linux only, and not Android: a phone's CPUs are not alike (big and little cores), and which one a helper gets is
//! for its scheduler to decide. Elsewhere, and whenever the CPU set cannot be read or changed (a sandbox that
//! refuses the calls), threads are spawned as usual.

use std::thread::{Scope, ScopedJoinHandle};

/// Spawns `helpers` helpers of a parse on `scope`, each running `f`: the `k`-th (from 1) kept to the `k`-th CPU
/// after the caller's in the caller's CPU set, which is read once.
pub(super) fn spawn_helpers<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    helpers: usize,
    f: impl FnOnce() -> T + Send + Copy + 'scope,
) -> Vec<ScopedJoinHandle<'scope, T>> {
    let caller = if helpers > 0 { imp::caller_cpus() } else { None };
    (1..=helpers)
        .map(|k| {
            let Some(cpu) = caller.as_ref().and_then(|(cpus, home)| helper_cpu(cpus, *home, k)) else {
                return scope.spawn(f);
            };
            let helper = scope.spawn(move || {
                imp::keep_to(cpu);
                f()
            });
            std::thread::yield_now();
            helper
        })
        .collect()
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
    use rustix::thread::{sched_getaffinity, sched_setaffinity, CpuSet};

    /// The calling thread's CPU set, as a list, and the CPU it is on.
    pub(super) fn caller_cpus() -> Option<(Vec<usize>, usize)> {
        Some((cpus_of(&sched_getaffinity(None).ok()?), current_cpu()?))
    }

    /// The CPUs of `set`, increasing.
    pub(super) fn cpus_of(set: &CpuSet) -> Vec<usize> {
        (0..CpuSet::MAX_CPU).filter(|&c| set.is_set(c)).collect()
    }

    /// The CPU the calling thread last ran on: field 39 of `/proc/thread-self/stat` (about 20 µs, once per parse).
    /// Not rustix's `sched_getcpu`, whose vDSO lookup crashed the process under valgrind: it follows the auxiliary
    /// vector of `/proc/self/auxv` to a vDSO that valgrind does not map.
    pub(super) fn current_cpu() -> Option<usize> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // After the command name, which may hold spaces and parentheses, fields 3 on.
        stat.rsplit_once(')')?.1.split_whitespace().nth(39 - 3)?.parse().ok()
    }

    /// Keeps the calling thread to `cpu`; if that is refused, it runs where it is.
    pub(super) fn keep_to(cpu: usize) {
        let mut set = CpuSet::new();
        set.set(cpu);
        let _ = sched_setaffinity(None, &set);
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub(super) fn caller_cpus() -> Option<(Vec<usize>, usize)> {
        None
    }

    pub(super) fn keep_to(_cpu: usize) {}
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

    use super::imp::cpus_of as cpus;
    use super::spawn_helpers;

    #[test]
    fn each_helper_is_kept_to_one_cpu_of_the_callers_set_and_the_callers_set_is_left_alone() {
        let before = sched_getaffinity(None).expect("affinity");
        let all = cpus(&before);
        // Where the CPU set cannot be changed (a sandbox refusing the call), helpers run as usual.
        let placeable = all.len() > 1 && sched_setaffinity(None, &before).is_ok();
        let placed: Vec<Vec<usize>> = std::thread::scope(|s| {
            let helpers = spawn_helpers(s, 3, || cpus(&sched_getaffinity(None).expect("affinity")));
            helpers.into_iter().map(|h| h.join().expect("helper")).collect()
        });
        assert_eq!(sched_getaffinity(None).expect("affinity"), before, "the caller's CPU set is unchanged");
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
    fn the_current_cpu_is_one_of_the_callers_set() {
        let set = sched_getaffinity(None).expect("affinity");
        let cpu = super::imp::current_cpu().expect("/proc/thread-self/stat");
        assert!(set.is_set(cpu), "{cpu} in {set:?}");
        // Kept to one CPU, the thread is on it.
        let only = cpus(&set)[0];
        let mut one = CpuSet::new();
        one.set(only);
        let on = std::thread::spawn(move || {
            sched_setaffinity(None, &one).expect("set affinity");
            super::imp::current_cpu()
        });
        assert_eq!(on.join().expect("thread"), Some(only));
    }

    #[test]
    fn a_caller_kept_to_one_cpu_spawns_as_usual() {
        let before = sched_getaffinity(None).expect("affinity");
        let mut one = CpuSet::new();
        one.set(cpus(&before)[0]);
        sched_setaffinity(None, &one).expect("set affinity");
        let helper = std::thread::scope(|s| {
            let helpers = spawn_helpers(s, 1, || sched_getaffinity(None).expect("affinity"));
            helpers.into_iter().map(|h| h.join().expect("helper")).collect::<Vec<_>>()
        });
        let after = sched_getaffinity(None).expect("affinity");
        sched_setaffinity(None, &before).expect("restore");
        assert_eq!(after, one);
        assert_eq!(helper, [one]);
    }
}
