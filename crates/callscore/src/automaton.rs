//! The anchor automaton in the form the scan walks.
//!
//! This module builds the Aho-Corasick automaton of all anchor literals (see
//! [`crate::matcher`]) as a DFA, with the textbook construction (a trie, then breadth
//! first: each state's row is its failure state's row with its own edges written over),
//! and lays it out for one job, walking about a kilobyte of folded text per call as fast
//! as the memory system allows. (It used to take the trie, failure links and matches
//! from `aho-corasick`'s NFA and ask that NFA for every state's every transition: 7 ms
//! of every start-up for the default rubric's 15,000 states: `callscore score one.txt`
//! took 21-23 ms with it and takes 14.3-14.4 ms with this. `aho-corasick` stays the
//! reference the tests compare the walk with.) A walk is a chain of dependent table
//! look-ups, one per byte, so its speed is the latency of those loads, and that depends
//! on how much of the table the walk keeps in cache:
//!
//! - **byte classes**: bytes that occur in no literal all behave alike and share one
//!   column; every other byte has its own (38 columns for the default rubric);
//! - **columns, two bytes an entry**: the table is stored column by column (all states'
//!   transitions on one class together) and a state is its number, so a step is
//!   `column_start(byte)[state]`: one load on the chain of dependent look-ups (the
//!   column's start comes from the byte alone, off the chain), and 16-bit entries while
//!   there are at most 65,536 states (the default rubric has 6,221: 473 KB);
//! - **the most visited states first**: the walk spends most of its time in a few hundred
//!   states (most words match a letter or two of some literal, then fall back), and those
//!   are numbered first, so that in every column their entries sit together and the walk's
//!   working set is the first few hundred entries of each column. Which states those are
//!   is learnt when the table is built, by walking a sample of common spoken English (5
//!   KB made from `data/common-words.txt`, see `matcher::common_speech`) and counting each
//!   state's visits; states the sample never reaches keep breadth-first order after them.
//!   (Breadth-first order alone put only 71% of the visits of a STAR call in the first 512
//!   states, and match states, numbered last, got 7%; cachegrind's model of this machine's
//!   48 KB L1 counted 291 misses a STAR call in the walk with breadth-first order, 245
//!   with this, and 215 with the order learnt from STAR itself.) The match states come
//!   last, so "is this a match?" is one comparison and a match state's number less the
//!   first one's indexes its match list;
//! - **no branch per match**: the walk writes every step's state to its output and moves
//!   the write position on only at a match state (~65 mispredicted branches per STAR
//!   call before, none now);
//! - **flat match lists**: each match state's first literal (and its length) inline, the
//!   rare others in one array;
//! - **no bounds checks in the walk**: the walk's look-ups are unchecked (`unsafe`), which
//!   is sound because [`Table::new`] checks, once, that every column offset plus every
//!   state number is inside the table and that every entry is a state number, and builds
//!   no table otherwise (the ruleset then fails to build, with an error). With the checks
//!   gone, three parts of a call fit in the CPU's registers at once (see `LANES` in
//!   `matcher.rs`);
//! - **no matches the scan would throw away**: a literal that only ever counts where it
//!   starts a word is left out of the match lists of the states that know it is inside
//!   one (`her` in `there`, `our` in `your`, `im` in `time`). A STAR call reported 58
//!   literals to the scan, 18.5 of them inside a word; this made scoring 2-3% faster
//!   (`ab.py`: 6.60 -> 6.44, 6.62 -> 6.42 µs a call), and 216 of the default rubric's
//!   3,390 match states plain ones.
//!
//! The result is the same automaton (the same matches, tested against `aho-corasick`'s own
//! overlapping search, less those left out inside words), a quarter the size of
//! `aho-corasick`'s DFA of the same literals (473 KB against 1.6 MB for the default rubric
//! when it had 6,221 states) and quicker to build.

/// The flag, in a first match's length, that the state has more matches.
const MORE: u32 = 1 << 31;

/// The transitions, column by column: the next state of `state` on a byte of class `c`
/// is entry `c * states + state`. Two bytes an entry while the states fit (the default
/// rubric's 6,221 do), four for bigger packs.
#[derive(Debug, Clone)]
enum Trans {
    /// Up to 65,536 states.
    Small(Vec<u16>),
    /// More states.
    Large(Vec<u32>),
}

/// A compact DFA over byte classes, its busiest states first (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Each byte's column, as the offset of the column in the transitions (class × number
    /// of states), so a step is one add and one load.
    column: [u32; 256],
    /// Transitions, column-major (see [`Trans`]); a state is its number: non-match states
    /// then match states, each the most visited on the build's sample first.
    trans: Trans,
    /// Columns (the number of classes), for tests.
    #[cfg(test)]
    stride: u32,
    /// The start state.
    start: u32,
    /// The number of states.
    states: u32,
    /// States from this one on are match states.
    match_from: u32,
    /// The `k`-th match state's first match: (literal, its length in bytes), the length's
    /// top bit set when the state has more matches.
    first: Vec<(u32, u32)>,
    /// Where the `k`-th match state's other matches start in `more` (one more entry than
    /// match states): most states report one literal, and need only `first`.
    more_at: Vec<u32>,
    /// The other matches: (literal, length).
    more: Vec<(u32, u32)>,
}

impl Table {
    /// The automaton of `literals` (all matches, overlapping ones included, as
    /// `aho-corasick`'s standard match kind reports them). `None` when the table would not
    /// fit 32-bit offsets or it fails the check the walk's unchecked look-ups rely on.
    /// `sample` is text like what the table will walk: the states it visits most are
    /// numbered first (any sample, or none, gives the same matches).
    ///
    /// `word_start[i]`: literal `i` matters only where it starts a word (where the byte
    /// before it is not an ASCII word byte, or there is none), so the table leaves out
    /// its matches that it knows are inside a word. A state knows the bytes of its own
    /// string, so it leaves out such a literal where the literal is a proper suffix of
    /// that string preceded by a word byte (`her` in the state of `there`); a state
    /// whose matches all go becomes a plain state, and the walk passes it without a
    /// note. Where the literal is the state's whole string, the byte before is not
    /// known, and the match stays (the scan tests it). Literals past the end of
    /// `word_start` are reported everywhere.
    pub(crate) fn new(literals: &[Vec<u8>], word_start: &[bool], sample: &[u8]) -> Option<Table> {
        // Classes: one for every byte some literal holds, one (the first) for all others.
        let mut used = [false; 256];
        for &b in literals.iter().flatten() {
            used[b as usize] = true;
        }
        let mut class = [0u8; 256];
        let mut reps: Vec<u8> = (0..=255u8)
            .find(|&b| !used[b as usize])
            .into_iter()
            .collect();
        for b in 0..=255u8 {
            if used[b as usize] {
                class[b as usize] = u8::try_from(reps.len()).ok()?;
                reps.push(b);
            }
        }
        let stride = reps.len();
        // The trie of the literals (node 0 the root), in flat arrays: each node's first
        // child and next sibling, the class of the edge into it, and the first and last
        // literal that end at it (a literal given twice ends at the same node), each
        // literal linked to the next that ends where it does. (A vector of edges and one
        // of literals per node were 30,000 small allocations for the default rubric.)
        const NONE: u32 = u32::MAX;
        let mut first_child: Vec<u32> = vec![NONE];
        let mut sibling: Vec<u32> = vec![NONE];
        let mut edge: Vec<u8> = vec![0];
        let mut ends: Vec<(u32, u32)> = vec![(NONE, NONE)];
        let mut next_lit: Vec<u32> = vec![NONE; literals.len()];
        for (i, lit) in literals.iter().enumerate() {
            let mut node = 0usize;
            for &b in lit {
                let c = class[b as usize];
                let mut child = *first_child.get(node)?;
                while child != NONE && *edge.get(child as usize)? != c {
                    child = *sibling.get(child as usize)?;
                }
                node = if child != NONE {
                    child as usize
                } else {
                    let new = u32::try_from(edge.len()).ok()?;
                    sibling.push(*first_child.get(node)?);
                    *first_child.get_mut(node)? = new;
                    first_child.push(NONE);
                    edge.push(c);
                    ends.push((NONE, NONE));
                    new as usize
                };
            }
            let i = u32::try_from(i).ok()?;
            let (head, tail) = ends.get_mut(node)?;
            if *tail == NONE {
                *head = i;
            } else {
                *next_lit.get_mut(*tail as usize)? = i;
            }
            *tail = i;
        }
        // Breadth-first, the textbook construction: `order[k]` is the k-th node found,
        // `bfs` its transitions on every class (by breadth-first number), `fail` its
        // failure state. A node goes where its failure state goes, except along its own
        // edges; its failure state is where its parent's failure state goes on the same
        // class (shallower, so numbered and filled in already). Children are numbered in
        // class order, as a walk over the classes finds them (the order the walk's table
        // was tuned with). Its matches are its own literals (from `own[k]` on), then its
        // failure state's, and so on; `has_match[k]` says whether there are any.
        let nodes = edge.len();
        let mut order: Vec<u32> = Vec::with_capacity(nodes);
        order.push(0);
        let mut fail: Vec<u32> = Vec::with_capacity(nodes);
        fail.push(0);
        let mut bfs: Vec<u32> = Vec::with_capacity(nodes.saturating_mul(stride));
        let mut own: Vec<u32> = Vec::with_capacity(nodes);
        // Each state's parent (breadth-first number) and the byte on the edge into it.
        let mut parent: Vec<u32> = Vec::with_capacity(nodes);
        parent.push(0);
        let mut byte_in: Vec<u8> = Vec::with_capacity(nodes);
        byte_in.push(0);
        let mut out_link: Vec<u32> = Vec::with_capacity(nodes);
        let mut children: Vec<(u8, u32)> = Vec::new();
        let mut k = 0;
        while let Some(&node) = order.get(k) {
            let f = fail[k] as usize;
            // The failure state's row (the root's: itself).
            let row = bfs.len();
            if k == 0 {
                bfs.resize(stride, 0);
            } else {
                bfs.extend_from_within(f * stride..f * stride + stride);
            }
            own.push(ends.get(node as usize)?.0);
            // The nearest state down the failure chain with literals of its own.
            out_link.push(match k {
                0 => NONE,
                _ if own[f] != NONE => f as u32,
                _ => out_link[f],
            });
            children.clear();
            let mut child = *first_child.get(node as usize)?;
            while child != NONE {
                children.push((*edge.get(child as usize)?, child));
                child = *sibling.get(child as usize)?;
            }
            children.sort_unstable();
            for &(c, child) in &children {
                let num = u32::try_from(order.len()).ok()?;
                // The child's failure state: where this one's failure state goes on `c`
                // (the root for the root's children).
                let cf = if k == 0 {
                    0
                } else {
                    bfs[f * stride + c as usize]
                };
                bfs[row + c as usize] = num;
                order.push(child);
                fail.push(cf);
                parent.push(u32::try_from(k).ok()?);
                byte_in.push(*reps.get(c as usize)?);
            }
            k += 1;
        }
        // Whether, in state `k`'s string, the `len` bytes at its end are preceded by a
        // word byte (false when they are the whole string).
        let inside_word = |k: usize, len: usize| {
            let mut a = k;
            for _ in 0..len {
                a = parent[a] as usize;
            }
            a != 0 && crate::backtrack::is_word_byte(byte_in[a])
        };
        // State `k`'s matches: its own literals, then those of the states down its
        // failure chain, in order, less those that must start a word and do not here.
        let matches_of = |k: usize, out: &mut Vec<u32>| {
            out.clear();
            let mut f = k as u32;
            while f != NONE {
                let mut lit = own[f as usize];
                while let Some(&next) = next_lit.get(lit as usize) {
                    let len = literals.get(lit as usize).map_or(0, Vec::len);
                    if !(word_start.get(lit as usize) == Some(&true) && inside_word(k, len)) {
                        out.push(lit);
                    }
                    lit = next;
                }
                f = out_link[f as usize];
            }
        };
        let mut m = Vec::new();
        let has_match: Vec<bool> = (0..order.len())
            .map(|k| {
                matches_of(k, &mut m);
                !m.is_empty()
            })
            .collect();
        // Non-match states first, then match states, each group the most visited first
        // (see the module docs): `number` maps a breadth-first number to the state's final
        // number.
        let mut visits = vec![0u32; order.len()];
        let mut at = 0usize;
        for &b in sample {
            at = *bfs.get(at * stride + class[b as usize] as usize)? as usize;
            *visits.get_mut(at)? += 1;
        }
        let (mut plain, mut matching): (Vec<u32>, Vec<u32>) =
            (0..order.len() as u32).partition(|&k| !has_match[k as usize]);
        for group in [&mut plain, &mut matching] {
            // Stable: states the sample never reaches stay in breadth-first order.
            group.sort_by_key(|&k| std::cmp::Reverse(visits[k as usize]));
        }
        let states = order.len();
        let mut number = vec![0u32; states];
        for (k, &b) in plain.iter().chain(&matching).enumerate() {
            number[b as usize] = u32::try_from(k).ok()?;
        }
        // Column by column: entry `c * states + k` is where final state `k` goes on class
        // `c` (every entry's offset must fit the 32-bit `column` offsets).
        u32::try_from(states.checked_mul(stride)?).ok()?;
        // Row by row in final order (reading `bfs` in order; each column is written in
        // order), straight into the width the table will have.
        fn transpose<T: Copy + Default>(
            bfs: &[u32],
            order: impl Iterator<Item = u32>,
            number: &[u32],
            (states, stride): (usize, usize),
            narrow: impl Fn(u32) -> T,
        ) -> Option<Vec<T>> {
            let mut out = vec![T::default(); states * stride];
            for (k, b) in order.enumerate() {
                let row = bfs.get(b as usize * stride..(b as usize + 1) * stride)?;
                for (c, &t) in row.iter().enumerate() {
                    *out.get_mut(c * states + k)? = narrow(*number.get(t as usize)?);
                }
            }
            Some(out)
        }
        let final_order = || plain.iter().chain(&matching).copied();
        let trans = if states <= 1 << 16 {
            Trans::Small(transpose(
                &bfs,
                final_order(),
                &number,
                (states, stride),
                |t| t as u16,
            )?)
        } else {
            Trans::Large(transpose(
                &bfs,
                final_order(),
                &number,
                (states, stride),
                |t| t,
            )?)
        };
        let mut column = [0u32; 256];
        for (b, col) in column.iter_mut().enumerate() {
            *col = u32::from(class[b]) * states as u32;
        }
        let mut first = Vec::with_capacity(matching.len());
        let mut more_at = Vec::with_capacity(matching.len() + 1);
        let mut more = Vec::new();
        for &b in &matching {
            more_at.push(u32::try_from(more.len()).ok()?);
            matches_of(b as usize, &mut m);
            for (k, &lit) in m.iter().enumerate() {
                let len = literals.get(lit as usize).map_or(0, Vec::len);
                let len = u32::try_from(len).ok().filter(|&l| l < MORE)?;
                if k == 0 {
                    let flag = if m.len() > 1 { MORE } else { 0 };
                    first.push((lit, len | flag));
                } else {
                    more.push((lit, len));
                }
            }
        }
        more_at.push(u32::try_from(more.len()).ok()?);
        let trans_len = match &trans {
            Trans::Small(t) => t.len(),
            Trans::Large(t) => t.len(),
        };
        let in_range = |t: u32| (t as usize) < states;
        // What the walk's unchecked look-ups rely on (see `walk_in`).
        let sound = column.iter().all(|&c| c as usize + states <= trans_len)
            && in_range(number[0])
            && match &trans {
                Trans::Small(t) => t.iter().all(|&x| in_range(x.into())),
                Trans::Large(t) => t.iter().all(|&x| in_range(x)),
            };
        if !sound {
            return None;
        }
        Some(Table {
            column,
            trans,
            states: u32::try_from(states).ok()?,
            #[cfg(test)]
            stride: u32::try_from(stride).ok()?,
            start: number[0],
            match_from: u32::try_from(plain.len()).ok()?,
            first,
            more_at,
            more,
        })
    }

    /// The number of match states.
    pub(crate) fn match_states(&self) -> usize {
        self.first.len()
    }

    /// A match state's place among the match states (`0..match_states()`; past the end
    /// for any other state).
    #[inline]
    pub(crate) fn match_index(&self, state: u32) -> usize {
        state.wrapping_sub(self.match_from) as usize
    }

    /// The match state at place `k` among the match states.
    pub(crate) fn match_state(&self, k: usize) -> u32 {
        self.match_from.wrapping_add(k as u32)
    }

    /// Call `f` with each literal a match state reports, and the literal's length.
    #[inline]
    pub(crate) fn each_match(&self, state: u32, mut f: impl FnMut(u32, u32)) {
        let k = state.wrapping_sub(self.match_from) as usize;
        let Some(&(lit, len)) = self.first.get(k) else {
            return;
        };
        f(lit, len & !MORE);
        if len & MORE != 0 {
            if let (Some(&a), Some(&b)) = (self.more_at.get(k), self.more_at.get(k + 1)) {
                for &(lit, len) in self.more.get(a as usize..b as usize).unwrap_or(&[]) {
                    f(lit, len);
                }
            }
        }
    }

    /// Walk the automaton over `L` consecutive parts of `buf` at once, each from the
    /// start state (`starts` are where the parts begin, the first at 0, each at a turn
    /// boundary, so a literal never spans two parts), and leave in `out[..n]` each match
    /// state passed, with the offset just after it, in order; returns `n`. (Independent
    /// chains of look-ups keep the CPU busier than one.)
    ///
    /// `out` is working space: it only grows (to `buf.len() + L` entries), and entries
    /// from `n` on are left over. Every step writes its state to the next free entry and
    /// moves on only when it is a match state: no branch to mispredict at each match.
    pub(crate) fn walk<const L: usize>(
        &self,
        buf: &[u8],
        starts: [usize; L],
        out: &mut Vec<(u32, u32)>,
    ) -> usize {
        if out.len() < buf.len() + L {
            out.resize(buf.len() + L, (0, 0));
        }
        // The parts, checked: in order, inside `buf`, the first from 0.
        let mut bounds = [(0usize, 0usize); L];
        let mut prev = 0;
        for k in 0..L {
            let s = starts[k].clamp(prev, buf.len());
            let s = if k == 0 { 0 } else { s };
            bounds[k].0 = s;
            if k > 0 {
                bounds[k - 1].1 = s;
            }
            prev = s;
        }
        bounds[L - 1].1 = buf.len();
        match &self.trans {
            Trans::Small(t) => self.walk_in(t, buf, bounds, out),
            Trans::Large(t) => self.walk_in(t, buf, bounds, out),
        }
    }

    /// [`Table::walk`] over one width of transitions.
    #[inline(always)]
    fn walk_in<T: Copy + Into<u32>, const L: usize>(
        &self,
        trans: &[T],
        buf: &[u8],
        bounds: [(usize, usize); L],
        out: &mut [(u32, u32)],
    ) -> usize {
        let (column, from) = (&self.column, self.match_from);
        let states = self.states as usize;
        // What makes the unchecked look-ups below sound: every column's offset plus a
        // state number is inside `trans`, and every entry of `trans` and the start are
        // state numbers ([`Table::new`] checks both and builds no table otherwise);
        // `out` has a slot for every step of every part plus one (checked here).
        if out.len() < buf.len() + L {
            return 0;
        }
        debug_assert!(column.iter().all(|&c| c as usize + states <= trans.len()));
        // Each part's slots in `out` begin at its start plus its number (a part of `m`
        // bytes writes at most `m + 1` slots).
        let mut slot = [0usize; L];
        let mut state = [self.start as usize; L];
        for k in 0..L {
            slot[k] = bounds[k].0 + k;
        }
        let (base, from) = (trans.as_ptr(), from as usize);
        let step = |s: usize, x: u8| -> usize {
            // Where the byte's column starts comes from the byte alone, off the chain of
            // dependent look-ups, and the state only indexes into it: on the chain, one
            // load and nothing else (`column[x] + s` first put an add on it, a sixth
            // more time a step; the state as `usize`, not `u32`, needs no widening).
            // SAFETY: `column[x] + s < trans.len()` for every state `s` (above).
            unsafe {
                let col = base.add(column[x as usize] as usize);
                let next: u32 = (*col.add(s)).into();
                next as usize
            }
        };
        let put = |out: &mut [(u32, u32)], i: &mut usize, at: usize, s: usize| {
            // SAFETY: a part's `j`-th step writes slot `base + (matches so far) <= base +
            // j`, and `base + m < out.len()` for a part of `m` bytes (above).
            unsafe { *out.get_unchecked_mut(*i) = (at as u32, s as u32) };
            *i += usize::from(s >= from);
        };
        // In lockstep while all parts last.
        let n = bounds.iter().map(|&(s, e)| e - s).min().unwrap_or(0);
        for j in 0..n {
            for k in 0..L {
                let at = bounds[k].0 + j;
                // SAFETY: `at < bounds[k].1 <= buf.len()`.
                let x = unsafe { *buf.get_unchecked(at) };
                state[k] = step(state[k], x);
                put(out, &mut slot[k], at + 1, state[k]);
            }
        }
        for k in 0..L {
            let (s, e) = bounds[k];
            for (i, &x) in buf[s + n..e].iter().enumerate() {
                state[k] = step(state[k], x);
                put(out, &mut slot[k], s + n + i + 1, state[k]);
            }
        }
        // Each part's matches follow the one before's.
        let mut to = slot[0];
        for k in 1..L {
            let base = bounds[k].0 + k;
            out.copy_within(base..slot[k], to);
            to += slot[k] - base;
        }
        to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(lits: &[&str]) -> Table {
        table_by(lits, b"")
    }

    /// The table of `lits`, its states ordered by their visits on `sample`.
    fn table_by(lits: &[&str], sample: &[u8]) -> Table {
        let literals: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_vec()).collect();
        Table::new(&literals, &[], sample).unwrap()
    }

    /// The state the table is in after walking `text` from its start.
    fn state_after(t: &Table, text: &[u8]) -> u32 {
        let Trans::Small(trans) = &t.trans else {
            panic!("a small table")
        };
        text.iter().fold(t.start, |s, &b| {
            u32::from(trans[(t.column[b as usize] + s) as usize])
        })
    }

    /// Every (literal, end) the table's walk in `L` parts reports, sorted.
    fn walked_in<const L: usize>(t: &Table, hay: &[u8]) -> Vec<(u32, usize)> {
        // Leftovers from a longer walk must not matter.
        let mut out = vec![(7, 7); 3];
        // Cut at newlines (no literal spans one), or at the end.
        let mut starts = [0; L];
        for (k, s) in starts.iter_mut().enumerate().skip(1) {
            let want = hay.len() * k / L;
            *s = hay[want..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(hay.len(), |p| want + p + 1);
        }
        let n = t.walk(hay, starts, &mut out);
        let mut v: Vec<(u32, usize)> = out[..n]
            .iter()
            .flat_map(|&(end, s)| {
                let mut v = Vec::new();
                t.each_match(s, |l, _| v.push((l, end as usize)));
                v
            })
            .collect();
        v.sort_unstable();
        v
    }

    /// The same, checked the same in one to four parts.
    fn walked(t: &Table, hay: &[u8]) -> Vec<(u32, usize)> {
        let one = walked_in::<1>(t, hay);
        assert_eq!(walked_in::<2>(t, hay), one);
        assert_eq!(walked_in::<3>(t, hay), one);
        assert_eq!(walked_in::<4>(t, hay), one);
        one
    }

    /// The reference: `aho-corasick`'s own overlapping search.
    fn overlapping(lits: &[&str], hay: &[u8]) -> Vec<(u32, usize)> {
        let ac = aho_corasick::AhoCorasick::new(lits).unwrap();
        let mut v: Vec<(u32, usize)> = ac
            .find_overlapping_iter(hay)
            .map(|m| (m.pattern().as_u32(), m.end()))
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn the_walk_finds_what_aho_corasick_finds() {
        let lits = [
            "thank",
            "thank you",
            "you",
            "ou",
            "name",
            "my name is",
            " will",
            "'ll",
            "bye",
            "good bye",
            "\u{e9}t\u{e9}",
            "a\0b",
        ];
        // States in breadth-first order, and ordered by a sample's visits.
        let tables = [
            table(&lits),
            table_by(&lits, b"you'll thank you, my name is bob"),
        ];
        let mut rng = crate::testing::Rng::new(11);
        let alphabet: Vec<&str> = lits
            .iter()
            .copied()
            .chain([" ", "\n", "\n", "x", "thank", "na", "'", "\u{e9}", "\0"])
            .collect();
        for _ in 0..2000 {
            let mut hay = String::new();
            for _ in 0..rng.below(40) {
                hay.push_str(alphabet[rng.below(alphabet.len())]);
            }
            for t in &tables {
                assert_eq!(
                    walked(t, hay.as_bytes()),
                    overlapping(&lits, hay.as_bytes()),
                    "{hay:?}"
                );
            }
        }
    }

    /// Random literal sets over three letters (so that literals are each other's prefixes,
    /// suffixes and middles, and some are the same literal twice): the automaton built
    /// here reports what `aho-corasick` reports, on random text.
    #[test]
    fn random_literal_sets_match_aho_corasick() {
        let mut rng = crate::testing::Rng::new(29);
        let letters = ["a", "b", "c", " "];
        for _ in 0..300 {
            let lits: Vec<String> = (0..1 + rng.below(12))
                .map(|_| {
                    (0..1 + rng.below(5))
                        .map(|_| letters[rng.below(3)])
                        .collect()
                })
                .collect();
            let refs: Vec<&str> = lits.iter().map(String::as_str).collect();
            let starts: Vec<bool> = lits.iter().map(|_| rng.below(2) == 0).collect();
            let mut random_text = |n: usize| -> String {
                (0..rng.below(n))
                    .map(|_| {
                        if rng.below(9) == 0 {
                            "\n"
                        } else {
                            letters[rng.below(4)]
                        }
                    })
                    .collect()
            };
            // States ordered by a random sample's visits (any order walks the same).
            let sample = random_text(60);
            let t = table_by(&refs, sample.as_bytes());
            // And a table that may leave out the literals marked word-start-only where
            // they are inside a word.
            let bytes: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_vec()).collect();
            let w = Table::new(&bytes, &starts, sample.as_bytes()).unwrap();
            for _ in 0..20 {
                let hay = random_text(30);
                let all = overlapping(&refs, hay.as_bytes());
                assert_eq!(
                    walked(&t, hay.as_bytes()),
                    all,
                    "{lits:?} on {hay:?}, ordered by {sample:?}"
                );
                // Every match that starts a word, and every match of the other literals,
                // and nothing else.
                let got = walked(&w, hay.as_bytes());
                let inside = |&(l, end): &(u32, usize)| {
                    let at = end - lits[l as usize].len();
                    at > 0 && crate::backtrack::is_word_byte(hay.as_bytes()[at - 1])
                };
                let must: Vec<(u32, usize)> = all
                    .iter()
                    .copied()
                    .filter(|m| !(starts[m.0 as usize] && inside(m)))
                    .collect();
                assert!(
                    got.iter().all(|m| all.contains(m)) && must.iter().all(|m| got.contains(m)),
                    "{lits:?} (word start: {starts:?}) on {hay:?}: {got:?}"
                );
            }
        }
    }

    /// The states a sample visits most get the lowest numbers, match states after all
    /// others (so that the walk's working set sits at the start of each column).
    #[test]
    fn the_most_visited_states_come_first() {
        let lits = ["the", "then", "xyz", "xyw"];
        let plain = |t: &Table, s: &str| {
            let n = state_after(t, s.as_bytes());
            assert!(n < t.match_from, "{s:?} is not a match");
            n
        };
        // Breadth-first: `x` before `th`, `xy` before nothing deeper.
        let bfs = table(&lits);
        assert!(plain(&bfs, "x") < plain(&bfs, "th"));
        // A sample that says "then" often and "xy" once.
        let t = table_by(&lits, b"then then then xy then");
        let (t1, th, x, xy) = (
            plain(&t, "t"),
            plain(&t, "th"),
            plain(&t, "x"),
            plain(&t, "xy"),
        );
        assert!(t1 < x && th < x && th < xy, "{t1} {th} {x} {xy}");
        // Match states stay last, the most visited first: `the` (4 visits) before `then`
        // (4) before the others (none, breadth-first).
        let the = state_after(&t, b"the");
        let then = state_after(&t, b"then");
        let xyz = state_after(&t, b"xyz");
        assert!(the >= t.match_from && then >= t.match_from);
        assert!(the < xyz && then < xyz, "{the} {then} {xyz}");
    }

    /// A literal that must start a word is not reported inside one where the automaton
    /// knows the byte before it: `her` in `there` (whose state the walk is in), while
    /// `her` alone, or after a space, is.
    #[test]
    fn word_start_literals_are_left_out_inside_words() {
        let lits: Vec<Vec<u8>> = ["there", "her", "he"].map(|l| l.as_bytes().to_vec()).into();
        let t = Table::new(&lits, &[false, true, false], b"").unwrap();
        let hay = b"there her\nxher";
        let got = walked(&t, hay);
        // `there` at 5, `he` at 3 (not word-start-only) and 8 and 13, `her` at 9 (after
        // a space) and at 14 (the state of `her` alone: the `x` before it is not known).
        assert_eq!(got, vec![(0, 5), (1, 9), (1, 14), (2, 3), (2, 8), (2, 13)]);
        // In `there`'s state after `ther`, no match is left: a plain state.
        assert!(state_after(&t, b"ther") < t.match_from);
        let all = Table::new(&lits, &[], b"").unwrap();
        assert!(walked(&all, hay).contains(&(1, 4)));
    }

    #[test]
    fn lengths_and_layout() {
        let t = table(&["abc", "bc", "zz"]);
        let mut out = Vec::new();
        let n = t.walk(b"xabcx\nzz", [0, 6], &mut out);
        let found: Vec<Vec<(u32, u32)>> = out[..n]
            .iter()
            .map(|&(_, s)| {
                let mut v = Vec::new();
                t.each_match(s, |l, n| v.push((l, n)));
                v
            })
            .collect();
        assert_eq!(found, vec![vec![(0, 3), (1, 2)], vec![(2, 2)]]);
        // Four literal bytes and the rest: five classes.
        assert_eq!(t.stride, 5);
        assert!(t.start < t.match_from);
    }
}
