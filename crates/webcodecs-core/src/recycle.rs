//! Small byte buffers that go back where they came from when dropped.
//!
//! An audio codec moves thousands of buffers of a few kilobytes a second
//! between threads: an input copied on the JavaScript thread and freed on
//! the codec thread, an output made on the codec thread and freed on the
//! JavaScript thread. Freed into another thread's malloc arena, each costs
//! locking, and the arena's top is trimmed and faulted in again over and
//! over. A [`Spares`] list keeps the few buffers such a stream needs for its
//! next ones (the large frames of video use [`crate::pool`] instead).

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

/// At most this many buffers wait in one list (a codec's queue holds up to
/// about this many inputs in flight)...
const MAX_SPARES: usize = 64;
/// ...and none larger than this: bigger ones are freed.
const MAX_SPARE_CAPACITY: usize = 1 << 20;

/// A list of spare buffers, shared by the [`Bytes`] taken from it.
#[derive(Clone, Default)]
pub struct Spares(Arc<Mutex<Vec<Vec<u8>>>>);

impl Spares {
    /// A buffer holding a copy of `src`.
    pub fn copy_of(&self, src: &[u8]) -> Bytes {
        let mut data = self.take();
        data.extend_from_slice(src);
        Bytes { data, home: Some(self.clone()) }
    }

    /// An empty buffer, to be filled with `extend` and the like.
    pub fn empty(&self) -> Bytes {
        Bytes { data: self.take(), home: Some(self.clone()) }
    }

    /// How many buffers wait in the list.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most recently returned buffer (its memory is the warmest), emptied.
    fn take(&self) -> Vec<u8> {
        let mut data = self.0.lock().unwrap_or_else(|e| e.into_inner()).pop().unwrap_or_default();
        data.clear();
        data
    }
}

/// Bytes that return to their [`Spares`] list when dropped (or are simply
/// freed, when they have none or it is full).
#[derive(Default)]
pub struct Bytes {
    data: Vec<u8>,
    home: Option<Spares>,
}

impl Bytes {
    /// Appends `src`.
    pub fn extend_from_slice(&mut self, src: &[u8]) {
        self.data.extend_from_slice(src);
    }

    /// The underlying vector, to be filled in place.
    pub fn vec_mut(&mut self) -> &mut Vec<u8> {
        &mut self.data
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(data: Vec<u8>) -> Bytes {
        Bytes { data, home: None }
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.data
    }
}

impl DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.data.len())
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        let Some(home) = self.home.take() else { return };
        if self.data.capacity() == 0 || self.data.capacity() > MAX_SPARE_CAPACITY {
            return;
        }
        let mut spares = home.0.lock().unwrap_or_else(|e| e.into_inner());
        if spares.len() < MAX_SPARES {
            spares.push(std::mem::take(&mut self.data));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_buffer_is_handed_out_again_emptied() {
        let spares = Spares::default();
        let a = spares.copy_of(&[1, 2, 3]);
        let first = a.as_ptr();
        assert_eq!(&*a, &[1, 2, 3]);
        drop(a);
        assert_eq!(spares.len(), 1);
        let b = spares.copy_of(&[9, 8]);
        assert_eq!(b.as_ptr(), first, "the spare's memory is reused");
        assert_eq!(&*b, &[9, 8]);
        assert!(spares.is_empty());
    }

    #[test]
    fn the_list_is_bounded_and_large_buffers_are_freed() {
        let spares = Spares::default();
        let held: Vec<Bytes> = (0..MAX_SPARES + 5).map(|i| spares.copy_of(&[i as u8; 64])).collect();
        drop(held);
        assert_eq!(spares.len(), MAX_SPARES);
        let spares = Spares::default();
        drop(spares.copy_of(&vec![0u8; MAX_SPARE_CAPACITY + 1]));
        assert!(spares.is_empty());
    }

    #[test]
    fn buffers_without_a_home_are_plain_vectors() {
        let b = Bytes::from(vec![5u8; 10]);
        assert_eq!(b.len(), 10);
        drop(b);
    }
}
