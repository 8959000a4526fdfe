//! Codec threads run with SCHED_IDLE (see `worker::yield_to_javascript`): a
//! waking event loop preempts them at once. The price is that any other
//! runnable thread on the machine, even a `nice 19` compile, takes the CPU
//! from them: a transcode could stall for as long as something else is busy.
//! A watchdog prevents that: one normal-priority thread per process, asleep
//! while no codec has work, reads the scheduler's statistics of the
//! process's SCHED_IDLE threads (codec threads and the codec libraries' own
//! threads, which inherit the policy): when over [`STARVED`] they spent most
//! of the time runnable but waiting and hardly ran, they are starved, and it
//! moves them to an ordinary low priority (nice +10: a tenth of the share of
//! a normal thread). A codec that is merely slow (one long frame) runs while
//! it works, and is left alone. Once no codec has had work for [`RELAX`],
//! they go back to SCHED_IDLE. On a quiet machine the watchdog never acts, and it
//! ends when the process has no codec left.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

/// The window over which starvation is judged: SCHED_IDLE threads waited
/// for a CPU at least half of it, and ran less than a fifth of it.
pub const STARVED: Duration = Duration::from_millis(50);
/// Every codec idle for this long: back to SCHED_IDLE.
pub const RELAX: Duration = Duration::from_millis(1000);
const TICK: Duration = Duration::from_millis(25);

/// One codec's queue, as the watchdog sees it.
#[derive(Default)]
pub struct Progress {
    pending: AtomicUsize,
}

impl Progress {
    /// A command was queued for this codec.
    pub fn queued(&self) {
        if self.pending.fetch_add(1, Ordering::SeqCst) == 0 {
            WATCH.1.notify_one();
        }
    }

    /// The codec thread finished (or skipped) a command.
    pub fn finished(&self) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Progress {
    /// The codec is gone: the watchdog ends once none is left.
    fn drop(&mut self) {
        WATCH.1.notify_one();
    }
}

/// The codecs of the process, and the watchdog's wake-up.
static WATCH: (Mutex<Vec<Weak<Progress>>>, Condvar) = (Mutex::new(Vec::new()), Condvar::new());
static STARTED: AtomicBool = AtomicBool::new(false);
/// Whether the process's codec threads are boosted now (for tests).
static BOOSTED: AtomicBool = AtomicBool::new(false);

/// Registers a codec; starts the watchdog with the first one when codec
/// threads run with SCHED_IDLE.
pub fn register(watch: bool) -> Arc<Progress> {
    let progress = Arc::new(Progress::default());
    if watch && cfg!(target_os = "linux") {
        WATCH.0.lock().unwrap_or_else(|p| p.into_inner()).push(Arc::downgrade(&progress));
        if !STARTED.swap(true, Ordering::SeqCst) {
            let spawned = std::thread::Builder::new().name("webcodecs-watch".into()).spawn(watchdog);
            if spawned.is_err() {
                STARTED.store(false, Ordering::SeqCst);
            }
        }
    }
    progress
}

/// Whether starved codec threads have been given a fair share just now.
pub fn boosted() -> bool {
    BOOSTED.load(Ordering::SeqCst)
}

fn watchdog() {
    let mut boosted_tids: Vec<i32> = Vec::new();
    let mut idle_for = Duration::ZERO;
    let mut last: HashMap<i32, (u64, u64)> = HashMap::new();
    let mut window = (Duration::ZERO, 0u64, 0u64); // elapsed, ran, waited (ns)
    loop {
        {
            let mut list = WATCH.0.lock().unwrap_or_else(|p| p.into_inner());
            list.retain(|w| w.strong_count() > 0);
            if list.is_empty() && boosted_tids.is_empty() {
                // No codec left: end (under the lock, so that a codec
                // registering now starts a new watchdog).
                STARTED.store(false, Ordering::SeqCst);
                return;
            }
            let busy = list.iter().filter_map(Weak::upgrade).any(|p| p.pending.load(Ordering::SeqCst) > 0);
            if !busy && boosted_tids.is_empty() {
                // Nothing to watch: sleep until a codec gets work.
                last.clear();
                window = (Duration::ZERO, 0, 0);
                let _unused = WATCH.1.wait(list).unwrap_or_else(|p| p.into_inner());
                continue;
            }
        }
        std::thread::sleep(TICK);
        let busy = {
            let list = WATCH.0.lock().unwrap_or_else(|p| p.into_inner());
            list.iter().filter_map(Weak::upgrade).any(|p| p.pending.load(Ordering::SeqCst) > 0)
        };
        let (ran, waited) = idle_threads_since(&mut last);
        window = (window.0 + TICK, window.1 + ran, window.2 + waited);
        let mut starved = false;
        if window.0 >= STARVED {
            let span = window.0.as_nanos() as u64;
            starved = busy && window.2 * 2 >= span && window.1 * 5 < span;
            window = (Duration::ZERO, 0, 0);
        }
        if starved {
            // Also picks up codec threads started since the last boost.
            boost(&mut boosted_tids);
            BOOSTED.store(true, Ordering::SeqCst);
            idle_for = Duration::ZERO;
        } else if !boosted_tids.is_empty() {
            idle_for = if busy { Duration::ZERO } else { idle_for + TICK };
            if idle_for >= RELAX {
                relax(&mut boosted_tids);
                BOOSTED.store(false, Ordering::SeqCst);
            }
        }
    }
}

/// CPU time the process's SCHED_IDLE threads ran and spent runnable but
/// waiting since the last call (ns, summed), from /proc's schedstat.
#[cfg(target_os = "linux")]
fn idle_threads_since(last: &mut HashMap<i32, (u64, u64)>) -> (u64, u64) {
    let (mut ran, mut waited) = (0, 0);
    let mut seen = HashMap::new();
    for tid in sched::threads() {
        // SAFETY: a plain system call on a thread id of this process.
        if unsafe { sched::sched_getscheduler(tid) } != sched::SCHED_IDLE {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")) else { continue };
        let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap_or(0));
        let now = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        if let Some(before) = last.get(&tid) {
            ran += now.0.saturating_sub(before.0);
            waited += now.1.saturating_sub(before.1);
        }
        seen.insert(tid, now);
    }
    *last = seen;
    (ran, waited)
}

#[cfg(not(target_os = "linux"))]
fn idle_threads_since(_last: &mut HashMap<i32, (u64, u64)>) -> (u64, u64) {
    (0, 0)
}

/// The scheduler calls (also used by `worker`).
#[cfg(target_os = "linux")]
pub(crate) mod sched {
    #[repr(C)]
    pub struct Param {
        pub priority: i32,
    }
    extern "C" {
        pub fn sched_getscheduler(pid: i32) -> i32;
        pub fn sched_setscheduler(pid: i32, policy: i32, param: *const Param) -> i32;
        pub fn setpriority(which: i32, who: u32, prio: i32) -> i32;
        pub fn getpriority(which: i32, who: u32) -> i32;
    }
    pub const SCHED_OTHER: i32 = 0;
    pub const SCHED_IDLE: i32 = 5;
    pub const PRIO_PROCESS: i32 = 0;

    /// The ids of this process's threads.
    pub fn threads() -> Vec<i32> {
        std::fs::read_dir("/proc/self/task")
            .map(|dir| dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
            .unwrap_or_default()
    }
}

/// Every SCHED_IDLE thread of the process to nice +10; remembers which.
#[cfg(target_os = "linux")]
fn boost(tids: &mut Vec<i32>) {
    for tid in sched::threads() {
        // SAFETY: plain system calls on thread ids of this process; a thread
        // that ended meanwhile makes them fail, which changes nothing.
        unsafe {
            if sched::sched_getscheduler(tid) == sched::SCHED_IDLE
                && sched::sched_setscheduler(tid, sched::SCHED_OTHER, &sched::Param { priority: 0 }) == 0
            {
                sched::setpriority(sched::PRIO_PROCESS, tid as u32, 10);
                tids.push(tid);
            }
        }
    }
}

/// The boosted threads (those still alive) back to SCHED_IDLE.
#[cfg(target_os = "linux")]
fn relax(tids: &mut Vec<i32>) {
    for tid in tids.drain(..) {
        // SAFETY: as in boost(). An id recycled since by another thread of
        // the process (a JavaScript or libuv thread, say) is left alone: only
        // a thread still at the nice +10 given above goes back.
        unsafe {
            if sched::sched_getscheduler(tid) == sched::SCHED_OTHER && sched::getpriority(sched::PRIO_PROCESS, tid as u32) == 10 {
                sched::sched_setscheduler(tid, sched::SCHED_IDLE, &sched::Param { priority: 0 });
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn boost(_tids: &mut Vec<i32>) {}

#[cfg(not(target_os = "linux"))]
fn relax(_tids: &mut Vec<i32>) {}
