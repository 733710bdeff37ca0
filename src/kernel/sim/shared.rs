//! Copy-on-write parts of a global state with their hash cached, and the pool that keeps
//! one copy of each distinct part (SPIN's collapse compression, by value rather than by
//! index): the explorer stores millions of global states that differ in one process each.

use rustc_hash::{FxHashSet, FxHasher};
use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

/// A shared, copy-on-write handle to a `T` (a process's live state, its record).
///
/// Clone copies a pointer. Reading goes through `Deref`; writing (`DerefMut`) copies the
/// value first if another handle shares it (`Rc::make_mut`), so a run that never clones
/// its states pays nothing but the check. The hash of the value is computed once after each
/// change and then read as one word, so hashing a global state costs a word per part; two
/// handles are equal when they point at the same value, or else when their cached hashes
/// and then their values are equal.
pub struct Shared<T>(Rc<Part<T>>);

struct Part<T> {
    /// `hash(value) | 1`, or 0 while not computed since the last change.
    hash: Cell<u64>,
    value: T,
}

impl<T: Clone> Clone for Part<T> {
    fn clone(&self) -> Self {
        Part {
            hash: Cell::new(self.hash.get()),
            value: self.value.clone(),
        }
    }
}

impl<T> Shared<T> {
    /// A handle to `value`, shared with no one.
    pub fn new(value: T) -> Shared<T> {
        Shared(Rc::new(Part {
            hash: Cell::new(0),
            value,
        }))
    }

    /// Whether this handle is the only one to its value (it was created or changed since
    /// the state was cloned, so a pool has not seen it).
    pub(super) fn is_unique(&self) -> bool {
        Rc::strong_count(&self.0) == 1
    }
}

impl<T: Clone> Shared<T> {
    /// The value, taken out of the handle (copied if shared).
    pub fn into_inner(self) -> T {
        match Rc::try_unwrap(self.0) {
            Ok(part) => part.value,
            Err(shared) => shared.value.clone(),
        }
    }
}

impl<T: Hash> Shared<T> {
    /// The value's hash (never 0), computed on first use after a change.
    fn hash_word(&self) -> u64 {
        let cached = self.0.hash.get();
        if cached != 0 {
            return cached;
        }
        let mut hasher = FxHasher::default();
        self.0.value.hash(&mut hasher);
        let word = hasher.finish() | 1;
        self.0.hash.set(word);
        word
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        let part = Rc::make_mut(&mut self.0);
        part.hash.set(0);
        &mut part.value
    }
}

impl<T: Hash> Hash for Shared<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash_word());
    }
}

impl<T: Hash + Eq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
            || (self.hash_word() == other.hash_word() && self.0.value == other.0.value)
    }
}

impl<T: Hash + Eq> Eq for Shared<T> {}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.value.fmt(f)
    }
}

/// One copy of every distinct value seen: handles interned here are equal exactly when
/// they are the same pointer, and a value reached by many schedules is stored once.
pub struct Pool<T>(FxHashSet<Shared<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(FxHashSet::default())
    }
}

impl<T: Hash + Eq> Pool<T> {
    /// Replaces `handle` by the pool's copy of its value, adding it if new. A handle shared
    /// with another (already interned, or not changed since the last clone) is left as is.
    pub fn intern(&mut self, handle: &mut Shared<T>) {
        if !handle.is_unique() {
            return;
        }
        match self.0.get(handle) {
            Some(known) => *handle = known.clone(),
            None => {
                self.0.insert(handle.clone());
            }
        }
    }

    /// Distinct values held.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_to_a_clone_leaves_the_original_alone() {
        let a = Shared::new(vec![1, 2]);
        let mut b = a.clone();
        b.push(3);
        assert_eq!(*a, vec![1, 2]);
        assert_eq!(*b, vec![1, 2, 3]);
        assert_ne!(a, b);
    }

    #[test]
    fn equal_values_are_equal_and_hash_alike_until_changed() {
        let a = Shared::new(String::from("main.1"));
        let mut b = Shared::new(String::from("main.1"));
        assert_eq!(a, b);
        assert_eq!(a.hash_word(), b.hash_word());
        b.push('x');
        assert_ne!(a.hash_word(), b.hash_word());
        assert_ne!(a, b);
    }

    #[test]
    fn the_pool_keeps_one_copy_of_each_value() {
        let mut pool = Pool::default();
        let mut a = Shared::new(7u32);
        let mut b = Shared::new(7u32);
        pool.intern(&mut a);
        pool.intern(&mut b);
        assert!(Rc::ptr_eq(&a.0, &b.0));
        let mut c = Shared::new(8u32);
        pool.intern(&mut c);
        assert_eq!(pool.len(), 2);
    }
}
