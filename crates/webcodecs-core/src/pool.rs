//! Reused memory for large frame and packet buffers.
//!
//! A 720p frame is 1.4 MB, a 12-megapixel image 36-48 MB: each fresh one costs
//! a page fault every 4 KB (the kernel zeroes the page), which is more than
//! the copy or conversion that fills it. Buffers of 64 KB and more come from
//! here as `AVBufferRef`s whose free callback hands the memory back instead of
//! freeing it, so a steady stream of same-sized frames touches no new memory.
//! Spare buffers live [`IDLE`] at most and [`MAX_SPARE`] bytes in all; a
//! janitor thread frees what has idled (and, on glibc, asks malloc to give the
//! pages back to the system), so memory returns after a burst without a GC.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ffmpeg_next::ffi;
use once_cell::sync::Lazy;

/// Smaller buffers come from FFmpeg's allocator directly: malloc reuses them well.
pub const MIN_POOLED: usize = 64 << 10;
/// How long a spare buffer waits for reuse before it is freed.
pub const IDLE: Duration = Duration::from_millis(1500);
/// At most this many spare bytes are kept.
pub const MAX_SPARE: usize = 256 << 20;

struct Spare {
    ptr: usize,
    size: usize,
    since: Instant,
}

#[derive(Default)]
struct State {
    spare: Vec<Spare>,
    spare_bytes: usize,
    /// Bytes handed out and not yet returned (for tests and reporting).
    live_bytes: usize,
    janitor: bool,
    /// When a buffer last came back: the janitor stays while buffers move.
    last_release: Option<Instant>,
    /// Janitor threads started (for tests).
    janitors: usize,
}

static POOL: Lazy<Mutex<State>> = Lazy::new(|| Mutex::new(State::default()));

/// Rounds a request up to whole pages, so that requests of nearly the same
/// size share buffers.
fn class(size: usize) -> usize {
    size.div_ceil(4096) * 4096
}

/// The free callback of pooled buffers; the size travels in `opaque`.
unsafe extern "C" fn give_back(opaque: *mut std::os::raw::c_void, data: *mut u8) {
    release(data, opaque as usize);
}

fn release(data: *mut u8, size: usize) {
    let mut state = POOL.lock().unwrap_or_else(|e| e.into_inner());
    state.live_bytes = state.live_bytes.saturating_sub(size);
    if size > MAX_SPARE {
        drop(state);
        unsafe { ffi::av_free(data as *mut _) };
        return;
    }
    // Make room: the oldest spares go first.
    while state.spare_bytes + size > MAX_SPARE && !state.spare.is_empty() {
        let old = state.spare.remove(0);
        state.spare_bytes -= old.size;
        unsafe { ffi::av_free(old.ptr as *mut _) };
    }
    let now = Instant::now();
    state.spare.push(Spare { ptr: data as usize, size, since: now });
    state.spare_bytes += size;
    state.last_release = Some(now);
    // No wake-up for a running janitor: a new spare is the youngest, so the
    // time it waits for (the oldest spare's) stays the same.
    if !state.janitor {
        state.janitor = true;
        state.janitors += 1;
        let started = std::thread::Builder::new().name("webcodecs-pool".into()).spawn(janitor).is_ok();
        if !started {
            state.janitor = false;
        }
    }
}

/// Frees spares older than [`IDLE`]; exits when none have been left for
/// [`IDLE`]. A stream of frames takes its spare back before the next one
/// returns, so the list is often empty for a moment: leaving then would start
/// a thread every frame or two (511 in the two 300-frame VP9 rows of
/// bench/matrix.js).
fn janitor() {
    let lock = &*POOL;
    let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        let mut freed = Vec::new();
        state.spare.retain(|s| {
            let keep = now.duration_since(s.since) < IDLE;
            if !keep {
                freed.push(s.ptr);
            }
            keep
        });
        state.spare_bytes = state.spare.iter().map(|s| s.size).sum();
        if !freed.is_empty() {
            drop(state);
            for ptr in freed {
                unsafe { ffi::av_free(ptr as *mut _) };
            }
            trim();
            state = lock.lock().unwrap_or_else(|e| e.into_inner());
            continue;
        }
        let deadline = match state.spare.iter().map(|s| s.since).min() {
            Some(oldest) => oldest + IDLE,
            None => match state.last_release {
                Some(last) if now.duration_since(last) < IDLE => last + IDLE,
                _ => {
                    state.janitor = false;
                    return;
                }
            },
        };
        let wait = deadline.saturating_duration_since(now) + Duration::from_millis(10);
        drop(state);
        std::thread::sleep(wait);
        state = lock.lock().unwrap_or_else(|e| e.into_inner());
    }
}

/// Returns freed heap pages to the system (glibc keeps them otherwise).
pub(crate) fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        unsafe { malloc_trim(0) };
    }
}

/// A reference-counted buffer of at least `size` bytes, reused from the pool
/// when one of its size class is spare. Its contents are undefined. Null when
/// memory is exhausted.
pub fn buffer(size: usize) -> *mut ffi::AVBufferRef {
    if size < MIN_POOLED {
        return unsafe { ffi::av_buffer_alloc(size) };
    }
    let size = class(size);
    let lock = &*POOL;
    let reused = {
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        state.live_bytes += size;
        // The most recently returned buffer of this class: its pages are the warmest.
        let found = state.spare.iter().rposition(|s| s.size == size);
        found.map(|i| {
            let s = state.spare.remove(i);
            state.spare_bytes -= s.size;
            s.ptr as *mut u8
        })
    };
    let data = reused.unwrap_or_else(|| unsafe { ffi::av_malloc(size) as *mut u8 });
    if data.is_null() {
        lock.lock().unwrap_or_else(|e| e.into_inner()).live_bytes -= size;
        return std::ptr::null_mut();
    }
    let buf = unsafe { ffi::av_buffer_create(data, size, Some(give_back), size as *mut _, 0) };
    if buf.is_null() {
        release(data, size);
    }
    buf
}

/// (bytes in use, spare bytes) of pooled buffers.
pub fn usage() -> (usize, usize) {
    let state = POOL.lock().unwrap_or_else(|e| e.into_inner());
    (state.live_bytes, state.spare_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This module's tests take turns: each watches the pool as a whole.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    #[test]
    fn a_returned_buffer_is_reused_then_freed_after_idling() {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // A size no other test asks for, so the buffer cannot be taken meanwhile.
        let size = (3 << 20) + 7 * 4096;
        let mut a = buffer(size);
        let first = unsafe { (*a).data };
        assert!(unsafe { (*a).size } >= size);
        unsafe { ffi::av_buffer_unref(&mut a) };
        assert!(usage().1 >= size);
        let mut b = buffer(size);
        assert_eq!(unsafe { (*b).data }, first, "the spare buffer is handed out again");
        unsafe { ffi::av_buffer_unref(&mut b) };
        std::thread::sleep(IDLE + Duration::from_millis(300));
        // Other tests may use the pool meanwhile: only this class must be gone.
        let state = POOL.lock().unwrap();
        assert!(state.spare.iter().all(|s| s.size != class(size) || s.since.elapsed() < IDLE));
    }

    #[test]
    fn one_janitor_serves_a_stream_of_buffers() {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        // Other tests' spares would keep a janitor busy: wait for them to go.
        let quiet = Instant::now();
        while !POOL.lock().unwrap().spare.is_empty() && quiet.elapsed() < 3 * IDLE {
            std::thread::sleep(Duration::from_millis(20));
        }
        let size = (2 << 20) + 3 * 4096;
        let mut b = buffer(size);
        let mut spawned = None;
        for _ in 0..100 {
            // Returned and at once taken again, as by a codec thread that
            // frees one frame and makes the next: the spare list is empty
            // again before the janitor has started.
            unsafe { ffi::av_buffer_unref(&mut b) };
            b = buffer(size);
            spawned.get_or_insert(POOL.lock().unwrap().janitors);
            std::thread::sleep(Duration::from_millis(2));
        }
        unsafe { ffi::av_buffer_unref(&mut b) };
        let janitors = POOL.lock().unwrap().janitors;
        assert_eq!(janitors, spawned.unwrap(), "no janitor started after the first");
    }
}
