//! The two-thread parse: a helper thread finds the lines of each block and decodes its event lines while the
//! calling thread reads the next block and feeds the previous one, in input order, to the parser.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{mpsc, Condvar, Mutex, MutexGuard, PoisonError};

use super::block::BlockIndex;
use super::lines::{Block, BlockReader, Piece};
use super::parser::Parser;
use crate::model::Visitor;

/// Blocks between reading and feeding: one being indexed or waiting for it, one indexed. With the block being
/// read, at most three buffers exist (four while one is fed), whatever the input's size.
const IN_FLIGHT: usize = 2;

struct Job {
    seq: u64,
    block: Block,
    index: BlockIndex,
}

/// Blocks waiting for an index, shared with the helper thread.
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

#[derive(Default)]
pub(super) struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Nothing can panic while the lock is held (only queue pushes and pops), but never panic on poison.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The rest of the input from `block` on, with a helper thread that indexes blocks. A block waits in a queue
/// for the helper, which takes it as soon as it is idle; when the block is next to be fed and the helper has not
/// taken it, this thread takes it back and parses it as the one-thread parse does (so a helper starved of CPU by
/// other processes costs little more than the queue). Every piece reaches the parser in input order: a loose line waits until the blocks
/// before it are fed.
pub(super) fn pipelined<'scope, 'env, R: Read, V: Visitor>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    shared: &'env Shared,
    blocks: &mut BlockReader<R>,
    parser: &mut Parser<V>,
    block: Block,
    scratch: &mut String,
) -> io::Result<()> {
    let (helper_done, done) = mpsc::channel::<Job>();
    let helper = s.spawn(move || loop {
        let job = {
            let mut q = shared.lock();
            loop {
                if let Some(job) = q.jobs.pop_front() {
                    break Some(job);
                }
                if q.closed {
                    break None;
                }
                q = shared.wake.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let Some(mut job) = job else { break };
        job.index.build(&job.block);
        if helper_done.send(job).is_err() {
            break;
        }
    });
    // Closes the queue when this thread leaves, also by a panic in the visitor: the scope waits for the helper,
    // which must not be left waiting for blocks.
    let close = CloseOnDrop(shared);
    let mut line = Pipeline { shared, done, spare: Vec::new(), sent: 0, fed: 0 };
    let fed = line.run(blocks, parser, block, scratch);
    drop(close);
    // Joined here rather than by the scope, which waits for the helper's closure but not for its thread to exit:
    // the parse would return with the thread still running its thread-local destructors (LeakSanitizer, run by the
    // `blocks` fuzz target, then reported glibc's record of them as leaked now and then). The helper only stops
    // early by a panic, which the channel reports above; if it panicked after its last block, say so too.
    let helper = helper.join();
    fed.and_then(|()| helper.map_err(|_| helper_stopped()))
}

fn helper_stopped() -> io::Error {
    io::Error::other("the parser's helper thread stopped")
}

struct CloseOnDrop<'a>(&'a Shared);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.wake.notify_all();
    }
}

struct Pipeline<'a> {
    shared: &'a Shared,
    done: mpsc::Receiver<Job>,
    spare: Vec<BlockIndex>,
    sent: u64,
    fed: u64,
}

impl Pipeline<'_> {
    fn run<R: Read, V: Visitor>(
        &mut self,
        blocks: &mut BlockReader<R>,
        parser: &mut Parser<V>,
        block: Block,
        scratch: &mut String,
    ) -> io::Result<()> {
        let mut next = Some(Piece::Block(block));
        loop {
            match next {
                Some(Piece::Block(block)) => {
                    let index = self.spare.pop().unwrap_or_default();
                    self.shared.lock().jobs.push_back(Job { seq: self.sent, block, index });
                    self.shared.wake.notify_one();
                    self.sent += 1;
                    if self.sent - self.fed >= IN_FLIGHT as u64 {
                        self.feed_oldest(blocks, parser, scratch)?;
                    }
                }
                Some(Piece::Loose { bytes, terminated }) => {
                    while self.fed < self.sent {
                        self.feed_oldest(blocks, parser, scratch)?;
                    }
                    parser.feed_loose(&bytes, terminated, scratch);
                }
                None => break,
            }
            next = blocks.next_piece()?;
        }
        while self.fed < self.sent {
            self.feed_oldest(blocks, parser, scratch)?;
        }
        Ok(())
    }

    /// Feeds the oldest block not yet fed: with the helper's index if it took the block, straight if not.
    fn feed_oldest<R: Read, V: Visitor>(
        &mut self,
        blocks: &mut BlockReader<R>,
        parser: &mut Parser<V>,
        scratch: &mut String,
    ) -> io::Result<()> {
        let mine = {
            let mut q = self.shared.lock();
            if q.jobs.front().is_some_and(|j| j.seq == self.fed) {
                q.jobs.pop_front()
            } else {
                None
            }
        };
        self.fed += 1;
        let job = match mine {
            // Not taken: feed it straight, as the one-thread parse does (an index would only cost here).
            Some(job) => {
                parser.feed_lines(&job.block, scratch);
                job
            }
            // The helper took it (and any older one) and sends results in order. It only stops when this side
            // closes the queue, so a closed channel means it died: report it rather than lose lines.
            None => match self.done.recv() {
                Ok(job) if job.seq == self.fed - 1 => {
                    parser.feed_block(&job.block, &job.index, scratch);
                    job
                }
                _ => return Err(helper_stopped()),
            },
        };
        blocks.recycle(job.block.buf);
        self.spare.push(job.index);
        Ok(())
    }
}
